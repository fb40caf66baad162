"""First contact, greeting in both languages, routing of every intent, short answers."""

from __future__ import annotations

import pytest

from bot.channel.events import ChannelLimits
from bot.engine.engine import Engine
from bot.ids import Platform
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from tests.fixtures_engine import Chat


async def test_first_contact_sets_things_up_then_greets_in_english(chat: Chat, fake_nemo: FakeNemo) -> None:
    answers = await chat.send("/start")
    first = chat.reply.ops[0]
    assert first.op == "send" and first.text == "⏳ Setting things up…"
    assert len(answers) == 1  # the status line became the greeting
    greeting = answers[0]
    assert "Try saying" in greeting
    assert "create a 30-second promotional video from my product images and description" in greeting
    assert [b.action for b in chat.reply.visible()[0].buttons or ()] == [
        "/export",
        "/status",
        "/credits",
        "/new",
    ]
    assert len(fake_nemo.requests_to("/api/auth/anonymous-token")) == 1
    assert len(fake_nemo.sessions) == 1


async def test_first_contact_in_chinese_greets_in_chinese_and_asks_for_a_chinese_project(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    chat = Chat(
        engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)), user_id="li", locale="zh-CN"
    )
    answers = await chat.send("/start")
    assert chat.reply.ops[0].text == "⏳ 正在准备…"
    assert "试着说" in answers[0] and "30 秒" in answers[0]
    session = next(iter(fake_nemo.sessions.values()))
    assert session.language == "zh-CN"  # the backend gets its own code
    rec = await engine.services.store.users.get("telegram:li")
    assert rec.language == "zh-CN"


async def test_returning_user_gets_the_greeting_without_setting_up_again(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await chat.send("/start")
    answers = await chat.send("/start")
    assert len(answers) == 1 and "Try saying" in answers[0]
    assert "Setting things up" not in "".join(o.text or "" for o in chat.reply.ops[2:])
    assert len(fake_nemo.sessions) == 1


async def test_help_needs_no_backend(chat: Chat, fake_nemo: FakeNemo) -> None:
    answers = await chat.send("/help")
    assert len(answers) == 1 and "Try saying" in answers[0]
    assert fake_nemo.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "I didn't get any text or files"),
        ("/frobnicate", "I don't know /frobnicate"),
        ("/token", "send /token followed by your token"),
        ("/upload", "Send me photos, clips or audio"),
        ("/cancel", "Nothing to cancel"),
    ],
)
async def test_short_answers_are_one_friendly_line(
    chat: Chat, fake_nemo: FakeNemo, text: str, expected: str
) -> None:
    answers = await chat.send(text)
    assert len(answers) == 1
    assert expected in answers[0]
    assert "Traceback" not in answers[0]
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_unknown_command_lists_the_commands(chat: Chat) -> None:
    (answer,) = await chat.send("/frobnicate now")
    for command in ("/start", "/help", "/new", "/credits", "/status", "/export", "/cancel"):
        assert command in answer


@pytest.mark.parametrize("text", ["/credits", "credits", "余额"])
async def test_credits_are_read_from_the_backend(chat: Chat, fake_nemo: FakeNemo, text: str) -> None:
    await chat.send("/start")
    fake_nemo.set_credits(next(iter(fake_nemo.sessions.values())).user_id, 42, 3, 45)
    (answer,) = await chat.send(text)
    assert "42" in answer and "45" in answer
    assert answer.startswith("💳")


async def test_status_without_a_draft_gives_a_hint_and_with_one_the_summary(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await chat.send("/start")
    (hint,) = await chat.send("/status")
    assert "No video yet" in hint
    await chat.send("make a video about spring flowers")
    (summary,) = await chat.send("status")
    assert summary.startswith("📊 Timeline (")
    assert "make a video about" in summary  # the title the fake backend gave it


async def test_new_project_starts_a_new_session(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start")
    (answer,) = await chat.send("/new")
    assert "Fresh project started" in answer
    assert len(fake_nemo.sessions) == 2
    assert "expired" not in answer


async def test_export_without_a_draft_is_refused_kindly(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start")
    (answer,) = await chat.send("/export")
    assert "nothing to export yet" in answer
    assert fake_nemo.requests_to("/api/render/*") == []


async def test_a_repeated_platform_update_is_handled_once(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start", update_id="u-1")
    before = len(chat.reply.ops)
    assert await chat.send("/start", update_id="u-1") == []
    assert len(chat.reply.ops) == before


async def test_own_token_is_saved_encrypted_and_never_echoed(
    chat: Chat, engine: Engine, fake_nemo: FakeNemo
) -> None:
    token = "nmv_usr_" + "A" * 40
    fake_nemo.add_token(token, "usr_alice")
    (answer,) = await chat.send(f"/token {token}")
    assert answer.startswith("🔑 Token saved")
    assert token not in chat.all_text()
    raw = await engine.services.store.redis.hgetall("vb:u:telegram:alice")
    assert all(token.encode() not in v for v in raw.values())
    (credits,) = [a for a in await chat.send("/credits") if a.startswith("💳")]
    assert fake_nemo.requests_to("/api/credits/*")[-1].headers["authorization"] == f"Bearer {token}"
    assert credits


@pytest.mark.parametrize(
    ("platform", "extras"),
    [
        ("telegram", ["an album arrives as one message"]),
        ("discord", ["/video prompt:", "/upload file:"]),
        ("console", ["/attach PATH", "Ctrl-D"]),
    ],
)
async def test_help_lists_every_command_and_what_the_channel_adds(
    engine: Engine, fake_nemo: FakeNemo, platform: Platform, extras: list[str]
) -> None:
    chat = Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)), platform=platform)
    (answer,) = await chat.send("/help")
    assert "Try saying" in answer
    commands = ("/new", "/status", "/preview", "/credits", "/export", "/cancel", "/token", "/start", "/help")
    for command in commands:
        assert f"{command} — " in answer, command
    for extra in extras:
        assert extra in answer
    assert fake_nemo.requests == []
