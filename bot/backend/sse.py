"""Reading a chat turn: SSE framing → event payloads → `TurnEvent`s → the text the user sees.

- `SSEDecoder` turns network chunks into event payload strings: CRLF/CR/LF line ends, events and
  UTF-8 characters split across reads, multi-line `data:` joined with "\n". Every heartbeat form
  (a `: comment` line, an event with only empty `data:` lines, `event: heartbeat`) comes out as
  `HEARTBEAT_PAYLOAD`, so the caller can measure idle time.
- `parse_turn_event(payload)` reads the ADK form and the older flat form (never raises).
- `VisibleText` folds text events into what the user should see.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.backend.models import TurnEvent

log = logging.getLogger(__name__)

HEARTBEAT_PAYLOAD = '{"type":"heartbeat"}'
_BOM = "\ufeff"


class SSEDecoder:
    """Incremental SSE decoder: `feed(chunk)` returns the payloads of the events completed so far."""

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[str] = []
        self._event = ""
        self._started = False

    def feed(self, chunk: bytes) -> list[str]:
        buf = self._buf + chunk if self._buf else chunk
        out: list[str] = []
        pos, n = 0, len(buf)
        while pos < n:
            lf = buf.find(b"\n", pos)
            cr = buf.find(b"\r", pos, lf if lf >= 0 else n)
            if cr >= 0:
                if cr + 1 == n:  # a CR at the end of a read: its LF may come with the next one
                    break
                end, pos_next = cr, cr + (2 if buf[cr + 1] == 0x0A else 1)
            elif lf >= 0:
                end, pos_next = lf, lf + 1
            else:
                break
            self._line(self._decode(buf[pos:end]), out)
            pos = pos_next
        self._buf = buf[pos:]
        return out

    def finish(self) -> list[str]:
        """At the end of the stream: an event not closed by a blank line is still delivered."""
        out: list[str] = []
        if self._buf:
            self._line(self._decode(self._buf.rstrip(b"\r")), out)
            self._buf = b""
        self._dispatch(out)
        return out

    def _decode(self, raw: bytes) -> str:
        text = raw.decode("utf-8", "replace")
        if not self._started:
            self._started = True
            text = text.removeprefix(_BOM)
        return text

    def _line(self, line: str, out: list[str]) -> None:
        if line == "":
            self._dispatch(out)
            return
        if line.startswith(":"):
            out.append(HEARTBEAT_PAYLOAD)  # a comment: the backend is alive
            return
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value.strip()
        # id:, retry: and unknown fields are ignored (no resume in this protocol)

    def _dispatch(self, out: list[str]) -> None:
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if event.lower() == "heartbeat":
            out.append(HEARTBEAT_PAYLOAD)
        elif data and any(part.strip() for part in data):
            out.append("\n".join(data))
        elif data:  # only empty data: lines
            out.append(HEARTBEAT_PAYLOAD)


def parse_turn_event(payload: str) -> list[TurnEvent]:
    """The events carried by one payload (ADK form, flat form, error forms). Garbage → []."""
    try:
        obj = json.loads(payload)
    except ValueError:
        log.debug("ignored a non-JSON SSE payload (%d chars)", len(payload))
        return []
    if isinstance(obj, list):
        return [ev for item in obj for ev in _parse_obj(item)]
    return _parse_obj(obj)


def _parse_obj(obj: Any) -> list[TurnEvent]:
    if not isinstance(obj, dict):
        log.debug("ignored an SSE payload that is not an object")
        return []
    try:
        if "error" in obj and obj["error"] not in (None, "", False):
            return [TurnEvent(kind="error", text=_error_text(obj["error"]))]
        kind = obj.get("type")
        if (isinstance(kind, str) and "content" not in obj) or isinstance(obj.get("content"), str):
            return _parse_flat(obj)
        return _parse_adk(obj)
    except (TypeError, ValueError, AttributeError) as exc:
        log.debug("ignored an SSE payload that could not be read: %s", type(exc).__name__)
        return []


def _error_text(err: Any) -> str:
    if isinstance(err, dict):
        return str(err.get("message") or err.get("detail") or err.get("code") or "error")
    return str(err)


def _parse_flat(obj: dict[str, Any]) -> list[TurnEvent]:
    kind = str(obj.get("type") or "text").lower()
    if kind in ("heartbeat", "ping", "keepalive", "keep-alive"):
        return [TurnEvent(kind="heartbeat")]
    if kind == "text":
        text = obj.get("content") if obj.get("content") is not None else obj.get("text")
        return [TurnEvent(kind="text", text=str(text or ""), partial=bool(obj.get("partial")))]
    if kind in ("tool_call", "function_call"):
        return [TurnEvent(kind="tool_call", name=_str(obj.get("name")), args=_dict(obj.get("args")))]
    if kind in ("tool_result", "function_response"):
        result = obj.get("result", obj.get("response"))
        return [TurnEvent(kind="tool_result", name=_str(obj.get("name")), args=_dict(result))]
    if kind == "error":
        return [TurnEvent(kind="error", text=str(obj.get("message") or obj.get("content") or "error"))]
    log.debug("ignored a flat SSE event of type %r", kind)
    return []


def _parse_adk(obj: dict[str, Any]) -> list[TurnEvent]:
    msg = obj.get("errorMessage") or obj.get("error_message") or obj.get("errorCode") or obj.get("error_code")
    if msg:
        raw_code = obj.get("errorCode", obj.get("error_code"))
        code = int(raw_code) if isinstance(raw_code, (int, str)) and str(raw_code).isdigit() else None
        return [TurnEvent(kind="error", text=str(msg), code=code)]
    content = obj.get("content")
    if not isinstance(content, dict):
        return []
    role = content.get("role")
    partial = bool(obj.get("partial"))
    texts: list[str] = []
    events: list[TurnEvent] = []
    for part in content.get("parts") or []:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("functionCall"), dict):
            call = part["functionCall"]
            events.append(
                TurnEvent(kind="tool_call", name=_str(call.get("name")), args=_dict(call.get("args")))
            )
        elif isinstance(part.get("functionResponse"), dict):
            res = part["functionResponse"]
            events.append(
                TurnEvent(kind="tool_result", name=_str(res.get("name")), args=_dict(res.get("response")))
            )
        elif isinstance(part.get("text"), str) and not part.get("thought"):
            texts.append(part["text"])
    text = "".join(texts)
    if text and obj.get("author") == "system" and text.lstrip().startswith("Error:"):
        return [TurnEvent(kind="error", text=text.strip().removeprefix("Error:").strip()), *events]
    if text and role in (None, "model", "assistant"):
        events.insert(0, TurnEvent(kind="text", text=text, partial=partial))
    return events


def _str(v: Any) -> str | None:
    return None if v is None else str(v)


def _dict(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    return v if isinstance(v, dict) else {"result": v}


TEMPORARY_ISSUE = "i encountered a temporary issue"


def _is_issue(text: str) -> bool:
    return text.strip().lower().startswith(TEMPORARY_ISSUE)


def _may_be_issue(partial: str) -> bool:
    """A growing text that is, or may still become, the temporary-issue message."""
    low = " ".join(partial.lower().split())
    return low.startswith(TEMPORARY_ISSUE) or TEMPORARY_ISSUE.startswith(low)


class VisibleText:
    """What the user sees of a turn, built from its events.

    `feed(event)` returns the whole visible text when it changed, else None. Partial events are
    deltas of one growing text; the next non-partial event holds the whole text and replaces
    them. Identical consecutive texts are shown once; distinct final messages are joined with a
    blank line; "I encountered a temporary issue…" is dropped when the turn has other text.
    """

    def __init__(self) -> None:
        self._finals: list[str] = []
        self._issue: str | None = None
        self._partial = ""
        self._shown = ""

    @property
    def text(self) -> str:
        parts = list(self._finals)
        partial = self._partial.strip()
        if partial and not (parts and _may_be_issue(partial)) and partial != (parts[-1] if parts else None):
            parts.append(partial)
        if not parts and self._issue:
            parts.append(self._issue)
        return "\n\n".join(parts)

    @property
    def has_text(self) -> bool:
        return bool(self.text)

    def feed(self, event: TurnEvent) -> str | None:
        if event.kind != "text":
            return None
        if event.partial:
            self._partial += event.text
        else:
            self._partial = ""
            self._final(event.text.strip())
        current = self.text
        if current == self._shown:
            return None
        self._shown = current
        return current

    def _final(self, text: str) -> None:
        if not text:
            return
        if _is_issue(text):
            if self._issue is None:
                self._issue = text
            return
        if self._finals and self._finals[-1] == text:
            return
        self._finals.append(text)
