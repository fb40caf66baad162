"""The per-user turn lock: one turn per user at a time, across every bot process.

The lock is a key holding a random owner token with a lease (`SET NX PX`); only the owner can
renew it (compare-and-expire) or release it (compare-and-delete), and a crashed holder's lock
frees itself when its lease runs out. `lock()` waits for the lock (the user's turns queue up),
then holds it for the block, renewing the lease every third of its length, so a long turn keeps
it and a crashed process loses it within one lease. A renewal that finds the lock gone (it expired
while Redis was unreachable and someone else took it) stops renewing and logs a warning; the
release at the end then leaves the new holder's lock alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.ids import UserKey
from bot.state import keys
from bot.state.connect import RedisClient
from bot.state.errors import LockTimeout, StoreError
from bot.state.leases import Leases

log = logging.getLogger(__name__)


class Locks(Leases[UserKey]):
    """The turn lock of each user (`vb:lock:{platform}:{user}`): a lease whose owner is a random
    token made when it is taken."""

    def __init__(self, redis: RedisClient) -> None:
        super().__init__(redis, keys.lock)

    async def try_acquire(self, user_key: UserKey, lease_seconds: float) -> str | None:
        """Take the user's turn lock if it is free: the owner token, else None."""
        token = uuid.uuid4().hex
        return token if await self.claim(user_key, token, lease_seconds) else None

    @contextlib.asynccontextmanager
    async def hold(
        self,
        user_key: UserKey,
        lease_seconds: float = 60.0,
        *,
        wait_seconds: float | None = None,
        on_wait: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[str]:
        """Hold the user's turn lock for the block (yields the owner token), waiting (queued)
        while another turn has it.

        `on_wait` is awaited once when the lock is busy (to tell the user their message waits).
        `wait_seconds` bounds the wait (`LockTimeout`); None waits as long as it takes. The lease
        is renewed in the background while held and released on exit.
        """
        token = await self.try_acquire(user_key, lease_seconds)
        if token is None:
            if on_wait is not None:
                await on_wait()
            deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
            delay = 0.02
            while token is None:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockTimeout(f"turn lock of {user_key} still busy after {wait_seconds} s")
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 1.5, 0.25)
                token = await self.try_acquire(user_key, lease_seconds)
        renewing = self._renew_loop(user_key, token, lease_seconds)
        renewal = asyncio.create_task(renewing, name=f"lock:{user_key}")
        try:
            yield token
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            try:
                await self.release(user_key, token)
            except StoreError as exc:
                log.warning("could not release the turn lock of %s (it will expire): %s", user_key, exc)

    async def _renew_loop(self, user_key: UserKey, token: str, lease_seconds: float) -> None:
        interval = max(lease_seconds / 3.0, 0.01)
        while True:
            await asyncio.sleep(interval)
            try:
                if not await self.renew(user_key, token, lease_seconds):
                    log.warning("turn lock of %s was lost (its lease expired)", user_key)
                    return
            except StoreError as exc:  # Redis down: keep trying, the lease may still hold
                log.warning("could not renew the turn lock of %s: %s", user_key, exc)
