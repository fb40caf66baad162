"""The store's errors, and the one place redis-py errors are translated.

    StoreError           Redis answered with an error we did not expect (a bug, a misconfiguration)
    ├── StoreUnavailable Redis cannot be reached right now (down, timing out, failing over, full);
    │                    the same Store works again once Redis is back
    └── LockTimeout      `lock(..., wait_seconds=...)` gave up waiting

Every public store method is wrapped in `guarded`, so nothing from redis-py escapes the store.
All of these are re-exported by `bot.state.store`, which is where callers import them from.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.exceptions import (
    ClusterDownError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisClusterException,
    RedisError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.state.connect import safe_url


class StoreError(Exception):
    """Redis answered with an error the store did not expect."""


class StoreUnavailable(StoreError):
    """Redis cannot be reached right now (the user is told; try again later)."""


class LockTimeout(StoreError):
    """Waited `wait_seconds` for a user's turn lock without getting it."""


UNAVAILABLE: tuple[type[BaseException], ...] = (
    RedisConnectionError,  # also BusyLoading, MasterNotFound, Authentication, MaxConnections
    RedisTimeoutError,
    ClusterDownError,
    TryAgainError,
    ReadOnlyError,  # talking to a replica during a failover
    OutOfMemoryError,
    RedisClusterException,
    OSError,
)


CAUGHT: tuple[type[BaseException], ...] = (RedisError, *UNAVAILABLE)


def translate(exc: BaseException) -> StoreError:
    """The one place redis-py errors become store errors (messages carry no password)."""
    text = f"{type(exc).__name__}: {safe_url(str(exc))}"
    if isinstance(exc, UNAVAILABLE):
        return StoreUnavailable(f"Redis is unavailable ({text})")
    return StoreError(f"Redis error ({text})")


def guarded[**P, T](fn: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Wrap a store coroutine so redis-py errors leave it as `StoreError`s."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except CAUGHT as exc:
            raise translate(exc) from exc

    return wrapper
