"""`/cancel` across bot processes: the user's turn may run in another process than the one that
received the `/cancel` (Telegram webhook replicas, Discord shards). The receiving process publishes
the user key on the store's cancel channel; every engine listens and stops the turn if it runs there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.ids import UserKey
from bot.state.cancels import Cancels

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


class CancelRelay:
    """Publishes cancels and, once started, hands every published user key to `on_cancel`."""

    def __init__(self, channel: Cancels, on_cancel: Callable[[UserKey], object]) -> None:
        self._channel = channel
        self._on_cancel = on_cancel
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def ensure_started(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="cancel-relay")

    async def publish(self, user_key: UserKey) -> int:
        """Ask every bot process to stop this user's running turn; returns how many listened."""
        return await self._channel.publish(user_key)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _listen(self) -> None:
        while True:
            try:
                async with self._channel.subscribe() as published:
                    self.listening.set()
                    try:
                        async for user_key in published:
                            self._on_cancel(user_key)
                    finally:
                        self.listening.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarting: listen again shortly
                log.debug("cancel relay reconnecting: %s", type(exc).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)
