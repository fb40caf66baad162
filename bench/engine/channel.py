"""The bench's chat: a `bot.channel.events.Reply` that records the wall time and text of every operation.

One `BenchChat` per simulated user. It behaves like a Telegram private chat: 4096 characters a
message, one edit a second (`ChannelLimits.edit_interval`), "not modified" for an edit to the same
text, a gone message for an unknown id. Each call takes `latency` seconds (the platform's round
trip), so the streaming layer has operations in flight as it would with a real platform. The limit
on edits is not enforced here: it is measured afterwards (`bench.engine.report`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Literal

from bot.channel.events import (
    Activity,
    Button,
    ChannelLimits,
    DeliveryError,
    MessageGone,
    MessageRef,
    NotModified,
    VideoFile,
)

OpKind = Literal["send", "edit", "delete", "video", "activity"]

TELEGRAM_PRIVATE = ChannelLimits(max_text=4096, edit_interval=1.0)


@dataclass(frozen=True)
class ChatOp:
    """One call the engine made: when it was made and when it returned (unix seconds)."""

    kind: OpKind
    started: float
    ended: float
    message: str | None
    text: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BenchChat:
    """Implements the `Reply` protocol for one user's chat; `ops` is everything it was asked."""

    chat_id: str
    limits: ChannelLimits = TELEGRAM_PRIVATE
    latency: float = 0.0
    ops: list[ChatOp] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # message id → text shown now

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)

    async def _call(self) -> float:
        started = time.time()
        if self.latency:
            await asyncio.sleep(self.latency)
        return started

    def _done(self, kind: OpKind, started: float, message: str | None, text: str | None,
              error: BaseException | None = None) -> None:
        self.ops.append(ChatOp(kind, started, time.time(), message, text,
                               type(error).__name__ if error is not None else None))
        if error is not None:
            raise error

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        started = await self._call()
        if len(text) > self.limits.max_text or not text.strip():
            self._done("send", started, None, text, DeliveryError(f"text length {len(text)} refused"))
        msg_id = f"{self.chat_id}:{next(self._ids)}"
        self.texts[msg_id] = text
        self._done("send", started, msg_id, text)
        return MessageRef(id=msg_id, chat_id=self.chat_id)

    async def edit_text(
        self,
        ref: MessageRef,
        text: str,
        *,
        buttons: list[Button] | None = None,
        formatted: bool = False,
    ) -> MessageRef:
        started = await self._call()
        error: DeliveryError | None = None
        if ref.id not in self.texts:
            error = MessageGone()
        elif len(text) > self.limits.max_text or not text.strip():
            error = DeliveryError(f"text length {len(text)} refused")
        elif self.texts[ref.id] == text and not buttons:
            error = NotModified()
        if error is None:
            self.texts[ref.id] = text
        self._done("edit", started, ref.id, text, error)
        return ref

    async def delete(self, ref: MessageRef) -> None:
        started = await self._call()
        error = None if self.texts.pop(ref.id, None) is not None else MessageGone()
        self._done("delete", started, ref.id, None, error)

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        started = await self._call()
        msg_id = f"{self.chat_id}:{next(self._ids)}"
        self.texts[msg_id] = caption
        self._done("video", started, msg_id, caption)
        return MessageRef(id=msg_id, chat_id=self.chat_id)

    async def send_document(
        self, filename: str, data: bytes, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        raise DeliveryError("the bench chat takes no documents")

    async def show_activity(self, activity: Activity) -> None:
        self.ops.append(ChatOp("activity", time.time(), time.time(), None, activity))

    def text_ops(self, since: int = 0) -> list[ChatOp]:
        """Successful sends and edits from `ops[since:]` on, in the order they returned."""
        return [o for o in self.ops[since:] if o.ok and o.kind in ("send", "edit")]
