"""One turn per user at a time: an in-process FIFO per user, a cross-process lock, a global cap.

Strategy (vercel/chat's vocabulary): **queue**. A message that arrives while the same user's turn
runs waits behind it (the caller tells the user "queued"); `/cancel` stops waiting on the running
turn at once (`TurnGate.cancel`). The in-process part orders the turns of this process; the remote
lock (the store's Redis turn lock, with a lease renewed while held) orders them across processes.
A global cap on running turns answers "busy" instead of piling up work.

A turn runs in its own task so that `/cancel` can stop it without cancelling the caller. Code
inside a turn asks `cancelled_by_user()` in its `except CancelledError` to tell a user's `/cancel`
(drop the job) from a shutdown (leave the job in Redis for the next start).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from bot.ids import UserKey

log = logging.getLogger(__name__)

RemoteLock = Callable[[UserKey, Callable[[], Awaitable[None]]], AbstractAsyncContextManager[None]]
"""`remote_lock(user_key, on_wait)`: hold the cross-process turn lock; call `on_wait` once when
another process holds it and we have to wait."""


class Outcome(enum.Enum):
    DONE = "done"
    BUSY = "busy"  # the global cap was reached: nothing ran
    CANCELLED = "cancelled"  # stopped by the user's /cancel


@dataclass
class TurnControl:
    """Shared between a running turn and whoever may cancel it."""

    user_key: UserKey
    cancelled_by_user: bool = False


_control: contextvars.ContextVar[TurnControl | None] = contextvars.ContextVar("turn_control", default=None)


def cancelled_by_user() -> bool:
    """Inside a turn: was it stopped by the user's /cancel (rather than by a shutdown)?"""
    control = _control.get()
    return bool(control and control.cancelled_by_user)


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0
    task: asyncio.Task[None] | None = None
    control: TurnControl | None = None


@contextlib.asynccontextmanager
async def no_remote_lock(user_key: UserKey, on_wait: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
    yield


class TurnGate:
    """Runs each user's turns one at a time, in arrival order."""

    def __init__(self, *, max_concurrent: int, remote_lock: RemoteLock = no_remote_lock) -> None:
        self.max_concurrent = max_concurrent
        self._remote_lock = remote_lock
        self._slots: dict[UserKey, _Slot] = {}
        self._running = 0

    @property
    def running(self) -> int:
        """Turns running now in this process."""
        return self._running

    def busy(self, user_key: UserKey) -> bool:
        """A turn of this user runs or waits in this process."""
        slot = self._slots.get(user_key)
        return bool(slot and (slot.lock.locked() or slot.waiting))

    async def run(
        self,
        user_key: UserKey,
        work: Callable[[], Awaitable[None]],
        *,
        on_queued: Callable[[], Awaitable[None]],
        capped: bool = True,
    ) -> Outcome:
        """Run `work` as this user's next turn; `on_queued` is awaited once if it has to wait."""
        slot = self._slots.setdefault(user_key, _Slot())
        if capped and not self.busy(user_key) and self._running >= self.max_concurrent:
            return Outcome.BUSY
        told = False

        async def tell() -> None:
            nonlocal told
            if not told:
                told = True
                await on_queued()

        slot.waiting += 1
        try:
            if slot.lock.locked():
                await tell()
            await slot.lock.acquire()
        finally:
            slot.waiting -= 1
        try:
            async with self._remote_lock(user_key, tell):
                return await self._run_task(slot, user_key, work)
        finally:
            slot.lock.release()
            if not slot.lock.locked() and not slot.waiting:
                self._slots.pop(user_key, None)

    async def _run_task(self, slot: _Slot, user_key: UserKey, work: Callable[[], Awaitable[None]]) -> Outcome:
        control = TurnControl(user_key)
        token = _control.set(control)
        try:
            task: asyncio.Task[None] = asyncio.ensure_future(_call(work))
        finally:
            _control.reset(token)
        slot.task, slot.control = task, control
        self._running += 1
        try:
            await task
            return Outcome.DONE
        except asyncio.CancelledError:
            outer = asyncio.current_task()
            if control.cancelled_by_user and not (outer and outer.cancelling()):
                return Outcome.CANCELLED
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            raise
        finally:
            self._running -= 1
            slot.task, slot.control = None, None

    def cancel(self, user_key: UserKey) -> bool:
        """Stop waiting on this user's running turn (queued turns still run). False: none runs."""
        slot = self._slots.get(user_key)
        if slot is None or slot.task is None or slot.task.done() or slot.control is None:
            return False
        slot.control.cancelled_by_user = True
        slot.task.cancel()
        return True


async def _call(work: Callable[[], Awaitable[None]]) -> None:
    await work()
