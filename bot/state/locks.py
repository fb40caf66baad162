"""The per-user turn lock: one turn per user at a time, across every bot process.

The lock is a key holding a random owner token with a lease (`SET NX PX`); only the owner can
renew it (compare-and-expire) or release it (compare-and-delete), and a crashed holder's lock
frees itself when its lease runs out. `lock()` waits for the lock (the user's turns queue up),
then hands out a `TurnLock`. While it is
held, the lease is renewed every third of its length, so a long turn keeps it and a crashed
process loses it within one lease. If a renewal finds the lock gone (it expired while Redis was
unreachable and someone else took it), `lost` becomes True and a warning is logged; the holder
can check `lost` before writing anything that needs exclusivity.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.state import keys
from bot.state import lua as store_lua
from bot.state.errors import LockTimeout, StoreBase, StoreError, guarded

log = logging.getLogger(__name__)

RenewFn = Callable[[str, str, float], Awaitable[bool]]


class TurnLock:
    """One held turn lock: `user_key`, the owner `token`, and whether it was `lost`."""

    def __init__(self, user_key: str, token: str, lease_seconds: float, renew: RenewFn) -> None:
        self.user_key = user_key
        self.token = token
        self.lease_seconds = lease_seconds
        self.lost = False
        self._renew = renew
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"TurnLock({self.user_key!r}, lost={self.lost})"

    async def renew(self) -> bool:
        """Renew the lease now; False (and `lost`) when the lock is no longer ours."""
        ok = await self._renew(self.user_key, self.token, self.lease_seconds)
        if not ok:
            self.lost = True
        return ok

    def start_renewal(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._renew_loop(), name=f"lock-renew:{self.user_key}")

    async def stop_renewal(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _renew_loop(self) -> None:
        interval = max(self.lease_seconds / 3.0, 0.01)
        while True:
            await asyncio.sleep(interval)
            try:
                if not await self.renew():
                    log.warning("turn lock of %s was lost (its lease expired)", self.user_key)
                    return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis down: keep trying, the lease may still hold
                log.warning("could not renew the turn lock of %s: %s", self.user_key, exc)


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


class LockStore(StoreBase):
    @guarded
    async def try_acquire(self, user_key: str, lease_seconds: float) -> str | None:
        """Take the user's turn lock if it is free: the owner token, else None."""
        token = uuid.uuid4().hex
        ok = await self.redis.set(keys.lock(user_key), token, nx=True, px=_ms(lease_seconds))
        return token if ok else None

    @guarded
    async def renew(self, user_key: str, token: str, lease_seconds: float) -> bool:
        """Extend the lease; False when `token` no longer owns the lock."""
        ms = _ms(lease_seconds)
        return bool(await self._eval(store_lua.COMPARE_EXPIRE, keys.lock(user_key), token, ms))

    @guarded
    async def release(self, user_key: str, token: str) -> bool:
        """Free the lock; only its owner can (False otherwise)."""
        return bool(await self._eval(store_lua.COMPARE_DELETE, keys.lock(user_key), token))

    @guarded
    async def is_locked(self, user_key: str) -> bool:
        return bool(await self.redis.exists(keys.lock(user_key)))

    @contextlib.asynccontextmanager
    async def lock(
        self,
        user_key: str,
        lease_seconds: float = 60.0,
        *,
        wait_seconds: float | None = None,
        on_wait: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[TurnLock]:
        """Hold the user's turn lock for the block, waiting (queued) while another turn has it.

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
        held = TurnLock(user_key, token, lease_seconds, self.renew)
        held.start_renewal()
        try:
            yield held
        finally:
            await held.stop_renewal()
            try:
                await self.release(user_key, token)
            except StoreError as exc:
                log.warning("could not release the turn lock of %s (it will expire): %s", user_key, exc)
