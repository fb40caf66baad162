"""Chat turns: streaming edits, GUI translation, silent turns, broken and slow streams, the
long-prompt tip, and the backend's recovery codes as the user sees them."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.testing.fakenemo import BREAK, HEARTBEAT_COMMENT, FakeNemo, adk_call, adk_result, adk_text
from tests.fixtures_engine import Chat, until

DRAFT: dict[str, Any] = {
    "d": 6000,
    "m": {"title": "Aurora", "width": 1080, "height": 1920, "aspect": "9:16"},
    "t": [
        {
            "tt": 0,
            "sg": [
                {"id": "v1", "st": 0, "d": 3000, "m": {"kind": "image", "name": "front.jpg"}},
                {"id": "v2", "st": 3000, "d": 3000, "m": {"kind": "image", "name": "side.jpg"}},
            ],
        }
    ],
}


def with_title(draft: dict[str, Any], title: str) -> dict[str, Any]:
    out = copy.deepcopy(draft)
    out["t"].append(
        {
            "tt": 7,
            "sg": [{"id": "x1", "st": 0, "d": 3000, "m": {"text": title, "role": "title", "pos": "center"}}],
        }
    )
    return out


async def _ready(chat: Chat, fake_nemo: FakeNemo, draft: dict[str, Any] | None = None) -> str:
    await chat.send("/start")
    sid = next(iter(fake_nemo.sessions))
    if draft is not None:
        fake_nemo.set_draft(sid, draft)
    return sid


async def test_reply_streams_as_edits_of_one_message_with_buttons(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.reply = "Here is a bright thirty second promo with your three photos and upbeat music"
    fake_nemo.turn_pause = 0.05
    answers = await chat.send("make a promo")
    assert answers == ["Here is a bright thirty second promo with your three photos and upbeat music"]
    msg_id = chat.reply.visible()[-1].id
    texts = [o.text or "" for o in chat.reply.ops if o.id == msg_id and o.ok]
    assert len(texts) >= 2 and texts[0] != texts[-1]  # sent, then edited as the text grew
    assert all(texts[-1].startswith(t) for t in texts)
    assert [b.action for b in chat.reply.messages[msg_id].buttons or ()] == [
        "/export",
        "/status",
        "/credits",
        "/new",
    ]
    assert any(o.op == "activity" and o.text == "typing" for o in chat.reply.ops)
    assert fake_nemo.messages == ["make a promo"]


async def test_gui_wording_becomes_an_export_offer(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.script_turn([adk_text("Your video is ready. Click the Export button to download it.")])
    (answer,) = await chat.send("looks good?")
    assert "Your video is ready." in answer
    assert "Press Export" in answer


async def test_silent_turn_reports_the_change_from_the_state(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.on_turn_set_draft(with_title(DRAFT, "Urban Dreams"))
    answers = await chat.send("add a title Urban Dreams")
    assert len(answers) == 1
    assert "Urban Dreams" in answers[0] and answers[0].startswith("✅")


async def test_silent_turn_without_a_change_says_so_and_offers_to_try_again(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.script_turn([HEARTBEAT_COMMENT, adk_call("noop"), adk_result("noop")])
    (answer,) = await chat.send("do something")
    assert "nothing in your project changed" in answer and "try again" in answer


async def test_broken_stream_is_never_resent_and_the_change_is_reported(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.script_turn(
        [adk_text("Adding a title", partial=True), 0.05, BREAK], draft=with_title(DRAFT, "Urban Dreams")
    )
    answers = await chat.send("add a title Urban Dreams")
    assert fake_nemo.messages == ["add a title Urban Dreams"]
    assert "Urban Dreams" in answers[-1]
    assert "didn't go through" not in answers[-1]


async def test_broken_stream_with_five_unchanged_polls_is_reported_as_failed(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.script_turn([HEARTBEAT_COMMENT, BREAK])
    state_before = len(fake_nemo.requests_to("/api/state/*"))
    answers = await chat.send("add music")
    assert "didn't go through" in answers[-1] and "try again" in answers[-1]
    polls = len(fake_nemo.requests_to("/api/state/*")) - state_before
    assert polls == 1 + 5  # the draft before the turn, then five recovery polls
    assert fake_nemo.messages == ["add music"]


async def test_still_working_is_shown_while_only_heartbeats_arrive(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    beats: list[Any] = []
    for _ in range(10):
        beats += [HEARTBEAT_COMMENT, 0.1]
    fake_nemo.script_turn([*beats, adk_text("Done: music added.")])
    answers = await chat.send("add music")
    assert answers == ["Done: music added."]
    assert any(o.text and "⏳ Still working..." in o.text for o in chat.reply.ops)


async def test_a_turn_with_heartbeats_only_for_too_long_falls_back_to_polling(
    engine_factory: Any, fake_nemo: FakeNemo
) -> None:
    from bot.channel.events import ChannelLimits
    from bot.testing.reply import RecordingReply

    chat = Chat(
        engine_factory(sse_idle_timeout_seconds=0.5, still_working_seconds=0.2),
        RecordingReply(limits=ChannelLimits(edit_interval=0.02)),
    )
    await _ready(chat, fake_nemo, DRAFT)
    beats: list[Any] = []
    for _ in range(30):
        beats += [HEARTBEAT_COMMENT, 0.1]
    fake_nemo.script_turn(beats, draft=with_title(DRAFT, "Late Title"))
    started = time.monotonic()
    answers = await chat.send("add a title Late Title")
    assert time.monotonic() - started < 2.5  # did not wait for the whole 3 s stream
    assert "Late Title" in answers[-1] or "didn't go through" in answers[-1]


async def test_long_prompt_gets_a_tip_once(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo)
    long_prompt = " ".join(["a lovely summer promo with bright colours and waves"] * 9)
    answers = await chat.send(long_prompt)
    assert answers[0] == "💡 Tip: prompts under about 60 words generate faster and more accurately."
    answers = await chat.send(long_prompt)
    assert not any("Tip" in a for a in answers)
    answers = await chat.send("short one")
    assert not any("Tip" in a for a in answers)


async def test_lost_session_is_replaced_and_the_user_told(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.drop_sessions()
    answers = await chat.send("make a promo")
    assert any("started a fresh one" in a for a in answers)
    assert answers[-1].startswith("Here is your draft: make a promo")


async def test_expired_anonymous_token_is_renewed_without_bothering_the_user(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.expire_tokens()
    (answer,) = await chat.send("/credits")
    assert answer.startswith("💳 Credits: 100")
    assert len(fake_nemo.requests_to("/api/auth/anonymous-token")) == 2
    ids = {r.headers["x-client-id"] for r in fake_nemo.requests_to("/api/auth/anonymous-token")}
    assert len(ids) == 1  # the same client id


async def test_refused_operator_token_is_explained(engine_factory: Any, fake_nemo: FakeNemo) -> None:
    from bot.testing.reply import RecordingReply

    chat = Chat(engine_factory(nemo_token="nmv_usr_" + "Z" * 40), RecordingReply())
    answers = await chat.send("/credits")
    assert "refused this bot's access token" in answers[-1]
    assert "Z" * 40 not in chat.all_text()


async def test_out_of_credits_offers_registration_bound_to_the_anonymous_user(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.fail_next("/run_sse", code=2001)
    answers = await chat.send("make a promo")
    user_id = next(iter(fake_nemo.sessions.values())).user_id
    assert answers[-1].endswith(f"https://web.example/register?bind={user_id}")
    assert "out of credits" in answers[-1]


async def test_rate_limit_is_waited_out_once(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.fail_next("/api/credits/*", status=429, body={"code": 429}, headers={"Retry-After": "0.2"})
    started = time.monotonic()
    (answer,) = await chat.send("/credits")
    assert time.monotonic() - started >= 0.2
    assert answer.startswith("💳")


async def test_backend_down_is_one_friendly_line(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.fail_next("/api/credits/*", status=503, times=10)
    (answer,) = await chat.send("/credits")
    assert answer == "🛠 The video studio isn't answering right now — please try again in a few minutes."


async def test_cancel_during_a_turn_stops_waiting_at_once_without_resending(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    import asyncio

    await _ready(chat, fake_nemo, DRAFT)
    beats: list[Any] = []
    for _ in range(20):
        beats += [HEARTBEAT_COMMENT, 0.1]
    fake_nemo.script_turn([*beats, adk_text("All done.")])
    turn = asyncio.create_task(chat.send("make it longer"))
    await until(lambda: fake_nemo.messages)
    started = time.monotonic()
    (answer,) = await Chat(chat.engine, chat.reply).send("/cancel")
    await asyncio.wait_for(turn, 1)
    assert time.monotonic() - started < 1
    assert answer.startswith("🛑 Stopped waiting") and "nothing paid is cancelled" in answer
    assert fake_nemo.messages == ["make it longer"]


async def test_a_refused_own_token_is_not_saved(chat: Chat, engine: Any, fake_nemo: FakeNemo) -> None:
    (answer,) = await chat.send("/token nmv_usr_" + "B" * 40)
    assert answer.startswith("🔑 The backend refused your token")
    rec = await engine.services.store.users.get("telegram:alice")
    assert rec.token is None and not rec.own_token


async def test_operator_token_serves_everyone_with_a_session_each(
    engine_factory: Any, fake_nemo: FakeNemo
) -> None:
    from bot.testing.reply import RecordingReply

    operator = "nmv_usr_" + "O" * 40
    fake_nemo.add_token(operator, "usr_operator")
    engine = engine_factory(nemo_token=operator)
    for user in ("ann", "ben"):
        answers = await Chat(engine, RecordingReply(), user_id=user).send("/credits")
        assert answers[-1].startswith("💳")
    assert fake_nemo.requests_to("/api/auth/anonymous-token") == []
    assert len(fake_nemo.sessions) == 2
    assert {r.headers["authorization"] for r in fake_nemo.requests_to("/api/credits/*")} == {
        f"Bearer {operator}"
    }


async def test_long_chinese_prompt_tip_speaks_of_characters(chat: Chat, fake_nemo: FakeNemo) -> None:
    chat.locale = "zh"
    await chat.send("/start")
    answers = await chat.send("做一个关于我们家面包店七十年历史的温馨视频，" * 6)
    assert answers[0] == "💡 小提示：描述控制在 120 字以内，生成得更快、更准确。"


async def test_chinese_prompt_words_are_counted_for_the_tip() -> None:
    from bot.engine.flows.chat import prompt_words

    assert prompt_words("make a lovely promo") == 4
    assert prompt_words("做一个三十秒的宣传视频") == 6
    assert prompt_words("") == 0


async def test_open_the_panel_becomes_the_timeline_summary(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.script_turn([adk_text("Done! Open the timeline panel to review it.")])
    (answer,) = await chat.send("shorten the shots")
    assert answer.startswith("Done!")
    assert "panel" not in answer
    assert "📊 Timeline (1 track" in answer


async def test_a_reply_that_is_only_gui_wording_still_answers(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo, DRAFT)
    fake_nemo.script_turn([adk_text("You can drag the title to the end.")])
    (answer,) = await chat.send("where is the title?")
    assert "No dragging needed" in answer


async def test_the_global_cap_answers_busy(engine_factory: Any, fake_nemo: FakeNemo) -> None:
    import asyncio

    from bot.channel.events import ChannelLimits
    from bot.testing.reply import RecordingReply

    engine = engine_factory(max_concurrent_turns=1)
    ann = Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)), user_id="ann")
    await _ready(ann, fake_nemo, DRAFT)
    fake_nemo.script_turn([HEARTBEAT_COMMENT, 0.5, adk_text("ok")])
    slow = asyncio.create_task(ann.send("take your time"))
    await until(lambda: fake_nemo.messages)
    answers = await Chat(engine, RecordingReply(), user_id="ben").send("/credits")
    await slow
    assert answers == ["😅 I'm very busy right now — please try again in a minute."]


async def test_music_and_title_added_by_the_backend_after_the_turn_are_reported(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    sid = await _ready(chat, fake_nemo)
    await chat.send("make a promo")  # the raw video: the fake sets a draft
    raw = fake_nemo.draft(sid)
    assert raw is not None
    with_music = copy.deepcopy(raw)
    with_music["t"].append(
        {"tt": 1, "sg": [{"id": "a1", "st": 0, "d": 3000, "m": {"name": "Lo-fi", "vol": 0.35}}]}
    )
    fake_nemo.set_draft(sid, with_music)  # stage two, on the backend's own
    await until(lambda: any("Lo-fi" in t for t in chat.reply.visible_texts()))
    reported = [t for t in chat.reply.visible_texts() if "Lo-fi" in t]
    assert len(reported) == 1 and "Music added" in reported[0]


async def test_the_next_turn_stops_the_follow_up_watch(chat: Chat, fake_nemo: FakeNemo) -> None:
    sid = await _ready(chat, fake_nemo)
    await chat.send("make a promo")
    await chat.send("/help")  # a new turn: the watch ends
    state_calls = len(fake_nemo.requests_to("/api/state/*"))
    fake_nemo.set_draft(sid, with_title(DRAFT, "Too Late"))
    import asyncio

    await asyncio.sleep(0.4)
    assert len(fake_nemo.requests_to("/api/state/*")) == state_calls
    assert not any("Too Late" in t for t in chat.reply.visible_texts())


async def test_cancel_received_by_another_bot_process_stops_the_turn_where_it_runs(
    engine_factory: Any, fake_nemo: FakeNemo
) -> None:
    import asyncio

    from bot.channel.events import ChannelLimits
    from bot.testing.reply import RecordingReply

    first, second = engine_factory(), engine_factory()  # two bot processes on one Redis
    chat = Chat(first, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
    await _ready(chat, fake_nemo, DRAFT)
    beats: list[Any] = []
    for _ in range(30):
        beats += [HEARTBEAT_COMMENT, 0.1]
    fake_nemo.script_turn([*beats, adk_text("All done.")])
    turn = asyncio.create_task(chat.send("make it longer"))
    await until(lambda: fake_nemo.messages)
    await until(lambda: first.cancels.listening.is_set())
    elsewhere = Chat(second, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
    started = time.monotonic()
    (answer,) = await elsewhere.send("/cancel")
    await asyncio.wait_for(turn, 2)
    assert time.monotonic() - started < 2  # the turn did not run its 3 s out
    assert answer.startswith("🛑 Stopped waiting")
    assert fake_nemo.messages == ["make it longer"]  # nothing re-sent
    assert "All done." not in chat.all_text()
