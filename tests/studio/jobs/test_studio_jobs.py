"""Render jobs apart from the API: one job run by id, the Redis queue mode, a worker that dies."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from studio import keys
from studio.jobs.dispatch import UNEXPECTED, run_render_job
from studio.jobs.queue import queue_counts
from studio.jobs.worker import WorkerOptions, run_worker
from studio.server import StudioServer
from studio.settings import StudioSettings
from tests.fixtures_studio import StudioFactory, StudioMedia, StudioUser, fake_render, image_draft


async def _project(user: StudioUser, media: StudioMedia) -> tuple[str, list[str]]:
    sid = await user.new_session()
    files = (await user.upload(sid, media.photos[0]))["data"]["files"]
    return sid, [f["asset_id"] for f in files]


async def _submit(user: StudioUser, sid: str, render_id: str, draft: dict[str, Any]) -> dict[str, Any]:
    body = {"id": render_id, "sessionId": sid, "draft": draft}
    data: dict[str, Any] = (await user.http.post("/api/render/proxy/lambda", json=body)).json()["data"]
    return data


async def test_with_no_local_workers_jobs_wait_on_the_redis_queue_for_a_worker(
    make_studio: StudioFactory, studio_media: StudioMedia, redis: aioredis.Redis, redis_url: str
) -> None:
    studio = await make_studio(render_workers=0)
    user = await studio.user()
    sid, assets = await _project(user, studio_media)
    assert (await _submit(user, sid, "render_q", image_draft(assets)))["status"] == "pending"
    job_id = f"{user.user_id}:render_q"
    assert (await queue_counts(redis))["queued"] == 1
    job = await redis.hgetall(keys.render(job_id))
    assert list(json.loads(job[b"assets"])) == [f"asset://{assets[0]}"]

    # what a `videobot studio-worker` does: take the job from the render queue and run it
    await run_worker(redis_url, WorkerOptions(burst=True), renderer=fake_render, handle_signals=False)
    assert (await queue_counts(redis))["queued"] == 0
    assert await asyncio.to_thread(run_render_job, redis_url, job_id, fake_render) == "skipped"  # never twice
    data = (await user.http.get("/api/render/proxy/lambda/render_q")).json()["data"]
    assert data["status"] == "completed" and data["output"]["url"].endswith(".mp4")


async def test_a_worker_process_that_dies_fails_its_render_and_the_next_one_works(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio(renderer=fake_render)
    user = await studio.user()
    sid, assets = await _project(user, studio_media)
    await _submit(user, sid, "render_dies", image_draft(assets) | {"m": {"fake_die": True}})
    died = await studio.poll_render(user, "render_dies")
    assert died["status"] == "failed" and died["error"] == UNEXPECTED
    await _submit(user, sid, "render_next", image_draft(assets))
    assert (await studio.poll_render(user, "render_next"))["status"] == "completed"


async def test_redis_down_is_a_503_json_answer_and_healthz_says_so(tmp_path: Path) -> None:
    dead = aioredis.Redis(unix_socket_path=str(tmp_path / "no-redis.sock"), socket_connect_timeout=1,
                          retry=Retry(NoBackoff(), 0))
    settings = StudioSettings(_env_file=None, data_dir=tmp_path, port=0)  # type: ignore[call-arg]
    server = StudioServer(settings, redis=dead)
    url = await server.start()
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            health = await http.get("/healthz")
            assert health.status_code == 503 and health.json()["ok"] is False
            token = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c"})
            assert token.status_code == 503 and token.json()["code"] == 503
            assert "Traceback" not in token.text and "no-redis.sock" not in token.text
    finally:
        await server.stop()
        await dead.aclose()
