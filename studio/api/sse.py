"""Server-sent events in the ADK form the NemoVideo cloud speaks.

Each event is one `data: <json>` line and a blank line; JSON keys camelCase, null fields left
out. While work runs with nothing to say, a `: keep-alive` comment goes out every
`keepalive_seconds` (15 by default) so proxies and clients know the turn is alive. The end of
the turn is the end of the stream.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

KEEPALIVE = b": keep-alive\n\n"
AUTHOR = "nemo_agent"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def frame(event: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


def split_deltas(text: str, pieces: int = 3) -> list[str]:
    """The reply cut at word boundaries into a few growing-text deltas."""
    words = text.split(" ")
    if len(words) < pieces:
        return [text] if text else []
    size = -(-len(words) // pieces)
    chunks = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [c + (" " if i < len(chunks) - 1 else "") for i, c in enumerate(chunks)]


class AdkEvents:
    """Builds the events of one invocation (one chat turn)."""

    def __init__(self) -> None:
        self.invocation_id = "e-" + secrets.token_hex(8)

    def _event(self, role: str | None, parts: list[dict[str, Any]] | None, **extra: Any) -> dict[str, Any]:
        event: dict[str, Any] = {}
        if parts is not None:
            event["content"] = {"role": role, "parts": parts}
        event |= {
            "author": AUTHOR,
            "invocationId": self.invocation_id,
            "id": secrets.token_hex(8),
            "timestamp": round(time.time(), 3),
        }
        event |= {k: v for k, v in extra.items() if v is not None}
        return event

    def function_call(self, call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
        return self._event("model", [{"functionCall": {"id": call_id, "name": name, "args": args}}])

    def function_response(self, call_id: str, name: str, response: dict[str, Any]) -> dict[str, Any]:
        part = {"functionResponse": {"id": call_id, "name": name, "response": response}}
        return self._event("user", [part])

    def text(self, text: str, *, partial: bool) -> dict[str, Any]:
        return self._event("model", [{"text": text}], partial=True if partial else None)

    def error(self, code: str, message: str) -> dict[str, Any]:
        return self._event(None, None, errorCode=code, errorMessage=message)


async def keepalive_while(task: asyncio.Future[Any], interval: float) -> AsyncIterator[bytes]:
    """Yield a keep-alive comment every `interval` seconds until `task` is done."""
    while not task.done():
        done, _ = await asyncio.wait({task}, timeout=interval)
        if not done:
            yield KEEPALIVE
