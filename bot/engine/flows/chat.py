"""A chat turn: the message goes to the backend's agent once (never re-sent), the visible text
streams back as edits of one message, the GUI wording is translated into actions.

Timing rules (settings): typing renewed every 4 s; "⏳ Still working..." once per
`still_working_seconds` with nothing new (heartbeats only); after `sse_idle_timeout_seconds` of
heartbeats only or `sse_total_timeout_seconds` in all, stop waiting and poll the state instead.
A turn that ends without text is reported from the state (`recovery.report_silent`); a stream
that breaks is recovered by polling (`recovery.poll_for_change`).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import re
import time
from dataclasses import dataclass, field

from bot import metrics
from bot.backend.errors import OutOfCredits, StreamBroken
from bot.backend.sse import VisibleText
from bot.channel.drafts import open_stream
from bot.channel.streaming import StreamingMessage
from bot.draft.models import Draft
from bot.draft.translate import Action, Translation, translate
from bot.engine.flows import followup, preview, recovery
from bot.engine.flows.context import Turn
from bot.engine.turns import cancelled_by_user

log = logging.getLogger(__name__)

_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+", re.UNICODE)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def prompt_words(text: str) -> int:
    """Words in a prompt; two CJK characters count as one word."""
    cjk = len(_CJK_RE.findall(text))
    latin = len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    return latin + (cjk + 1) // 2


class End(enum.Enum):
    CLOSED = "closed"  # the server ended the stream normally
    BROKEN = "broken"  # the stream broke: never re-sent, poll instead
    SLOW = "slow"  # heartbeats only for too long, or too long in all: poll instead


@dataclass
class _Progress:
    started: float = field(default_factory=time.monotonic)
    last_new: float = field(default_factory=time.monotonic)
    raw: str | None = None  # the visible backend text so far, before GUI translation
    errors: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def shown(self) -> Translation | None:
        """The text as the user sees it (translated once, at the end of the turn)."""
        return None if self.raw is None else translate(self.raw)


async def chat_turn(turn: Turn, text: str) -> None:
    await long_prompt_tip(turn, text)
    before = await recovery.current_draft(turn)
    await turn.tell_if_session_renewed()
    # GUI translation runs only on the texts that are actually shown (at most one edit per
    # interval), not on every backend event: see bench/README.md (engine).
    # native drafts where the channel has them (Telegram private chats), else post-then-edit
    stream = open_stream(
        turn.reply,
        transform=lambda raw: translate(raw).text,
        placeholder=turn.t("chat.thinking"),
    )
    progress = _Progress()
    after: Draft | None = None
    try:
        # typing while the answer comes; after `still_working_seconds` the "⏳ Still working..."
        # line says it instead of an indicator re-sent every 4 s for up to 15 minutes
        async with turn.activity("typing", limit=turn.settings.still_working_seconds):
            end = await _follow(turn, text, stream, progress)
            shown = progress.shown
            await turn.tell_if_session_renewed()
            if end is End.BROKEN:
                after = await recovery.poll_for_change(turn, before, stream, notice="chat.recovering")
            elif end is End.SLOW:
                after = await recovery.poll_for_change(turn, before, stream, notice="chat.slow")
            elif _out_of_credits(progress.errors):
                if shown is not None and shown.text.strip():
                    await stream.finish(shown.text)
                raise OutOfCredits("the agent reported no credits")
            elif shown is not None and (shown.text.strip() or shown.actions):
                await _finish(turn, stream, shown)
                after = await recovery.current_draft(turn)
            else:
                after = await recovery.report_silent(turn, before, stream)
    finally:
        await stream.close()
    if after is not None and recovery.changed(before, after):
        await preview.after_edit(turn)  # the storyboard, once the answer is final
        followup.start(turn, after)  # the backend may add music and a title by itself


async def _follow(turn: Turn, text: str, stream: StreamingMessage, progress: _Progress) -> End:
    """Read the turn's events into the stream while watching the clock."""
    settings = turn.settings
    visible = VisibleText()

    async def read() -> None:
        async for event in turn.nemo.chat(text):
            if event.kind == "heartbeat":
                continue
            progress.last_new = time.monotonic()
            if event.kind == "error":
                progress.errors.append((event.code, event.text or ""))
                continue
            current = visible.feed(event)
            if current is not None:
                if progress.raw is None:
                    metrics.first_text(time.monotonic() - progress.started)
                progress.raw = current
                await stream.update(current)

    reader = asyncio.create_task(read())
    limits = (
        settings.still_working_seconds,
        settings.sse_idle_timeout_seconds,
        settings.sse_total_timeout_seconds,
    )
    tick = max(0.01, min(0.5, *limits) / 4)
    told = 0
    try:
        while True:
            done, _ = await asyncio.wait({reader}, timeout=tick)
            if done:
                try:
                    reader.result()
                except StreamBroken:
                    log.info("stream broke for %s; polling the state", turn.user_key)
                    return End.BROKEN
                return End.CLOSED
            now = time.monotonic()
            idle, total = now - progress.last_new, now - progress.started
            if idle >= settings.sse_idle_timeout_seconds or total >= settings.sse_total_timeout_seconds:
                log.info("turn of %s too slow (idle %.0fs, total %.0fs); polling", turn.user_key, idle, total)
                return End.SLOW
            periods = int(idle // settings.still_working_seconds)
            if periods > told:
                told = periods
                await stream.status(turn.t("chat.still_working"))
    finally:
        if not reader.done():
            if cancelled_by_user():
                turn.services.background.detach(_drain(reader, settings.sse_total_timeout_seconds))
            else:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader


async def _drain(reader: asyncio.Task[None], limit: float) -> None:
    """/cancel: stop waiting, but keep reading the turn to its end in the background, so the
    backend's (paid) work is not cut off by a dropped connection."""
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(reader, limit)


async def _finish(turn: Turn, stream: StreamingMessage, shown: Translation) -> None:
    """The final text with what the GUI wording asked for, and the quick-action buttons."""
    extra: list[str] = []
    for action in dict.fromkeys(shown.actions):
        if action == Action.EXPORT:
            extra.append(turn.t("chat.offer_export"))
        elif action == Action.STATUS:
            extra.append(await recovery.summary_line(turn))
        elif action == Action.CREDITS:
            extra.append(await recovery.credits_line(turn))
        elif action == Action.OFFER_EDIT:
            extra.append(turn.t("chat.offer_edit"))
    final = "\n\n".join(part for part in [shown.text.strip(), *extra] if part)
    await stream.finish(final, buttons=turn.quick_buttons())


def _out_of_credits(errors: list[tuple[int | None, str]]) -> bool:
    return any(code == 2001 or (code is None and "2001" in text) for code, text in errors)


async def long_prompt_tip(turn: Turn, text: str) -> None:
    """A one-line tip, once per user, when a prompt is long."""
    words = turn.settings.long_prompt_words
    if prompt_words(text) <= words:
        return
    try:
        first = await turn.store.users.first_tip(turn.user_key, "long")
    except Exception as exc:  # a tip is never worth failing a turn
        log.debug("tip flag unavailable: %s", type(exc).__name__)
        return
    if first:
        # in Chinese the tip counts characters: two of them make one word (see prompt_words)
        await turn.say("chat.long_prompt_tip", words=words * 2 if turn.lang == "zh" else words)
