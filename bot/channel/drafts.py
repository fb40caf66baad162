"""Native draft streaming: a growing answer as the chat's animated draft, the final text as messages.

Where a channel declares `ChannelLimits.supports_drafts` (Telegram private chats: sendMessageDraft,
Bot API 9.3+), `DraftStream` shows the text while it grows with `Reply.send_draft` instead of posting
a message and editing it:

    opened                    the placeholder ("💭 Thinking…") as the draft while the backend is silent
    update(text) / status()   the draft follows the text, at most once per `interval`
    nothing new for a while   the same draft again every `keepalive` seconds (a draft lasts ~30 s)
    finish(text)              the final text sent as real messages (split, buttons, formatting:
                              `StreamingMessage.finish`); the draft is replaced by it
    close()                   stop (a cancelled turn); the draft fades by itself

`DraftsRefused` from the Reply (the method is unknown to the Bot API server, or refused in this
chat) switches this stream to the edit-based `StreamingMessage` at once, with the current text; any
other failure of a draft does the same for this stream only. `RetryLater` holds drafts for that long.
A stream on a channel without drafts is the plain `StreamingMessage` (`open_stream`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable

from bot.channel.errors import DraftsRefused, RetryLater
from bot.channel.events import Reply
from bot.channel.streaming import StreamingMessage, split_text

log = logging.getLogger(__name__)

__all__ = ["DRAFT_KEEPALIVE", "DraftStream", "open_stream"]

DRAFT_KEEPALIVE = 20.0  # seconds: a draft is a ~30-second preview, shown again before it fades


def open_stream(
    reply: Reply,
    *,
    transform: Callable[[str], str] | None = None,
    placeholder: str | None = None,
) -> StreamingMessage:
    """The stream for one answer on `reply`: native drafts where the channel has them (every
    `limits.draft_interval` seconds), else edits."""
    if reply.limits.supports_drafts:
        return DraftStream(reply, transform=transform, placeholder=placeholder)
    return StreamingMessage(reply, transform=transform)


class DraftStream(StreamingMessage):
    """A `StreamingMessage` whose mid-stream text goes to `Reply.send_draft` (see the module doc)."""

    def __init__(
        self,
        reply: Reply,
        *,
        placeholder: str | None = None,
        interval: float | None = None,
        keepalive: float = DRAFT_KEEPALIVE,
        clock: Callable[[], float] = time.monotonic,
        transform: Callable[[str], str] | None = None,
        draft_id: int | None = None,
    ) -> None:
        super().__init__(reply, clock=clock, transform=transform)  # edits (after a refusal): edit_interval
        self._draft_interval = reply.limits.draft_interval if interval is None else max(0.0, interval)
        self._drafting = True
        self._placeholder = placeholder
        self._keepalive = keepalive
        self.draft_id = draft_id or secrets.randbelow(2**31 - 2) + 1  # non-zero: Telegram's rule
        self._draft_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._draft_shown: str | None = None
        self._draft_at = float("-inf")
        self._draft_hold = float("-inf")
        self.drafts_sent = 0
        if placeholder:
            self._kick()  # the placeholder shows at once, while the backend is still silent

    @property
    def drafting(self) -> bool:
        """Still streaming as drafts (False after a refusal: edits from then on)."""
        return self._drafting

    # --- the draft pump (StreamingMessage's update/status call _kick) ------------------------

    def _kick(self) -> None:
        if not self._drafting:
            super()._kick()
            return
        self._wake.set()
        if self._draft_task is None or self._draft_task.done():
            self._draft_task = asyncio.get_running_loop().create_task(self._draft_pump())

    async def _stop_pump(self) -> None:
        self._closing.set()
        self._wake.set()
        if self._draft_task is not None:
            with contextlib.suppress(Exception):
                await self._draft_task
        await super()._stop_pump()

    def _draft_text(self) -> str:
        """What the draft shows now: the text (its last part when longer than one message) with
        the status line, or the placeholder while there is none."""
        text = self.text
        if self._status:
            text = f"{text.rstrip()}\n\n{self._status}" if text.strip() else self._status
        chunks = split_text(text, self._limits.max_text)
        if chunks:
            return chunks[-1]
        return self._placeholder or ""

    async def _draft_pump(self) -> None:
        try:
            while not self._closing.is_set() and self._drafting:
                target = self._draft_text()
                now = self._clock()
                if not target:
                    due = float("inf")
                elif target == self._draft_shown:
                    due = self._draft_at + self._keepalive  # the same draft again before it fades
                else:
                    due = self._draft_at + self._draft_interval
                due = max(due, self._draft_hold)
                if due > now:
                    self._wake.clear()
                    timeout = None if due == float("inf") else due - now
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout)
                    continue  # look again: newer text, the end, or the time has come
                await self._send_draft(target)
        except Exception:  # a bug here must never take the turn down
            log.exception("draft pump stopped")
            self._fall_back()

    async def _send_draft(self, text: str) -> None:
        try:
            await self._reply.send_draft(self.draft_id, text)
        except RetryLater as exc:
            self._draft_hold = self._clock() + max(0.0, exc.seconds)
            log.info("drafts rate-limited: holding them for %.1fs", exc.seconds)
            return
        except DraftsRefused as exc:
            log.info("native drafts refused in this chat (%s); streaming with edits", exc)
            self._fall_back()
            return
        except Exception as exc:
            log.warning("draft not shown (%s); streaming with edits", type(exc).__name__)
            self._fall_back()
            return
        self.drafts_sent += 1
        self._draft_shown = text
        self._draft_at = self._clock()

    def _fall_back(self) -> None:
        """Edits from here on: the current text is posted as a message and edited as it grows."""
        if not self._drafting:
            return
        self._drafting = False
        if not self._finished:
            super()._kick()
