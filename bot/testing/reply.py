"""A recording `bot.channel.events.Reply` for tests: a chat that remembers everything the bot did.

Every operation is recorded as an `Op` with the time it finished (seconds since the reply was
made), successful or not. The chat behaves like a strict platform: editing a message to the text
and buttons it already has raises `NotModified`, editing a deleted or unknown message raises
`MessageGone`, and text longer than `limits.max_text` is refused with a `DeliveryError`.

Faults are scripted per operation kind with `fail(...)`:

    reply.fail("edit", RetryLater(0.3), call=3)       # the 3rd edit call is rate-limited
    reply.fail("edit", MessageGone())                  # the next edit finds its message gone
    reply.fail("send", DeliveryError("bad markup"), formatted=True)   # formatted sends refused
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NoReturn

from bot.channel.errors import DeliveryError, DraftsRefused, MessageGone, NotModified
from bot.channel.events import Activity, Button, ChannelLimits, ImageFile, MessageRef, VideoFile

OpKind = Literal["send", "edit", "delete", "video", "document", "image", "draft", "activity"]


@dataclass(frozen=True)
class Op:
    """One call the bot made on the chat."""

    t: float  # seconds since the reply was created, when the call returned or raised
    op: OpKind
    id: str | None  # message id (None for activity, or a send that failed)
    text: str | None = None
    buttons: tuple[Button, ...] | None = None
    formatted: bool = False
    error: str | None = None  # the exception class name when the call raised
    started: float = 0.0  # `clock()` when the call was made
    ended: float = 0.0  # `clock()` when it returned or raised

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Message:
    """A message as the user sees it now."""

    id: str
    text: str
    buttons: tuple[Button, ...] | None = None
    formatted: bool = False
    deleted: bool = False
    video: VideoFile | None = None
    document: tuple[str, bytes] | None = None  # (filename, content)
    image: ImageFile | None = None


@dataclass
class _Fault:
    op: OpKind
    exc: BaseException | Callable[[], BaseException]
    call: int | None  # the n-th call of that kind (1-based); None: the next matching calls
    times: int
    formatted: bool | None
    used: int = 0


@dataclass
class RecordingReply:
    """Implements the `Reply` protocol; inspect `ops`, `messages` and the helpers below."""

    limits: ChannelLimits = field(default_factory=ChannelLimits)
    chat_id: str = "chat"  # what the refs it hands out carry
    latency: float = 0.0  # seconds each call takes (makes in-flight operations real)
    clock: Callable[[], float] = time.monotonic
    ops: list[Op] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._start = self.clock()
        self._ids = itertools.count(1)
        self._calls: dict[str, int] = {}
        self._faults: list[_Fault] = []

    # --- scripting ----------------------------------------------------------------------------

    def fail(
        self,
        op: OpKind,
        exc: BaseException | Callable[[], BaseException],
        *,
        call: int | None = None,
        times: int = 1,
        formatted: bool | None = None,
    ) -> None:
        """Make calls of kind `op` raise `exc`: the `call`-th one, or the next `times` matching
        ones; `formatted` restricts it to formatted (True) or plain (False) texts."""
        self._faults.append(_Fault(op, exc, call, times, formatted))

    def _fault(self, op: OpKind, n: int, formatted: bool) -> BaseException | None:
        for fault in self._faults:
            if fault.op != op or fault.used >= fault.times:
                continue
            if fault.formatted is not None and fault.formatted != formatted:
                continue
            if fault.call is not None and fault.call != n:
                continue
            fault.used += 1
            return fault.exc() if callable(fault.exc) else fault.exc
        return None

    async def _enter(self, op: OpKind, formatted: bool = False) -> tuple[float, BaseException | None]:
        """(when the call started, the scripted fault it meets if any)."""
        started = self.clock()
        n = self._calls[op] = self._calls.get(op, 0) + 1
        if self.latency:
            await asyncio.sleep(self.latency)
        return started, self._fault(op, n, formatted)

    def _record(
        self,
        op: OpKind,
        started: float,
        msg_id: str | None,
        text: str | None = None,
        *,
        buttons: tuple[Button, ...] | None = None,
        formatted: bool = False,
        error: str | None = None,
    ) -> Op:
        ended = self.clock()
        entry = Op(round(ended - self._start, 4), op, msg_id, text, buttons, formatted, error, started, ended)
        self.ops.append(entry)
        return entry

    def _refuse(
        self,
        op: OpKind,
        started: float,
        msg_id: str | None,
        text: str | None,
        exc: BaseException,
        formatted: bool = False,
    ) -> NoReturn:
        self._record(op, started, msg_id, text, formatted=formatted, error=type(exc).__name__)
        raise exc

    # --- the Reply protocol -------------------------------------------------------------------

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        started, exc = await self._enter("send", formatted)
        if exc is None and (len(text) > self.limits.max_text or not text.strip()):
            exc = DeliveryError(f"text length {len(text)} not accepted")
        if exc is not None:
            self._refuse("send", started, None, text, exc, formatted)
        msg_id = str(next(self._ids))
        bts = tuple(buttons) if buttons else None
        self.messages[msg_id] = Message(msg_id, text, bts, formatted)
        self._record("send", started, msg_id, text, buttons=bts, formatted=formatted)
        return MessageRef(id=msg_id, chat_id=self.chat_id)

    async def edit_text(
        self, ref: MessageRef, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        started, exc = await self._enter("edit", formatted)
        msg = self.messages.get(ref.id)
        bts = tuple(buttons) if buttons else None
        if exc is None:
            if msg is None or msg.deleted:
                exc = MessageGone()
            elif len(text) > self.limits.max_text or not text.strip():
                exc = DeliveryError(f"text length {len(text)} not accepted")
            elif (msg.text, msg.buttons, msg.formatted) == (text, bts, formatted):
                exc = NotModified()
        if exc is not None:
            self._refuse("edit", started, ref.id, text, exc, formatted)
        assert msg is not None
        msg.text, msg.buttons, msg.formatted = text, bts, formatted
        self._record("edit", started, ref.id, text, buttons=bts, formatted=formatted)
        return ref

    async def delete(self, ref: MessageRef) -> None:
        started, exc = await self._enter("delete")
        msg = self.messages.get(ref.id)
        if exc is None and (msg is None or msg.deleted):
            exc = MessageGone()
        if exc is not None:
            self._refuse("delete", started, ref.id, None, exc)
        assert msg is not None
        msg.deleted = True
        self._record("delete", started, ref.id)

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        started, exc = await self._enter("video")
        cap = self.limits.max_video_bytes
        if exc is None and cap is not None and video.size > cap:
            exc = DeliveryError("video too large")
        if exc is not None:
            self._refuse("video", started, None, caption, exc)
        msg_id = str(next(self._ids))
        bts = tuple(buttons) if buttons else None
        self.messages[msg_id] = Message(msg_id, caption, bts, video=video)
        self._record("video", started, msg_id, caption, buttons=bts)
        return MessageRef(id=msg_id, chat_id=self.chat_id)

    async def send_document(
        self, filename: str, data: bytes, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        started, exc = await self._enter("document")
        if exc is None and not self.limits.supports_documents:
            exc = DeliveryError("this chat takes no documents")
        if exc is not None:
            self._refuse("document", started, None, caption, exc)
        msg_id = str(next(self._ids))
        bts = tuple(buttons) if buttons else None
        self.messages[msg_id] = Message(msg_id, caption, bts, document=(filename, data))
        self._record("document", started, msg_id, caption, buttons=bts)
        return MessageRef(id=msg_id, chat_id=self.chat_id)

    async def send_image(
        self, image: ImageFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        started, exc = await self._enter("image")
        cap = self.limits.max_image_bytes
        if exc is None and (cap is None or image.size > cap):
            exc = DeliveryError("this chat takes no pictures" if cap is None else "picture too large")
        if exc is not None:
            self._refuse("image", started, None, caption, exc)
        msg_id = str(next(self._ids))
        bts = tuple(buttons) if buttons else None
        self.messages[msg_id] = Message(msg_id, caption, bts, image=image)
        self._record("image", started, msg_id, caption, buttons=bts)
        return MessageRef(id=msg_id, chat_id=self.chat_id)

    async def send_draft(self, draft_id: int, text: str) -> None:
        """Recorded as op "draft" (`id` is the draft id); refused unless `limits.supports_drafts`."""
        started, exc = await self._enter("draft")
        if exc is None and not self.limits.supports_drafts:
            exc = DraftsRefused("this chat has no drafts")
        if exc is None and (len(text) > self.limits.max_text or not text.strip()):
            exc = DeliveryError(f"draft length {len(text)} not accepted")
        if exc is not None:
            self._refuse("draft", started, str(draft_id), text, exc)
        self._record("draft", started, str(draft_id), text)

    def images(self) -> list[Message]:
        """The pictures the user can see, oldest first."""
        return [m for m in self.visible() if m.image is not None]

    async def show_activity(self, activity: Activity) -> None:
        started, _ = await self._enter("activity")
        self._record("activity", started, None, activity)

    # --- inspection ---------------------------------------------------------------------------

    def visible(self) -> list[Message]:
        """Messages the user can see now, oldest first."""
        return [m for m in self.messages.values() if not m.deleted]

    def visible_texts(self) -> list[str]:
        return [m.text for m in self.visible()]

    def done(self, *kinds: OpKind, since: int = 0) -> list[Op]:
        """Successful operations (from `ops[since]` on), optionally of the given kinds only."""
        return [o for o in self.ops[since:] if o.ok and (not kinds or o.op in kinds)]

    def failed(self, *kinds: OpKind) -> list[Op]:
        return [o for o in self.ops if not o.ok and (not kinds or o.op in kinds)]

    def calls(self, kind: OpKind) -> int:
        """How many times the bot called `kind`, successful or not."""
        return self._calls.get(kind, 0)
