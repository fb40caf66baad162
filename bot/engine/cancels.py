"""`/cancel` across bot processes: the user's turn may run in another process than the one that
received the `/cancel` (Telegram webhook replicas, Discord shards). The receiving process publishes
the user key on a Redis pub/sub channel; every engine listens and stops the turn if it runs there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from bot.state import keys

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


class CancelRelay:
    """Publishes cancels and, once started, hands every published user key to `on_cancel`."""

    def __init__(self, redis: aioredis.Redis | RedisCluster, on_cancel: Callable[[str], object]) -> None:
        self._redis = redis
        self._on_cancel = on_cancel
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def ensure_started(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="cancel-relay")

    async def publish(self, user_key: str) -> int:
        """Ask every bot process to stop this user's running turn; returns how many listened."""
        return int(await self._redis.publish(keys.CANCEL_CHANNEL, user_key))

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                try:
                    await pubsub.subscribe(keys.CANCEL_CHANNEL)
                    self.listening.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            data = message.get("data")
                            self._on_cancel(data.decode() if isinstance(data, bytes) else str(data))
                finally:
                    self.listening.clear()
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarting: listen again shortly
                log.debug("cancel relay reconnecting: %s", type(exc).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)
