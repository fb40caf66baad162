"""Export: render jobs in worker processes, progress from Redis, idempotent ids, failures readable."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx

from studio.jobs.dispatch import STOPPED, UNEXPECTED
from tests.fixtures_studio import (
    RunningStudio,
    StudioFactory,
    StudioMedia,
    StudioUser,
    fake_render,
    image_draft,
)


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "zombie" not in fh.read()
    except FileNotFoundError:
        return False


async def submit(user: StudioUser, sid: str, render_id: str, draft: dict[str, Any] | None,
                 **headers: str) -> httpx.Response:
    body: dict[str, Any] = {"id": render_id, "sessionId": sid, "output": {"format": "mp4", "quality": "high"}}
    if draft is not None:
        body["draft"] = draft
    return await user.http.post("/api/render/proxy/lambda", json=body, headers=headers)


async def project(studio: RunningStudio, media: StudioMedia, n: int = 2) -> tuple[StudioUser, str, list[str]]:
    user = await studio.user()
    sid = await user.new_session()
    files = (await user.upload(sid, *media.photos[:n]))["data"]["files"]
    return user, sid, [f["asset_id"] for f in files]


async def test_a_render_runs_in_a_worker_process_reports_progress_and_is_downloadable(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media)
    draft = image_draft(assets) | {"m": {"title": "T", "aspect": "9:16", "fake_seconds": 1.5}}
    r = await submit(user, sid, "render_1700000000000", draft)
    # 3 s of video at the default pace (2 s of render per second) before any render was measured
    assert r.json() == {"code": 0, "message": "success",
                        "data": {"id": "render_1700000000000", "status": "pending", "progress": 0,
                                 "elapsed_seconds": 0, "eta_seconds": 6}}

    seen: list[tuple[str, int]] = []
    while not seen or seen[-1][0] not in ("completed", "failed"):
        data = (await user.http.get("/api/render/proxy/lambda/render_1700000000000")).json()["data"]
        seen.append((data["status"], data["progress"]))
    assert data["status"] == "completed", data
    assert data["eta_seconds"] == 0 and data["elapsed_seconds"] >= 1
    processing = [p for s, p in seen if s == "processing"]
    assert len(set(processing)) >= 3 and processing == sorted(processing)  # progress moved up in steps
    assert data["progress"] == 100
    assert data["output"]["url"].startswith(studio.url + "/media/")
    assert (data["output"]["width"], data["output"]["height"]) == (1080, 1920)

    anonymous = httpx.AsyncClient()
    try:
        via_url = (await anonymous.get(data["output"]["url"])).content
        no_auth = await anonymous.get(f"{studio.url}/api/render/proxy/render_1700000000000/download")
    finally:
        await anonymous.aclose()
    assert no_auth.status_code == 401
    downloaded = await user.http.get("/api/render/proxy/render_1700000000000/download")
    assert downloaded.status_code == 200 and downloaded.headers["content-type"] == "video/mp4"
    assert downloaded.content == via_url and via_url.startswith(b"\x00\x00\x00\x18ftypmp42")
    worker_pid = int(via_url.split(b"pid=")[1].split(b";")[0])
    assert worker_pid != os.getpid()  # rendered off the event loop, in another process

    assert (await user.credits())["available"] == 100  # export is free
    state = (await user.state(sid))["data"]["state"]
    assert [m["id"] for m in state["generated_media"]] == ["render_1700000000000"]
    assert state["generated_media"][0]["url"] == data["output"]["url"]


async def test_the_same_render_id_submitted_twice_renders_once(
    make_studio: StudioFactory, studio_media: StudioMedia, tmp_path: Path
) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media, 1)
    log = tmp_path / "renders.log"
    draft = image_draft(assets) | {"m": {"fake_log": str(log), "fake_seconds": 0.3}}
    first = (await submit(user, sid, "render_42", draft)).json()["data"]
    again = (await submit(user, sid, "render_42", draft)).json()["data"]
    assert first["id"] == again["id"] == "render_42"
    assert (await studio.poll_render(user, "render_42"))["status"] == "completed"
    after = (await submit(user, sid, "render_42", draft)).json()["data"]
    assert after["status"] == "completed"
    assert len(log.read_text().splitlines()) == 1


async def test_two_users_may_use_the_same_render_id(make_studio: StudioFactory,
                                                    studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    alice, alice_sid, alice_assets = await project(studio, studio_media, 1)
    bob, bob_sid, bob_assets = await project(studio, studio_media, 1)
    await submit(alice, alice_sid, "render_1", image_draft(alice_assets))
    await submit(bob, bob_sid, "render_1", image_draft(bob_assets))
    a = await studio.poll_render(alice, "render_1")
    b = await studio.poll_render(bob, "render_1")
    assert a["status"] == b["status"] == "completed"
    assert a["output"]["url"] != b["output"]["url"]


async def test_another_users_render_and_assets_are_out_of_reach(make_studio: StudioFactory,
                                                                studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    owner, sid, assets = await project(studio, studio_media, 1)
    await submit(owner, sid, "render_mine", image_draft(assets))
    await studio.poll_render(owner, "render_mine")
    thief = await studio.user()
    poll = await thief.http.get("/api/render/proxy/lambda/render_mine")
    assert poll.status_code == 404 and poll.json()["code"] == 404
    assert (await thief.http.get("/api/render/proxy/render_mine/download")).status_code == 404
    # a draft naming someone else's upload renders nothing of it
    thief_sid = await thief.new_session()
    data = (await submit(thief, thief_sid, "render_steal", image_draft(assets))).json()["data"]
    assert data["status"] == "failed" and "no longer available" in data["error"]


async def test_export_needs_attribution_headers_and_a_draft(make_studio: StudioFactory,
                                                            studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media, 1)
    bare = httpx.AsyncClient(base_url=studio.url, headers={"Authorization": f"Bearer {user.token}"})
    try:
        r = await bare.post("/api/render/proxy/lambda", json={"id": "render_1", "sessionId": sid,
                                                               "draft": image_draft(assets)})
    finally:
        await bare.aclose()
    assert r.status_code == 402 and r.json()["code"] == 402
    empty = await submit(user, sid, "render_2", {"t": []})
    assert empty.status_code == 422 and "Nothing to render" in empty.json()["message"]
    bad_id = await submit(user, sid, "../../etc", image_draft(assets))
    assert bad_id.status_code == 422


async def test_without_a_draft_in_the_body_the_session_draft_is_rendered(make_studio: StudioFactory,
                                                                         studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media, 1)
    from studio.api.state import set_draft

    await set_draft(studio.redis, sid, image_draft(assets))
    await submit(user, sid, "render_state", None)
    assert (await studio.poll_render(user, "render_state"))["status"] == "completed"


async def test_a_renderer_crash_fails_that_render_only(make_studio: StudioFactory,
                                                       studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media, 1)
    await submit(user, sid, "render_crash", image_draft(assets) | {"m": {"fake_crash": True}})
    data = await studio.poll_render(user, "render_crash")
    assert data["status"] == "failed" and data["error"] == UNEXPECTED
    assert "ZeroDivision" not in str(data) and "/srv" not in str(data)
    assert (await studio.http().get("/healthz")).json() == {"ok": True}
    await submit(user, sid, "render_after", image_draft(assets))
    assert (await studio.poll_render(user, "render_after"))["status"] == "completed"


async def test_stopping_the_studio_fails_renders_in_flight_and_stops_their_workers(
    make_studio: StudioFactory, studio_media: StudioMedia, tmp_path: Path
) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media, 1)
    pidfile = tmp_path / "worker.pid"
    draft = image_draft(assets) | {"m": {"fake_seconds": 30, "fake_pidfile": str(pidfile)}}
    await submit(user, sid, "render_long", draft)
    poll = "/api/render/proxy/lambda/render_long"
    while (await user.http.get(poll)).json()["data"]["status"] != "processing":
        pass
    await studio.server.stop()
    job = await studio.redis.hgetall(f"studio:render:{user.user_id}:render_long")
    assert job[b"status"] == b"failed" and job[b"error"] == STOPPED.encode()
    pid = int(pidfile.read_text())
    for _ in range(100):
        if not _running(pid):
            break
        await asyncio.sleep(0.02)
    assert not _running(pid)  # the render was stopped, not orphaned


async def test_unknown_render_is_404(make_studio: StudioFactory) -> None:
    studio = await make_studio(renderer=fake_render)
    user = await studio.user()
    r = await user.http.get("/api/render/proxy/lambda/render_nope")
    assert r.status_code == 404 and r.json()["code"] == 404
