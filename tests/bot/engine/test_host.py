"""The host every channel runs on: where its runtime comes from, the start-up resume, the adoption
of renders whose process died, the turns it stops at shutdown, and its last line of defence."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import app.runtime
from bot.channel.events import ChannelLimits, Incoming, Reply
from bot.engine.engine import Engine
from bot.engine.host import BotHost, Runtime, installed_runtime
from bot.ids import ChatRef, UserKey
from bot.settings import Settings
from bot.state.store import JobRecord
from bot.testing import FakeNemo, RecordingReply
from tests.fixtures_engine import until

ALICE = UserKey("console", "alice")
DRAFT: dict[str, Any] = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 3000, "m": {"name": "front.jpg"}}]}]}


def test_without_a_factory_the_host_uses_the_installed_composition_root() -> None:
    # pyproject.toml: [project.entry-points."videobot.runtime"] default = "app.runtime:start_runtime"
    assert installed_runtime() is app.runtime.start_runtime


def factory_of(engine: Engine) -> Callable[..., Any]:
    """A RuntimeFactory that hands out this engine (and leaves closing it to the fixture)."""
    made: list[str] = []

    async def start(settings: Settings, *, label: str) -> Runtime:
        made.append(label)

        async def close() -> None:
            return None

        return Runtime(settings=engine.settings, store=engine.services.store, engine=engine, close=close)

    start.made = made  # type: ignore[attr-defined]
    return start


async def pending_job(engine: Engine, fake_nemo: FakeNemo, render_id: str) -> JobRecord:
    """A render that reached the backend and was left by a bot process that is gone (no lease)."""
    rec = await engine.services.store.users.get(ALICE)
    assert rec.client_id
    job = JobRecord(render_id=render_id, user_key=ALICE, chat=ChatRef("console", "alice"), status="pending",
                    attempts=1, language="en")
    fake_nemo.start_render(render_id, None, DRAFT)
    await engine.services.store.jobs.save(job)
    return job


async def test_start_resumes_what_a_stopped_process_left_and_the_adoption_pass_takes_later_orphans(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    fake_nemo.render_plan([("completed", 100)])
    reply = RecordingReply(ChannelLimits(edit_interval=0.02))
    asked: list[str] = []

    async def reply_for(job: JobRecord) -> Reply | None:
        asked.append(job.render_id)
        return reply if job.user_key == ALICE else None

    await pending_job(engine, fake_nemo, "render_left")
    runtime = factory_of(engine)
    host = BotHost(engine.settings, platform="console", runtime=runtime, adopt_every=0.05)
    await host.start(reply_for)
    try:
        await host.wait_resumed()
        assert runtime.made == ["console"] and asked == ["render_left"]  # type: ignore[attr-defined]
        assert len(reply.done("video")) == 1
        await pending_job(engine, fake_nemo, "render_orphan")  # its process died after this host started
        await until(lambda: len(reply.done("video")) == 2, within=5)
        assert await engine.services.store.jobs.active() == []
    finally:
        await host.aclose()


async def test_stopping_the_turns_leaves_a_render_in_flight_for_the_next_start(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    host = BotHost(engine.settings, platform="console", runtime=factory_of(engine), adopt_every=None)
    reply = RecordingReply(ChannelLimits(edit_interval=0.02))
    await host.start(lambda job: asyncio.sleep(0, None))

    def say(text: str) -> Incoming:
        return Incoming(user=ALICE, chat=ChatRef("console", "alice"), text=text, update_id=text)

    try:
        await host.handle(say("/start"), reply)
        fake_nemo.set_draft(next(iter(fake_nemo.sessions)), DRAFT)
        fake_nemo.render_plan(["pending"] * 500)
        export = asyncio.create_task(host.handle(say("/export"), reply))
        await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda/*"))
        assert await host.stop_turns() == 1
        with pytest.raises(asyncio.CancelledError):
            await export
        (job,) = await engine.services.store.jobs.active()
        assert job.status in ("pending", "processing")
        assert not await engine.services.store.leases.held(job.render_id)  # free for the next start
    finally:
        await host.aclose()


async def test_an_engine_that_fails_still_answers_one_friendly_line(engine: Engine) -> None:
    async def broken(incoming: Incoming, reply: Reply) -> None:
        raise RuntimeError("a bug")

    engine.handle = broken  # type: ignore[method-assign]  # a fault no real input can cause
    host = BotHost(engine.settings, platform="console", runtime=factory_of(engine), adopt_every=None)
    reply = RecordingReply()
    await host.start(lambda job: asyncio.sleep(0, None))
    try:
        await host.handle(Incoming(user=ALICE, chat=ChatRef("console", "alice"), text="hi"), reply)
    finally:
        await host.aclose()
    assert reply.visible_texts() == ["Something went wrong on my side — please try again. If it keeps "
                                     "happening, send /new to start a fresh project."]


async def test_start_removes_what_a_killed_process_left_under_the_data_dir_and_nothing_else(
    engine: Engine,
) -> None:
    import os
    import time

    data = engine.settings.data_dir
    old = time.time() - 3600

    def put(rel: str, *, idle: bool) -> Any:
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        if idle:
            os.utime(path, (old, old))
        return path

    leftovers = [
        put("out/render_1.mp4.part", idle=True),
        put("out/render_1.thumb.jpg", idle=True),
        put("tmp/telegram/3f2a/photo.jpg", idle=True),
        put("tmp/discord/9c1b/clip.mp4", idle=True),
        put("tmp/voice/note.m4a", idle=True),
    ]
    kept = [
        put("out/render_0.mp4", idle=True),  # a delivered video: the operator's
        put("out/render_2.mp4.part", idle=False),  # a download another live process writes now
        put("tmp/telegram/77aa/now.jpg", idle=False),
        put("studio/media/a.jpg", idle=True),  # the studio's own (its janitor's business)
    ]
    host = BotHost(engine.settings, platform="console", runtime=factory_of(engine), adopt_every=None)
    await host.start(lambda job: asyncio.sleep(0, None))
    try:
        assert [p for p in leftovers if p.exists()] == []
        assert all(p.exists() for p in kept)
        assert not (data / "tmp/telegram/3f2a").exists()  # its emptied folder too
    finally:
        await host.aclose()
