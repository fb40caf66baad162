"""Two-stage generation: after a turn changed the draft, the backend may go on by itself (add
background music, then a title). A short watch after the turn reports each stage as it appears
in the state ("✅ Music added: Lo-fi"), until the user's next turn starts or
`recovery_max_polls` polls (every `recovery_poll_seconds`) pass without a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from bot.backend.errors import NemoError
from bot.draft.timeline import describe_changes, digest
from bot.state.store import StoreError

if TYPE_CHECKING:
    from bot.engine.flows.context import Turn

log = logging.getLogger(__name__)

Draft = dict[str, Any]


class Followups:
    """At most one watch per user; a new turn of that user stops it."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, turn: Turn, draft: Draft) -> None:
        self.stop(turn.user_key)
        task = asyncio.get_running_loop().create_task(_watch(turn, draft))
        self._tasks[turn.user_key] = task
        key = turn.user_key
        task.add_done_callback(lambda t: self._forget(key, t))

    def _forget(self, user_key: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(user_key) is task:
            del self._tasks[user_key]

    def stop(self, user_key: str) -> None:
        task = self._tasks.pop(user_key, None)
        if task is not None:
            task.cancel()

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


async def _watch(turn: Turn, last: Draft) -> None:
    settings = turn.settings
    quiet = 0
    while quiet < settings.recovery_max_polls:
        await asyncio.sleep(settings.recovery_poll_seconds)
        try:
            now = (await turn.nemo.state()).draft
        except (NemoError, StoreError) as exc:
            log.debug("follow-up poll failed: %s", type(exc).__name__)
            quiet += 1
            continue
        if now is None or digest(now) == digest(last):
            quiet += 1
            continue
        lines = describe_changes(last, now, turn.lang)
        last, quiet = now, 0
        if lines:
            try:
                await turn.reply.send_text("\n".join(lines))
                await turn.store.update_user(turn.user_key, last_draft_digest=digest(now))
            except Exception as exc:  # a follow-up is never worth an error
                log.info("follow-up not delivered: %s", type(exc).__name__)
                return
