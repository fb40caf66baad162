"""Throttled, splitting message editor shared by every adapter.

`StreamingMessage` turns a growing text into one post-then-edit loop on a `bot.channel.events.Reply`:
the first `update` sends a message, later ones edit it at most once per `interval` (the next edit
is scheduled only after the previous one finished), and `finish` always delivers the whole final
text, split at the channel's `max_text` into several messages when needed. Text longer than one
message while streaming spills into follow-up messages the same way.

Adapter conditions (see `bot.channel.events`): `NotModified` counts as success; `RetryLater(s)` holds all
edits for `s` seconds and then sends only the newest text; `MessageGone` sends a new message with
the current text and goes on editing that one; anything else is logged, mid-stream edits stop,
and the final text is tried once more as a new message. Mid-stream edits are plain text; only the
final may be formatted, and a formatted final the platform refuses is resent plain.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable
from typing import NamedTuple

from bot import metrics
from bot.channel.errors import DeliveryError, MessageGone, NotModified, RetryLater
from bot.channel.events import Button, MessageRef, Reply

log = logging.getLogger(__name__)

__all__ = ["StreamingMessage", "split_text"]

_FENCE = "```"
_CLOSE = "\n```"
# Borders from the best to the worst: (separator, keep the separator's first char in the chunk).
_BORDERS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("\n\n",), False),
    (("\n",), False),
    ((". ", "! ", "? ", "; ", "。", "！", "？", "；", ".\n"), True),
    ((" ", "，", "、", ","), False),
)
_MAX_RETRIES = 8  # RetryLater answers in a row before the final chunk is given up
LONG_TEXT_PREVIEW = 300  # characters of a long text shown in the message that carries it as a file
LONG_TEXT_FILENAME = "answer.txt"


def _units(text: str) -> int:
    """Length as platforms count it (UTF-16 code units: an emoji like 🎬 counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, start: int, budget: int) -> int:
    """The largest end index such that text[start:end] fits in `budget` units."""
    end = min(len(text), start + budget)
    while end > start and _units(text[start:end]) > budget:
        end -= max(1, (_units(text[start:end]) - budget + 1) // 2)
    return end


def _fences(text: str) -> list[tuple[int, int, str]]:
    """Code fences as (start of the opening line, end of the closing line, info string)."""
    spans: list[tuple[int, int, str]] = []
    pos, opened, info = 0, -1, ""
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(_FENCE):
            if opened < 0:
                words = stripped[3:].split()
                opened = pos + len(line) - len(line.lstrip())
                info = words[0][:20] if words and words[0].isalnum() else ""
            elif stripped == _FENCE:
                spans.append((opened, pos + len(line.rstrip("\r\n")), info))
                opened = -1
        pos += len(line)
    if opened >= 0:
        spans.append((opened, len(text), info))
    return spans


def _border(text: str, lo: int, hi: int) -> int | None:
    """The best border to end a chunk that starts at `lo` and may not pass `hi`, if any."""
    floor = lo + (hi - lo) // 4  # a border that leaves a tiny chunk is worth less than a lower one
    for minimum in (floor, lo):
        for separators, keep in _BORDERS:
            best = -1
            for sep in separators:
                at = text.rfind(sep, lo, hi + len(sep) - (1 if keep else 0))
                end = at + (1 if keep else 0)
                if at >= 0 and minimum < end <= hi:
                    best = max(best, end)
            if best > lo:
                return best
    return None


def _best_cut(text: str, lo: int, hi: int) -> int:
    """Where to end a chunk that starts at `lo` and may not pass `hi`: a border, else `hi`."""
    if hi >= len(text):
        return len(text)
    cut = _border(text, lo, hi)
    return hi if cut is None else cut


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` units at the best borders.

    Paragraph, then line, then sentence, then word borders; a hard cut only as the last resort.
    A ``` code fence that fits into one chunk is never split; a longer one is closed at the end
    of a chunk and reopened (with its language) at the start of the next. Whitespace at a border
    is dropped; no word is lost. Empty or blank text gives no chunks.
    """
    if limit < len(_FENCE) * 2 + 8:
        raise ValueError(f"limit too small: {limit}")
    if not text.strip():
        return []
    if _units(text) <= limit:
        return [text]
    fences = _fences(text)
    chunks: list[str] = []
    pos, prefix = 0, ""
    while pos < len(text):
        budget = limit - _units(prefix)
        hi = _fit(text, pos, budget)
        if hi >= len(text):
            chunks.append(prefix + text[pos:])
            break
        cut = _best_cut(text, pos, hi)
        fence = next((f for f in fences if f[0] < cut < f[1]), None)
        suffix = next_prefix = ""
        if fence is not None:
            start, end, info = fence
            if end <= hi:
                cut = end  # the rest of the fence fits here: end the chunk after it
            elif start > pos and text[pos:start].strip() and _units(text[start:end]) <= limit:
                cut = start  # move the whole fence to the next chunk
            elif budget - len(_CLOSE) >= 4:
                hi = _fit(text, pos, budget - len(_CLOSE))
                code_at = text.find("\n", start) + 1  # the code after the opening line
                fits = 0 < code_at < hi or 0 < code_at <= pos
                inside = _border(text, max(pos, code_at), hi) if fits else None
                if inside is not None:
                    cut = inside  # split between lines (or words) of the code
                elif start > pos and text[pos:start].strip():
                    cut = start  # start the fence afresh in the next chunk
                else:
                    cut = _best_cut(text, pos, hi)
                if cut > start:
                    info = info if len(info) + 4 <= limit // 4 else ""
                    suffix, next_prefix = _CLOSE, f"{_FENCE}{info}\n"
        piece = text[pos:cut].rstrip()
        chunks.append(prefix + piece + suffix)
        pos = cut
        if suffix:
            prefix = next_prefix
            if text.startswith("\n", pos):
                pos += 1
        else:
            prefix = ""
            while pos < len(text) and text[pos].isspace():
                pos += 1
    return [c for c in chunks if c.strip()]


def file_preview(text: str, length: int = LONG_TEXT_PREVIEW) -> str:
    """The beginning of a long text, cut at a line or word border, with "…" (and a code block it
    stops inside closed)."""
    preview = text[:length]
    cut = max(preview.rfind("\n"), preview.rfind(" "))
    preview = (preview[:cut] if cut > length // 2 else preview).rstrip() + "…"
    if preview.count(_FENCE) % 2:
        preview += "\n" + _FENCE
    return preview


class _Shown(NamedTuple):
    text: str
    buttons: tuple[Button, ...] | None
    formatted: bool


class _Result(enum.Enum):
    DONE = "done"
    RETRY = "retry"
    FAILED = "failed"


class StreamingMessage:
    """One growing bot answer on one `Reply`: throttled edits while it grows, then the whole text.

    `update(text)` takes the newest full text and returns at once; a background task brings the
    chat up to date at most once per `interval` (default `reply.limits.edit_interval`). `status`
    shows a line such as "⏳ Still working..." under the current text until new text arrives.
    `finish` delivers the final text whole and returns the messages that carry it.
    """

    def __init__(
        self,
        reply: Reply,
        *,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        transform: Callable[[str], str] | None = None,
        existing: MessageRef | None = None,
    ) -> None:
        """`existing`: a message sent earlier (by a previous bot process, e.g. a render's progress
        line) that this one continues by editing it; when it cannot be edited any more, a new
        message is sent instead."""
        self._reply = reply
        self._transform = transform  # applied to mid-stream text only when an edit is due
        self._limits = reply.limits
        self._interval = self._limits.edit_interval if interval is None else max(0.0, interval)
        self._clock = clock
        self._latest = ""
        self._status: str | None = None
        self._refs: list[MessageRef] = []
        self._shown: list[_Shown] = []
        self._last_op = float("-inf")  # when the last operation finished
        self._hold_until = float("-inf")  # RetryLater: nothing before this time
        self._task: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self._gone: set[int] = set()  # messages the platform says are gone: send anew
        self._broken = False  # an unexpected failure stopped mid-stream edits
        self._finished = False
        self._adopted = existing is not None
        if existing is not None:
            self._refs.append(existing)
            self._shown.append(_Shown("\x00", None, False))  # unknown: the first text edits it

    @property
    def refs(self) -> list[MessageRef]:
        """The messages sent so far, in order."""
        return list(self._refs)

    @property
    def text(self) -> str:
        """The newest text handed in, as the user sees it (after `transform`)."""
        return self._latest if self._transform is None else self._transform(self._latest)

    async def update(self, text: str) -> None:
        """Show `text` (the whole text so far) soon; never waits for the platform."""
        if self._finished:
            return
        if text != self._latest:
            self._latest = text
            self._status = None
        self._kick()

    async def status(self, text: str) -> None:
        """Show a status line under the current text until new text arrives."""
        if self._finished:
            return
        self._status = text
        self._kick()

    async def finish(
        self, text: str | None = None, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> list[MessageRef]:
        """Deliver the final text whole (split when needed; buttons on the last message)."""
        if self._finished:
            return self.refs
        self._finished = True
        if text is None:
            text = self.text  # the final text as the user sees it
        self._latest, self._transform = text, None
        self._status = None
        await self._stop_pump()
        if not self._limits.supports_buttons:
            buttons = None
        chunks = split_text(self._latest, self._limits.max_text)
        if len(chunks) > 1 and await self._sent_as_file(buttons):
            return self.refs
        last = len(chunks) - 1
        targets = [
            _Shown(c, tuple(buttons) if buttons and i == last else None, formatted)
            for i, c in enumerate(chunks)
        ]
        for i, target in enumerate(targets):
            await self._deliver_final(i, target)
        for ref in self._refs[len(targets) :]:  # the final text is shorter than the stream was
            with contextlib.suppress(Exception):
                await self._reply.delete(ref)
        del self._refs[len(targets) :], self._shown[len(targets) :]
        return self.refs

    async def _sent_as_file(self, buttons: list[Button] | None) -> bool:
        """On a channel that takes long texts as files (`ChannelLimits.long_text_messages`), a final
        text longer than that many messages goes out as one message with its beginning and the
        whole text attached as `answer.txt`. The streamed messages are then removed."""
        limits = self._limits
        if not limits.long_text_as_file or limits.long_text_messages is None:
            return False
        if len(self._latest) <= limits.long_text_messages * limits.max_text:
            return False
        caption = f"{file_preview(self._latest)}\n\n📄 {LONG_TEXT_FILENAME}"
        try:
            ref = await self._reply.send_document(
                LONG_TEXT_FILENAME, self._latest.encode(), caption, buttons=buttons
            )
        except Exception as exc:
            log.warning("long text not sent as a file (%s); splitting it", type(exc).__name__)
            return False
        for old in self._refs:
            with contextlib.suppress(Exception):
                await self._reply.delete(old)
        self._refs = [ref]
        self._shown = [_Shown(self._latest, tuple(buttons) if buttons else None, False)]
        return True

    async def close(self) -> None:
        """Stop without a final delivery (the turn was cancelled)."""
        self._finished = True
        await self._stop_pump()

    # --- the mid-stream pump ------------------------------------------------------------------

    def _kick(self) -> None:
        if self._broken or not self._limits.supports_edit:
            return  # no mid-stream edits: the final text goes out with finish()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._pump())

    async def _stop_pump(self) -> None:
        self._closing.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task  # returns after an in-flight operation, or at once when waiting

    def _stream_targets(self) -> list[_Shown]:
        text = self.text
        if self._status:
            text = f"{text.rstrip()}\n\n{self._status}" if text.strip() else self._status
        return [_Shown(c, None, False) for c in split_text(text, self._limits.max_text)]

    def _next_step(self, targets: list[_Shown]) -> int | None:
        for i, target in enumerate(targets):
            if i >= len(self._shown) or self._shown[i] != target:
                return i
        return None

    async def _pump(self) -> None:
        try:
            while not self._closing.is_set() and not self._broken:
                targets = self._stream_targets()
                i = self._next_step(targets)
                if i is None:
                    return
                delay = max(self._hold_until, self._last_op + self._interval) - self._clock()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._closing.wait(), delay)
                    continue  # look again: newer text may have arrived while waiting
                if await self._apply(i, targets[i]) is _Result.FAILED:
                    self._broken = True
        except Exception:  # a bug here must never take the turn down
            log.exception("streaming pump stopped")
            self._broken = True

    # --- operations ---------------------------------------------------------------------------

    async def _deliver_final(self, i: int, target: _Shown) -> None:
        for _ in range(_MAX_RETRIES):
            if i < len(self._shown) and self._shown[i] == target:
                return
            ready = self._hold_until
            if self._can_edit(i):
                ready = max(ready, self._last_op + self._interval)
            delay = ready - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            result = await self._apply(i, target)
            if result is _Result.DONE:
                return
            if result is _Result.FAILED:
                break
        else:
            log.warning("final text part %d not delivered: still rate-limited", i + 1)
            return
        # one more try as a new, plain message
        try:
            ref = await self._reply.send_text(
                target.text, buttons=list(target.buttons) if target.buttons else None
            )
        except Exception as exc:
            log.error("final text part %d not delivered: %s", i + 1, type(exc).__name__)
            return
        self._record(i, ref, target._replace(formatted=False))

    def _can_edit(self, i: int) -> bool:
        return i < len(self._refs) and i not in self._gone

    async def _call(self, i: int, target: _Shown) -> MessageRef:
        buttons = list(target.buttons) if target.buttons else None
        if self._can_edit(i):
            return await self._reply.edit_text(
                self._refs[i], target.text, buttons=buttons, formatted=target.formatted
            )
        return await self._reply.send_text(target.text, buttons=buttons, formatted=target.formatted)

    async def _apply(self, i: int, target: _Shown) -> _Result:
        """Bring message `i` to `target` with one platform call (a plain resend or a new message
        after a refused formatted text or a gone message)."""
        try:
            try:
                ref = await self._call(i, target)
            except DeliveryError as exc:
                if not target.formatted or isinstance(exc, NotModified | MessageGone | RetryLater):
                    raise
                log.info("formatted text refused (%s); sending it plain", type(exc).__name__)
                target = target._replace(formatted=False)
                ref = await self._call(i, target)
        except NotModified:
            ref = self._refs[i]
        except RetryLater as exc:
            self._last_op = self._clock()
            self._hold_until = self._last_op + max(0.0, exc.seconds)
            log.info("rate-limited: holding edits for %.1fs", exc.seconds)
            metrics.platform_429(self._limits.platform or "other")
            return _Result.RETRY
        except MessageGone:
            self._last_op = self._clock()
            if not self._can_edit(i):
                log.warning("message %d: the chat refused a new message", i + 1)
                return _Result.FAILED
            log.info("message %d gone; sending a new one", i + 1)
            self._gone.add(i)
            return await self._apply(i, target)
        except Exception as exc:
            self._last_op = self._clock()
            if i == 0 and self._adopted and self._can_edit(i):  # an old message that cannot be edited
                log.info("the earlier message cannot be edited (%s); sending a new one", type(exc).__name__)
                self._adopted = False
                self._gone.add(i)
                return await self._apply(i, target)
            log.warning("message %d: delivery failed: %s", i + 1, type(exc).__name__)
            return _Result.FAILED
        self._last_op = self._clock()
        self._record(i, ref, target)
        return _Result.DONE

    def _record(self, i: int, ref: MessageRef, shown: _Shown) -> None:
        self._gone.discard(i)
        if i < len(self._refs):
            self._refs[i], self._shown[i] = ref, shown
        else:
            self._refs.append(ref)
            self._shown.append(shown)
