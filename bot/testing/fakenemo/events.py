"""SSE building blocks for scripted turns: ADK-form and flat-form events, heartbeats, framing.

Every helper returns the raw bytes of one SSE event (ending with the blank line), ready to put in
`FakeNemo.script_turn([...])`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any


def sse(payload: Any, *, crlf: bool = False, event: str | None = None) -> bytes:
    """Frame one JSON payload (or a raw string) as an SSE event."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    nl = "\r\n" if crlf else "\n"
    head = f"event: {event}{nl}" if event else ""
    lines = "".join(f"data: {line}{nl}" for line in data.split("\n"))
    return (head + lines + nl).encode()


def adk_event(
    parts: list[dict[str, Any]],
    *,
    partial: bool = False,
    author: str = "nemo_agent",
    role: str = "model",
    **extra: Any,
) -> dict[str, Any]:
    """The ADK form of an event (camelCase keys, null fields omitted)."""
    out: dict[str, Any] = {
        "content": {"role": role, "parts": parts},
        "author": author,
        "invocationId": "e-" + uuid.uuid4().hex[:12],
        "id": uuid.uuid4().hex[:8],
        "timestamp": time.time(),
    }
    if partial:
        out["partial"] = True
    out.update(extra)
    return out


def adk_text(text: str, *, partial: bool = False, crlf: bool = False) -> bytes:
    return sse(adk_event([{"text": text}], partial=partial), crlf=crlf)


def adk_thought(text: str) -> bytes:
    return sse(adk_event([{"text": text, "thought": True}]))


def adk_call(name: str, args: dict[str, Any] | None = None) -> bytes:
    call = {"id": "adk-" + uuid.uuid4().hex[:8], "name": name, "args": args or {}}
    return sse(adk_event([{"functionCall": call}]))


def adk_result(name: str, response: dict[str, Any] | None = None) -> bytes:
    res = {"id": "adk-" + uuid.uuid4().hex[:8], "name": name, "response": response or {"ok": True}}
    return sse(adk_event([{"functionResponse": res}], role="user"))


def adk_error(code: str, message: str) -> bytes:
    return sse(adk_event([], errorCode=code, errorMessage=message))


def flat_text(text: str) -> bytes:
    return sse({"type": "text", "content": text})


def flat_call(name: str, args: dict[str, Any] | None = None) -> bytes:
    return sse({"type": "tool_call", "name": name, "args": args or {}})


def flat_result(name: str, result: Any = None) -> bytes:
    return sse({"type": "tool_result", "name": name, "result": result if result is not None else "ok"})


HEARTBEAT_COMMENT = b": heartbeat\n\n"
HEARTBEAT_EVENT = b"event: heartbeat\ndata: {}\n\n"
HEARTBEAT_JSON = b'data: {"type":"heartbeat"}\n\n'


def default_turn(reply: str, *, pause: float = 0.01) -> list[bytes | float]:
    """A normal text turn: two heartbeats, the reply as partial deltas, the whole reply, a tool call
    and its result."""
    words = reply.split(" ")
    step = max(1, len(words) // 3)
    deltas = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
    chunks: list[bytes | float] = [HEARTBEAT_COMMENT, pause, HEARTBEAT_EVENT, pause]
    for i, delta in enumerate(deltas):
        chunks += [adk_text(delta if i == 0 else " " + delta, partial=True), pause]
    chunks += [adk_text(reply), adk_call("update_draft", {"reason": "user request"})]
    chunks += [adk_result("update_draft")]
    return chunks


def silent_turn(*, pause: float = 0.01) -> list[bytes | float]:
    """A turn with tool events only, no text (about 30% of edit turns in the cloud)."""
    return [HEARTBEAT_COMMENT, pause, adk_call("edit_draft", {"op": "edit"}), pause, adk_result("edit_draft")]
