"""Operator limits for a public bot: the allow-list, admins, exports per day, concurrent exports
and `/stats` — counted in the real Redis, shared by every bot process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.channel.events import ChannelLimits
from bot.engine.engine import Engine
from bot.ids import ChatRef, UserKey
from bot.state.store import JobRecord
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from tests.fixtures_engine import Chat

DRAFT: dict[str, Any] = {
    "d": 3000,
    "m": {"title": "Aurora"},
    "t": [{"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 3000, "m": {"kind": "image", "name": "a.jpg"}}]}],
}


def _chat(engine: Engine, user_id: str = "alice") -> Chat:
    return Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)), user_id=user_id)


async def _ready(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start")
    for sid in fake_nemo.sessions:
        fake_nemo.set_draft(sid, DRAFT)


async def test_a_user_off_the_allow_list_gets_one_line_with_their_id_and_nothing_reaches_the_backend(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo
) -> None:
    engine = engine_factory(allowed_users=["telegram:bob", "carol"])
    stranger = _chat(engine, "mallory")
    assert await stranger.send("make a promo video") == [
        "🔒 This bot is private. Ask whoever runs it to add you — your id is telegram:mallory."
    ]
    assert fake_nemo.requests == []
    bob, carol = _chat(engine, "bob"), _chat(engine, "carol")  # "carol": that id on any platform
    assert (await bob.send("/credits"))[-1].startswith("💳 Credits: 100")
    assert (await carol.send("/credits"))[-1].startswith("💳 Credits: 100")


async def test_an_admin_needs_no_place_on_the_allow_list_and_has_no_daily_limit(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo
) -> None:
    engine = engine_factory(allowed_users=["telegram:bob"], admin_users=["telegram:root"], renders_per_day=1)
    admin = _chat(engine, "root")
    await _ready(admin, fake_nemo)
    for _ in range(2):
        assert "✅ Video ready!" in await admin.send("/export")
    assert len(admin.reply.done("video")) == 2


async def test_the_daily_quota_is_said_once_reached_and_the_project_is_kept(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo
) -> None:
    engine = engine_factory(renders_per_day=2)
    alice = _chat(engine)
    await _ready(alice, fake_nemo)
    assert "✅ Video ready!" in await alice.send("/export")
    assert "✅ Video ready!" in await alice.send("/export")
    (answer,) = await alice.send("/export")
    assert answer.startswith("⏳ You've used today's 2 exports. The count starts again at midnight UTC")
    assert "your project stays as it is" in answer
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 2
    # another process shares the count (Redis), another user has their own
    other = _chat(engine_factory(renders_per_day=2))
    await other.send("/export")
    assert other.reply.done("video") == [] and "today's 2 exports" in other.all_text()
    bob = _chat(engine, "bob")
    await _ready(bob, fake_nemo)
    assert "✅ Video ready!" in await bob.send("/export")


async def test_a_failed_render_retried_with_a_new_id_counts_once(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo
) -> None:
    engine = engine_factory(renders_per_day=1)
    alice = _chat(engine)
    await _ready(alice, fake_nemo)
    fake_nemo.render_plan(fail_first=True)
    await alice.send("/export")
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 2
    assert len(alice.reply.done("video")) == 1
    assert await engine.services.store.quotas.renders_today(UserKey("telegram", "alice")) == 1


async def test_a_second_export_waits_while_the_first_one_still_renders(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    alice = _chat(engine)
    await _ready(alice, fake_nemo)
    # a render of another project of hers, left rendering by a process that went away (resumable)
    await engine.services.store.jobs.save(
        JobRecord(render_id="render_1_abc", user_key=alice.user, chat=ChatRef("telegram", "chat-alice"),
                  session_id="an-older-project", status="processing", attempts=1)
    )
    (answer,) = await alice.send("/export")
    assert answer.startswith("⏳ You already have 1 export(s) rendering")
    assert fake_nemo.requests_to("/api/render/proxy/lambda", method="POST") == []
    await engine.services.store.jobs.finish("render_1_abc", "delivered")
    assert "✅ Video ready!" in await alice.send("/export")


async def test_stats_answers_admins_and_is_an_unknown_command_for_everybody_else(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo
) -> None:
    engine = engine_factory(admin_users=["root"])
    alice = _chat(engine)
    await _ready(alice, fake_nemo)
    await alice.send("/export")
    (refused,) = await alice.send("/stats")
    assert refused.startswith("🤔 I don't know /stats.")
    (stats,) = await _chat(engine, "root").send("/stats")
    assert stats.startswith("📈 Today (UTC): 1 exports, 2 people · rendering now: 0")
