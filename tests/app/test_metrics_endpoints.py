"""Metrics an operator scrapes: the studio's /metrics (renders, queue, requests) with request ids
that follow a render, and a bot process's endpoint (turns, platform 429s)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families

from app.runtime import start_runtime
from bot import metrics
from bot.backend.client import NemoClient
from bot.channel.errors import RetryLater
from bot.channel.events import ChannelLimits
from bot.channel.streaming import StreamingMessage
from bot.engine.engine import Engine
from bot.settings import Settings
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from common.logs import configure_logging, request_id_var
from tests.fixtures_engine import Chat, engine_settings
from tests.fixtures_studio import StudioFactory, StudioMedia, fake_render, image_draft
from tests.ports import free_port

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out



@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("INFO", json_lines=True, stream=stream)
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_videobot", False)]:
        root.removeHandler(handler)


async def test_studio_metrics_show_renders_queue_and_answers_and_echo_the_request_id(
    make_studio: StudioFactory, studio_media: StudioMedia, redis: aioredis.Redis
) -> None:
    studio = await make_studio(renderer=fake_render)
    user = await studio.user()
    sid = await user.new_session()
    assets = [f["asset_id"] for f in (await user.upload(sid, studio_media.photos[0]))["data"]["files"]]
    body = {"id": "render_m1", "sessionId": sid, "draft": image_draft(assets)}
    submitted = await user.http.post("/api/render/proxy/lambda", json=body,
                                     headers={"X-Request-Id": "turn-4242"})
    assert submitted.headers["x-request-id"] == "turn-4242"
    job = json.loads(await redis.get(f"saq:job:studio-renders:{user.user_id}:render_m1") or b"{}")
    assert job["kwargs"]["request_id"] == "turn-4242"  # the worker logs the render under it
    assert (await studio.poll_render(user, "render_m1"))["status"] == "completed"

    scrape = await studio.http().get("/metrics")
    assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
    got = samples(scrape.text)
    assert got[("studio_renders_total", (("outcome", "completed"),))] == 1
    assert got[("studio_render_seconds_count", ())] == 1
    assert got[("studio_render_queue_jobs", (("state", "queued"),))] == 0
    assert got[("studio_render_workers", ())] >= 1
    assert got[("studio_http_requests_total", (("code", "200"), ("route", "submit_render")))] == 1
    assert scrape.headers["x-request-id"]  # a request without one gets a fresh id


async def test_the_bots_request_id_reaches_the_studio_log(
    make_studio: StudioFactory, studio_media: StudioMedia, json_log: io.StringIO, tmp_path: Path
) -> None:
    studio = await make_studio(renderer=fake_render)
    client = NemoClient.from_settings(Settings(_env_file=None, nemo_api_url=studio.url,  # type: ignore[call-arg]
                                               data_dir=tmp_path))
    try:
        token = (await client.anonymous_token("metrics-client")).token
        sid = (await client.create_session(token)).session_id
        photo = studio_media.photos[0]
        answer = await studio.http(token).post(f"/api/upload-video/nemo_agent/me/{sid}",
                                               files=[("files", (photo.name, photo.read_bytes()))])
        draft = image_draft([f["asset_id"] for f in answer.json()["data"]["files"]])
        request_id_var.set("turn-from-the-bot")
        await client.submit_render(token, sid, draft, "render_rid")
    finally:
        request_id_var.set(None)
        await client.aclose()
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    submitted = [x for x in lines if x["logger"] == "studio.api.renders" and "render_rid" in x["msg"]]
    assert submitted and submitted[0]["request_id"] == "turn-from-the-bot"


async def test_a_bot_process_serves_turns_and_platform_429s_on_its_metrics_port(
    fake_nemo: FakeNemo, redis: aioredis.Redis, redis_url: str, data_dir: Path
) -> None:
    port = free_port()
    runtime = await start_runtime(engine_settings(fake_nemo.url, redis_url, data_dir, metrics_port=port))
    served = metrics._served.get("port", port)  # one endpoint per process: the first runtime's port
    url = f"http://127.0.0.1:{served}/metrics"
    try:
        async with httpx.AsyncClient() as http:
            before = samples((await http.get(url)).text)
            after = await _turn_and_429(runtime.engine, http, url)
    finally:
        await runtime.close()

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        value: Any = after.get(key, 0.0)
        return float(value) - float(before.get(key, 0.0))

    assert delta("videobot_turns_total", platform="telegram", intent="help") == 1
    assert delta("videobot_turn_seconds_count", platform="telegram", intent="help") == 1
    assert delta("videobot_platform_429_total", platform="other") == 1


async def _turn_and_429(engine: Engine, http: httpx.AsyncClient, url: str) -> Samples:
    """One /help turn, and one streamed message whose edit is rate-limited once; the scrape after."""
    chat = Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
    await chat.send("/help")
    reply = RecordingReply(limits=ChannelLimits(edit_interval=0.01))
    reply.fail("edit", RetryLater(0.05))
    message = StreamingMessage(reply)
    for text in ("one", "one two"):
        await message.update(text)
        await asyncio.sleep(0.05)  # past the edit interval: each update is its own call
    await message.finish("one two three")
    return samples((await http.get(url)).text)
