"""The SSE decoder, event parsing and visible text, fed bytes directly (no network)."""

from __future__ import annotations

import json
import logging

import pytest

from bot.backend.models import TurnEvent
from bot.backend.sse import HEARTBEAT_PAYLOAD, SSEDecoder, VisibleText, parse_turn_event
from bot.testing.fakenemo import adk_call, adk_error, adk_result, adk_text, adk_thought, flat_text, sse


def decode(chunks: list[bytes]) -> list[str]:
    d = SSEDecoder()
    out: list[str] = []
    for c in chunks:
        out += d.feed(c)
    return out + d.finish()


def events_of(raw: bytes, *, split: int | None = None) -> list[TurnEvent]:
    chunks = [raw] if split is None else [raw[i : i + split] for i in range(0, len(raw), split)]
    return [ev for payload in decode(chunks) for ev in parse_turn_event(payload)]


STREAM = (
    b": hello\n\n"
    + adk_text("Bonjour, je fais une vidéo 视频", partial=True)
    + adk_text("Bonjour, je fais une vidéo 视频")
    + adk_call("add_title", {"text": "Hi"})
)


@pytest.mark.parametrize("split", [1, 2, 3, 7, 64])
def test_events_split_across_reads_decode_the_same_as_whole(split: int) -> None:
    assert events_of(STREAM, split=split) == events_of(STREAM)
    assert [e.kind for e in events_of(STREAM)] == ["heartbeat", "text", "text", "tool_call"]
    assert events_of(STREAM)[2].text.endswith("vidéo 视频")


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"])
def test_every_line_ending_is_understood(newline: bytes) -> None:
    raw = STREAM.replace(b"\n", newline)
    assert events_of(raw, split=5) == events_of(STREAM)


def test_cr_at_the_end_of_a_read_waits_for_its_lf() -> None:
    d = SSEDecoder()
    assert d.feed(b'data: {"type":"text","content":"a"}\r') == []
    assert d.feed(b"\n\r") == []
    assert d.feed(b"\n") == ['{"type":"text","content":"a"}']


def test_multi_line_data_is_joined_with_newlines() -> None:
    payload = {"content": {"role": "model", "parts": [{"text": "two\nlines"}]}}
    text = json.dumps(payload, indent=2)
    raw = "".join(f"data: {line}\n" for line in text.split("\n")) + "\n"
    assert decode([raw.encode()]) == [text]
    assert events_of(raw.encode())[0].text == "two\nlines"


def test_data_without_space_and_unknown_fields() -> None:
    raw = b'id: 7\nretry: 10\nfoo: bar\ndata:{"type":"text","content":"x"}\n\n'
    assert events_of(raw) == [TurnEvent(kind="text", text="x")]


@pytest.mark.parametrize(
    "raw",
    [
        b": keep-alive\n\n",
        b"data:\n\n",
        b"data: \ndata:\n\n",
        b"event: heartbeat\ndata: {}\n\n",
        b"event: heartbeat\n\n",
        b'data: {"type":"heartbeat"}\n\n',
        b'data: {"type": "ping"}\n\n',
    ],
)
def test_every_heartbeat_form_is_one_heartbeat(raw: bytes) -> None:
    assert events_of(raw) == [TurnEvent(kind="heartbeat")]


def test_a_large_event_in_many_small_reads_is_one_event() -> None:
    raw = adk_text("x" * 200_000)
    assert [e.text for e in events_of(raw, split=1024)] == ["x" * 200_000]


def test_blank_lines_alone_produce_nothing() -> None:
    assert decode([b"\n\n\n"]) == []


def test_byte_order_mark_at_start_is_ignored() -> None:
    assert events_of(b"\xef\xbb\xbf" + flat_text("hi")) == [TurnEvent(kind="text", text="hi")]


def test_last_event_without_blank_line_is_still_delivered() -> None:
    assert events_of(b'data: {"type":"text","content":"end"}') == [TurnEvent(kind="text", text="end")]


def test_thought_parts_are_dropped_and_tool_parts_kept() -> None:
    evs = events_of(adk_thought("thinking hard") + adk_call("gen", {"a": 1}) + adk_result("gen", {"ok": 1}))
    assert [(e.kind, e.name, e.args) for e in evs] == [
        ("tool_call", "gen", {"a": 1}),
        ("tool_result", "gen", {"ok": 1}),
    ]


def test_user_role_text_is_not_shown_as_model_text() -> None:
    ev = {"content": {"role": "user", "parts": [{"text": "echo of the user"}]}, "author": "user"}
    assert parse_turn_event(json.dumps(ev)) == []


def test_several_text_parts_of_one_event_make_one_text() -> None:
    parts = [{"text": "a"}, {"text": "b", "thought": True}, {"text": "c"}]
    ev = {"content": {"role": "model", "parts": parts}}
    assert parse_turn_event(json.dumps(ev)) == [TurnEvent(kind="text", text="ac")]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "text", "content": "hello"}, TurnEvent(kind="text", text="hello")),
        ({"type": "tool_call", "name": "f", "args": {"x": 1}},
         TurnEvent(kind="tool_call", name="f", args={"x": 1})),
        ({"type": "tool_result", "name": "f", "result": "done"},
         TurnEvent(kind="tool_result", name="f", args={"result": "done"})),
        ({"type": "heartbeat"}, TurnEvent(kind="heartbeat")),
        ({"error": "quota exceeded"}, TurnEvent(kind="error", text="quota exceeded")),
        ({"error": {"message": "boom", "code": 5}}, TurnEvent(kind="error", text="boom")),
        ({"content": {"role": "model", "parts": [{"text": "Error: the agent crashed"}]}, "author": "system"},
         TurnEvent(kind="error", text="the agent crashed")),
        ({"content": {"role": "model", "parts": []}, "errorCode": "MALFORMED", "errorMessage": "bad call"},
         TurnEvent(kind="error", text="bad call")),
    ],
)
def test_flat_adk_and_error_forms(payload: dict[str, object], expected: TurnEvent) -> None:
    assert parse_turn_event(json.dumps(payload)) == [expected]


def test_adk_error_helper_form() -> None:
    expected = [TurnEvent(kind="error", text="try later")]
    assert events_of(adk_error("RESOURCE_EXHAUSTED", "try later")) == expected


@pytest.mark.parametrize("payload", ["not json", "{", "[1, 2]", '"text"', "null", '{"content": 5}',
                                     '{"type": "mystery"}', '{"content": {"parts": "x"}}'])
def test_garbage_payload_is_ignored_with_a_debug_log(payload: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.backend.sse"):
        assert parse_turn_event(payload) == []


def test_a_system_author_text_not_starting_with_error_is_plain_text() -> None:
    ev = {"content": {"role": "model", "parts": [{"text": "Note: saved"}]}, "author": "system"}
    assert parse_turn_event(json.dumps(ev)) == [TurnEvent(kind="text", text="Note: saved")]


def test_heartbeat_payload_constant_parses_as_heartbeat() -> None:
    assert parse_turn_event(HEARTBEAT_PAYLOAD) == [TurnEvent(kind="heartbeat")]


def test_sse_helper_frames_crlf() -> None:
    assert sse({"a": 1}, crlf=True) == b'data: {"a": 1}\r\n\r\n'


# --- what the user sees ---------------------------------------------------------------------------

def t(text: str, partial: bool = False) -> TurnEvent:
    return TurnEvent(kind="text", text=text, partial=partial)


def shown(events: list[TurnEvent]) -> list[str]:
    vt = VisibleText()
    return [s for s in (vt.feed(e) for e in events) if s is not None]


def test_partial_deltas_grow_and_the_final_replaces_them() -> None:
    assert shown([t("Hel", True), t("lo", True), t(" world", True), t("Hello world")]) == [
        "Hel", "Hello", "Hello world",
    ]


def test_final_that_differs_from_the_deltas_wins() -> None:
    vt = VisibleText()
    for e in [t("Draf", True), t("t", True), t("Draft ready.")]:
        vt.feed(e)
    assert vt.text == "Draft ready."


def test_identical_consecutive_texts_are_shown_once() -> None:
    assert shown([t("Done!"), t("Done!"), t("Done!", True), t("Done!")]) == ["Done!"]


def test_distinct_final_messages_are_joined_with_a_blank_line() -> None:
    vt = VisibleText()
    tool = TurnEvent(kind="tool_call", name="x")
    for e in [t("First."), tool, t("Sec", True), t("ond", True), t("Second.")]:
        vt.feed(e)
    assert vt.text == "First.\n\nSecond."


def test_trailing_temporary_issue_after_normal_text_is_dropped() -> None:
    events = [t("Your video is ready."), t("I encountered a temporary", True), t(" issue", True),
              t("I encountered a temporary issue. Please try again.")]
    assert shown(events) == ["Your video is ready."]


def test_temporary_issue_alone_is_still_shown() -> None:
    vt = VisibleText()
    vt.feed(t("I encountered a temporary issue. Please try again."))
    assert vt.text == "I encountered a temporary issue. Please try again."


def test_non_text_events_change_nothing() -> None:
    vt = VisibleText()
    assert vt.feed(TurnEvent(kind="heartbeat")) is None
    assert vt.feed(TurnEvent(kind="tool_result", name="x")) is None
    assert not vt.has_text


def test_adk_error_event_keeps_the_backend_code_for_out_of_credits() -> None:
    from bot.backend.sse import parse_turn_event

    [event] = parse_turn_event('{"errorCode": "2001", "errorMessage": "Not enough credits"}')
    assert event.kind == "error"
    assert event.code == 2001
    assert event.text == "Not enough credits"
