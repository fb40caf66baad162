"""Two-stage generation: after a turn changed the draft, the backend may go on by itself (add
background music, then a title). A short watch after the turn reports each stage as it appears
in the state ("✅ Music added: Lo-fi"), until the user's next turn starts or
`recovery_max_polls` polls (every `recovery_poll_seconds`) pass without a change.
"""

from __future__ import annotations

import asyncio
import logging

from bot.backend.errors import NemoError
from bot.draft.models import Draft
from bot.draft.timeline import describe_changes
from bot.engine.flows.context import Turn
from bot.state.store import StoreError

log = logging.getLogger(__name__)


def start(turn: Turn, draft: Draft) -> None:
    """Watch the state after this turn (until the user's next turn starts, which stops it)."""
    turn.services.background.start(turn.user_key, _watch(turn, draft))


async def _watch(turn: Turn, last: Draft) -> None:
    settings = turn.settings
    quiet = 0
    while quiet < settings.recovery_max_polls:
        await asyncio.sleep(settings.recovery_poll_seconds)
        try:
            now = await turn.draft()
        except (NemoError, StoreError) as exc:
            log.debug("follow-up poll failed: %s", type(exc).__name__)
            quiet += 1
            continue
        if now is None or now.digest == last.digest:
            quiet += 1
            continue
        lines = describe_changes(last, now, turn.lang)
        last, quiet = now, 0
        if lines:
            try:
                await turn.reply.send_text("\n".join(lines))
                await turn.store.users.update(turn.user_key, last_draft_digest=now.digest)
            except Exception as exc:  # a follow-up is never worth an error
                log.info("follow-up not delivered: %s", type(exc).__name__)
                return
