"""The engine's background work, owned in one place so that `Engine.aclose` can stop all of it.

    background.start(user_key, coro)   at most one watch per user (a new one, or `stop`, ends the last)
    background.stop(user_key)
    background.detach(coro)            a task nobody waits for (a /cancel'led turn's stream read to
                                       its end, so the backend's paid work is not cut off)
    await background.aclose()          cancel everything and wait for it
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from bot.ids import UserKey


class Background:
    def __init__(self) -> None:
        self._watches: dict[UserKey, asyncio.Task[None]] = {}
        self._detached: set[asyncio.Task[None]] = set()

    def start(self, user_key: UserKey, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` as this user's one watch (the previous one is stopped)."""
        self.stop(user_key)
        task = asyncio.get_running_loop().create_task(work)
        self._watches[user_key] = task
        task.add_done_callback(lambda done: self._forget(user_key, done))

    def _forget(self, user_key: UserKey, task: asyncio.Task[None]) -> None:
        if self._watches.get(user_key) is task:
            del self._watches[user_key]

    def stop(self, user_key: UserKey) -> None:
        task = self._watches.pop(user_key, None)
        if task is not None:
            task.cancel()

    def detach(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._detached.add(task)
        task.add_done_callback(self._detached.discard)

    async def aclose(self) -> None:
        tasks = [*self._watches.values(), *self._detached]
        self._watches.clear()
        self._detached.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
