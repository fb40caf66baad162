"""Turns that end without text, and turns whose stream broke: the state tells what happened.

Silent turn: read the state once, compare the draft with the one before the turn, say what
changed ("✅ Title added: …"); nothing changed → say so and offer to try again.
Broken or too slow stream: never re-send; poll the state every `recovery_poll_seconds`; the first
change is reported; after `recovery_max_polls` unchanged polls, the turn failed: say so.
"""

from __future__ import annotations

import asyncio
import logging

from bot.backend.errors import BackendUnavailable, NemoError, RateLimited
from bot.channel.streaming import StreamingMessage
from bot.draft.models import Draft
from bot.draft.timeline import describe_changes, summarize
from bot.engine.flows.context import Turn

log = logging.getLogger(__name__)


async def current_draft(turn: Turn) -> Draft | None:
    """The draft now (None when there is none, or the state cannot be read right now)."""
    try:
        return await turn.draft()
    except (BackendUnavailable, RateLimited) as exc:
        log.info("state unavailable for %s: %s", turn.user_key, type(exc).__name__)
        return None


def changed(before: Draft | None, after: Draft | None) -> bool:
    """`after` is a draft, and not the one `before` was."""
    if after is None:
        return False
    return before is None or before.digest != after.digest


def _change_text(turn: Turn, before: Draft | None, after: Draft) -> str:
    lines = describe_changes(before, after, turn.lang)
    if lines:
        return "\n".join(lines)
    summary = summarize(after, turn.lang)
    updated = turn.t("chat.updated")
    return f"{updated}\n{turn.t('status.summary', summary=summary)}" if summary else updated


async def _remember(turn: Turn, draft: Draft) -> None:
    await turn.store.users.update(turn.user_key, last_draft_digest=draft.digest)


def _joined(stream: StreamingMessage, text: str) -> str:
    shown = stream.text.strip()
    return f"{shown}\n\n{text}" if shown else text


async def report_silent(turn: Turn, before: Draft | None, stream: StreamingMessage) -> Draft | None:
    """The turn ended with tool events only: tell the user what changed in the draft."""
    after = await current_draft(turn)
    await turn.tell_if_session_renewed()
    if after is not None and changed(before, after):
        await stream.finish(_joined(stream, _change_text(turn, before, after)), buttons=turn.quick_buttons())
        await _remember(turn, after)
        return after
    await stream.finish(_joined(stream, turn.t("chat.nothing_changed")))
    return None


async def poll_for_change(
    turn: Turn, before: Draft | None, stream: StreamingMessage, *, notice: str
) -> Draft | None:
    """Poll the state until the draft changes (report it) or `recovery_max_polls` pass (failed)."""
    settings = turn.settings
    await stream.status(turn.t(notice))
    for attempt in range(1, settings.recovery_max_polls + 1):
        await asyncio.sleep(settings.recovery_poll_seconds)
        try:
            after = await turn.draft()
        except (BackendUnavailable, RateLimited) as exc:
            log.info("recovery poll %d for %s failed: %s", attempt, turn.user_key, type(exc).__name__)
            continue
        if after is not None and changed(before, after):
            await turn.tell_if_session_renewed()
            text = _change_text(turn, before, after)
            await stream.finish(_joined(stream, text), buttons=turn.quick_buttons())
            await _remember(turn, after)
            return after
    log.info("no change after %d polls for %s: turn failed", settings.recovery_max_polls, turn.user_key)
    await stream.finish(_joined(stream, turn.t("chat.failed")))
    return None


async def summary_line(turn: Turn) -> str:
    """The timeline summary (for "open the panel" / "preview in timeline")."""
    try:
        summary = summarize(await turn.draft(), turn.lang)
    except NemoError:
        return ""
    return turn.t("status.summary", summary=summary) if summary else ""


async def credits_line(turn: Turn) -> str:
    """The balance (for "check your account / billing")."""
    try:
        c = await turn.nemo.credits()
    except NemoError:
        return ""
    return turn.t("credits.balance", available=c.available, frozen=c.frozen, total=c.total)
