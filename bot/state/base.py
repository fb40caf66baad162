"""What every part of the store stands on: the Redis client and two atomic helpers."""

from __future__ import annotations

from typing import Any

from bot.state import lua
from bot.state.connect import RedisClient


class Part:
    """One concern of the store (users, jobs, leases, locks, updates, cancels) on the shared client."""

    def __init__(self, redis: RedisClient) -> None:
        self._redis = redis

    async def _eval(self, script: str, key: str, *args: str | int | float) -> Any:
        return await self._redis.eval(script, 1, key, *args)

    async def _hash_write(self, key: str, put: dict[str, str], drop: list[str], ttl_ms: int = -1) -> None:
        """Set `put`, delete `drop` in one atomic step; ttl_ms > 0 expire, 0 persist, -1 leave."""
        args: list[str | int] = [ttl_ms, len(drop), *drop]
        for field, value in put.items():
            args += [field, value]
        await self._eval(lua.HASH_WRITE, key, *args)


def text(v: object) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)
