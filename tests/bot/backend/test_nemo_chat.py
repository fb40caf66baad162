"""Chat turns over real SSE from the fake server: framing variants, event forms, breaks, idle streams."""

from __future__ import annotations

import json

import pytest

from bot.backend.client import NemoClient
from bot.backend.errors import SessionNotFound, StreamBroken, TokenInvalid
from bot.backend.models import TurnEvent
from bot.backend.sse import VisibleText
from bot.testing.fakenemo import (
    BREAK,
    HEARTBEAT_COMMENT,
    HEARTBEAT_EVENT,
    HEARTBEAT_JSON,
    FakeNemo,
    adk_call,
    adk_error,
    adk_event,
    adk_result,
    adk_text,
    adk_thought,
    flat_call,
    flat_result,
    flat_text,
    sse,
)
from tests.fixtures_nemo import fast_client


@pytest.fixture
async def account(nemo_client: NemoClient) -> tuple[str, str]:
    tok = await nemo_client.anonymous_token("client-chat")
    info = await nemo_client.create_session(tok.token, "en")
    return tok.token, info.session_id


async def run_turn(client: NemoClient, account: tuple[str, str], text: str = "hello") -> list[TurnEvent]:
    return [e async for e in client.chat(account[0], account[1], text)]


def visible(events: list[TurnEvent]) -> str:
    vt = VisibleText()
    for e in events:
        vt.feed(e)
    return vt.text


async def test_default_turn_streams_partials_then_one_final_text(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    vt = VisibleText()
    seen: list[str] = []
    async for ev in nemo_client.chat(*account, "make a video of my bottle"):
        if (s := vt.feed(ev)) is not None:
            seen.append(s)
    final = "Here is your draft: make a video of my bottle"
    assert seen[-1] == final
    assert all(final.startswith(s) for s in seen)  # growing, never doubled
    assert fake_nemo.sessions[account[1]].messages == ["make a video of my bottle"]
    body = fake_nemo.requests_to("/run_sse")[-1]
    assert body.json == {"app_name": "nemo_agent", "user_id": "me", "session_id": account[1],
                         "new_message": {"parts": [{"text": "make a video of my bottle"}]}}
    assert body.headers["accept"] == "text/event-stream"


async def test_turn_event_kinds_include_heartbeats_and_tools(
    nemo_client: NemoClient, account: tuple[str, str]
) -> None:
    kinds = [e.kind for e in await run_turn(nemo_client, account)]
    assert kinds[0] == "heartbeat"
    assert kinds[-2:] == ["tool_call", "tool_result"]


async def test_every_heartbeat_form_arrives_as_a_heartbeat(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([HEARTBEAT_COMMENT, HEARTBEAT_EVENT, HEARTBEAT_JSON, b"data:\n\n",
                           b": ping\r\n\r\n", adk_text("done")])
    events = await run_turn(nemo_client, account)
    assert [e.kind for e in events] == ["heartbeat"] * 5 + ["text"]


async def test_crlf_framing_and_multi_line_data(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    multi = json.dumps(adk_event([{"text": "line one\nline two"}]), indent=1)
    fake_nemo.script_turn([adk_text("Hello ", partial=True, crlf=True), adk_text("Hello there", crlf=True),
                           sse(multi), sse(multi, crlf=True)])
    events = await run_turn(nemo_client, account)
    assert [e.text for e in events] == ["Hello ", "Hello there", "line one\nline two", "line one\nline two"]
    assert visible(events) == "Hello there\n\nline one\nline two"


async def test_events_split_across_network_reads(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    raw = adk_text("Ein Video über 视频 und mehr") + adk_call("add_bgm", {"style": "lofi"})
    pieces: list[bytes | float] = []
    for i in range(0, len(raw), 9):  # cuts through JSON, the blank line and UTF-8 characters
        pieces += [raw[i : i + 9], 0.002]
    fake_nemo.script_turn(pieces)
    events = await run_turn(nemo_client, account)
    assert events == [TurnEvent(kind="text", text="Ein Video über 视频 und mehr"),
                      TurnEvent(kind="tool_call", name="add_bgm", args={"style": "lofi"})]


async def test_flat_form_events(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([flat_call("generate", {"prompt": "x"}), flat_result("generate", {"ok": True}),
                           flat_text("All set.")])
    events = await run_turn(nemo_client, account)
    assert [(e.kind, e.name) for e in events] == [("tool_call", "generate"), ("tool_result", "generate"),
                                                  ("text", None)]
    assert visible(events) == "All set."


async def test_thoughts_are_hidden_from_the_visible_text(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([adk_thought("let me plan the edit"), adk_text("Title added.")])
    assert visible(await run_turn(nemo_client, account)) == "Title added."


@pytest.mark.parametrize(
    ("chunk", "text"),
    [
        (sse({"error": "Agent crashed"}), "Agent crashed"),
        (adk_error("INTERNAL", "model overloaded"), "model overloaded"),
        (sse(adk_event([{"text": "Error: tool failed"}], author="system")), "tool failed"),
        (sse({"type": "error", "message": "bad"}), "bad"),
    ],
)
async def test_error_events_arrive_as_error_kind(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], chunk: bytes, text: str
) -> None:
    fake_nemo.script_turn([adk_text("Working on it."), chunk])
    events = await run_turn(nemo_client, account)
    assert events[-1] == TurnEvent(kind="error", text=text)
    assert visible(events) == "Working on it."


async def test_trailing_temporary_issue_is_not_shown(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([adk_text("Your draft is ready."),
                           adk_text("I encountered a temporary issue. Please try again later.")])
    assert visible(await run_turn(nemo_client, account)) == "Your draft is ready."


async def test_garbage_events_are_skipped_and_the_turn_goes_on(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([b"data: {not json\n\n", b"data: [1,2]\n\n", b"event: weird\ndata: 5\n\n",
                           adk_text("Fine.")])
    assert visible(await run_turn(nemo_client, account)) == "Fine."


async def test_silent_turn_has_tool_events_and_no_text_and_changes_the_draft(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    draft = {"t": [{"tt": 7, "sg": [{"st": 0, "d": 3000, "m": {"text": "Urban Dreams"}}]}]}
    fake_nemo.on_turn_set_draft(draft)
    events = await run_turn(nemo_client, account, "add a title Urban Dreams")
    assert {e.kind for e in events} == {"heartbeat", "tool_call", "tool_result"}
    assert (await nemo_client.state(*account)).draft == draft


async def test_server_closing_without_events_just_ends_the_turn(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([])
    assert await run_turn(nemo_client, account) == []


async def test_broken_stream_raises_stream_broken_after_the_events_before_it(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([adk_text("Starting", partial=True), 0.02, BREAK],
                          draft={"t": [{"tt": 0, "sg": [{"st": 0, "d": 1}]}]})
    got: list[TurnEvent] = []
    with pytest.raises(StreamBroken):
        async for ev in nemo_client.chat(*account, "generate"):
            got.append(ev)
    assert got == [TurnEvent(kind="text", text="Starting", partial=True)]
    assert len(fake_nemo.requests_to("/run_sse")) == 1  # never re-sent
    assert (await nemo_client.state(*account)).draft is not None  # the agent finished anyway


async def test_stream_silent_longer_than_the_idle_timeout_is_broken(
    fake_nemo: FakeNemo,
) -> None:
    async with fast_client(fake_nemo.url, stream_idle_timeout=0.3) as client:
        tok = await client.anonymous_token("idle")
        sid = (await client.create_session(tok.token)).session_id
        fake_nemo.script_turn([HEARTBEAT_COMMENT, 1.0, adk_text("too late")])
        kinds: list[str] = []
        with pytest.raises(StreamBroken):
            async for ev in client.chat(tok.token, sid, "x"):
                kinds.append(ev.kind)
        assert kinds == ["heartbeat"]


async def test_heartbeats_keep_a_long_turn_alive(fake_nemo: FakeNemo) -> None:
    async with fast_client(fake_nemo.url, stream_idle_timeout=0.3) as client:
        tok = await client.anonymous_token("alive")
        sid = (await client.create_session(tok.token)).session_id
        fake_nemo.script_turn([HEARTBEAT_COMMENT, 0.15] * 5 + [adk_text("finally")])
        events = [e async for e in client.chat(tok.token, sid, "x")]
    assert visible(events) == "finally"


async def test_chat_errors_before_the_stream_are_typed(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.fail_next("/run_sse", code=1001)  # HTTP 200, JSON envelope with an error code
    with pytest.raises(TokenInvalid):
        await run_turn(nemo_client, account)
    fake_nemo.fail_next("/run_sse", status=404, body={"detail": "Session not found"})
    with pytest.raises(SessionNotFound):
        await run_turn(nemo_client, account)


async def test_consumer_stopping_early_closes_the_stream(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([adk_text("one"), 0.05, adk_text("two"), 5.0, adk_text("never")])
    stream = nemo_client.chat(*account, "x")
    first = await anext(stream)
    await stream.aclose()
    assert first.text == "one"
    assert (await nemo_client.credits(account[0])).available == 100  # the client is still usable


async def test_adk_result_helper_round_trip(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.script_turn([adk_result("render", {"status": "ok"})])
    assert await run_turn(nemo_client, account) == [
        TurnEvent(kind="tool_result", name="render", args={"status": "ok"})
    ]
