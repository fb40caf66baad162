"""Redis or the backend going away mid-conversation, unexpected errors, and secrets in output."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.backend.client import NemoClient
from bot.channel.events import ChannelLimits
from bot.engine.engine import Engine
from bot.engine.flows import info
from bot.state.connect import connect_url
from bot.state.crypto import TokenCipher
from bot.state.store import Store
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from common.redis_server import RedisServer
from tests.fixtures_engine import Chat, engine_settings, until

DRAFT: dict[str, Any] = {
    "d": 3000,
    "m": {"title": "Aurora"},
    "t": [{"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 3000, "m": {"kind": "image", "name": "a.jpg"}}]}],
}


async def test_redis_going_away_is_one_friendly_line_and_the_bot_recovers(
    fake_nemo: FakeNemo, tmp_path: Path, data_dir: Path
) -> None:
    server = RedisServer(tmp_path / "r", appendonly=True)
    server.start()
    settings = engine_settings(fake_nemo.url, server.url, data_dir)
    store = Store(connect_url(server.url).client, TokenCipher.generate())
    client = NemoClient.from_settings(settings)
    try:
        chat = Chat(Engine(settings, store, client), RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
        await chat.send("/start")
        server.stop()
        answers = await chat.send("/credits")
        assert answers == ["I can't reach my memory right now — please try again in a moment."]
        server.start()
        answers = await chat.send("/credits")
        assert answers[-1].startswith("💳 Credits: 100")
    finally:
        await client.aclose()
        await store.aclose()
        server.stop()


async def test_an_unexpected_error_is_logged_and_the_user_sees_one_line(
    chat: Chat, fake_nemo: FakeNemo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await chat.send("/start")

    async def broken(turn: Any) -> None:  # a bug in a flow: cannot be caused for real on purpose
        raise RuntimeError("boom in the credits flow")

    monkeypatch.setattr(info, "credits", broken)
    with caplog.at_level(logging.ERROR):
        (answer,) = await chat.send("/credits")
    assert answer.startswith("Something went wrong on my side")
    assert "boom" not in answer
    assert any(r.exc_info for r in caplog.records)


async def test_no_token_ever_reaches_a_message_or_a_log_line(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from app.samples import make_sample_photos

    own = "nmv_usr_" + "Q" * 40
    fake_nemo.add_token(own, "usr_alice")
    with caplog.at_level(logging.DEBUG):
        await chat.send("/start")
        await chat.send("make a promo", files=make_sample_photos(tmp_path / "p")[:1])
        fake_nemo.expire_tokens()
        await chat.send("/credits")
        await chat.send("/export")
        await chat.send(f"/token {own}")
        await chat.send("/status")
    tokens = [*fake_nemo.tokens, own]
    seen = "\n".join([*(o.text or "" for o in chat.reply.ops), *(r.getMessage() for r in caplog.records)])
    for token in tokens:
        assert token not in seen
        assert token[8:] not in seen


async def test_redis_going_away_mid_render_is_one_line_and_the_video_still_arrives_once(
    fake_nemo: FakeNemo, tmp_path: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(tmp_path / "r", appendonly=True)
    server.start()
    settings = engine_settings(fake_nemo.url, server.url, data_dir, render_timeout_seconds=30.0)
    store = Store(connect_url(server.url).client, TokenCipher.generate())
    client = NemoClient.from_settings(settings)
    try:
        chat = Chat(Engine(settings, store, client), RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
        await chat.send("/start")
        fake_nemo.set_draft(next(iter(fake_nemo.sessions)), DRAFT)
        fake_nemo.render_plan([("processing", 10)] * 5 + [("processing", 50)] * 3 + [("completed", 100)])
        with caplog.at_level(logging.INFO):
            task = asyncio.create_task(chat.send("/export"))
            await until(lambda: any((o.text or "").startswith("⏳ 10%") for o in chat.reply.ops))
            server.stop()
            await until(lambda: any(o.text and "memory" in o.text for o in chat.reply.ops))
            await asyncio.sleep(1.5)  # the outage lasts; the bot waits without a word more
            server.start()
            await asyncio.wait_for(task, 30)
        texts = [o.text or "" for o in chat.reply.ops if o.ok]
        outage = [text for text in texts if "memory" in text]
        assert outage == [
            "⚠️ My memory is unreachable for a moment — your render goes on, "
            "and I'll send the video as soon as it's back."
        ]
        assert len(chat.reply.done("video")) == 1
        assert any(text == "✅ Video ready!" for text in texts)
        assert not [r for r in caplog.records if r.exc_info]  # no traceback flood
        waits = [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()]
        assert 1 <= len(waits) <= 8, waits  # a retry with backoff, not a line per poll
        assert await store.jobs.active() == []
        (submit,) = fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")
        assert submit
    finally:
        await client.aclose()
        await store.aclose()
        server.stop()
