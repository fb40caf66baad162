"""Owned leases on Redis keys: the delivery leases (which bot process follows and delivers a render
job) and, through `bot.state.locks`, the per-user turn locks.

A lease is a key holding its owner's token with an expiry (`PX`). `claim` takes a free lease or
renews one the same owner holds, `renew` only renews, `release` deletes it — each only for its owner
(compare-and-set in Lua) — and a dead owner's lease frees itself when it expires, so any live process
may then take it over.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.state import keys, lua
from bot.state.base import Part
from bot.state.connect import RedisClient
from bot.state.errors import guarded


def ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


class Leases[K](Part):
    """Leases on the keys `key(name)` (a render id's delivery lease, a user's turn lock)."""

    def __init__(self, redis: RedisClient, key: Callable[[K], str]) -> None:
        super().__init__(redis)
        self._key = key

    @guarded
    async def claim(self, name: K, owner: str, lease_seconds: float) -> bool:
        """Take (or, for its owner, renew) the lease: True for one owner at a time."""
        return bool(await self._eval(lua.CLAIM, self._key(name), owner, ms(lease_seconds)))

    @guarded
    async def renew(self, name: K, owner: str, lease_seconds: float) -> bool:
        """Extend the lease; False when `owner` no longer holds it."""
        return bool(await self._eval(lua.COMPARE_EXPIRE, self._key(name), owner, ms(lease_seconds)))

    @guarded
    async def release(self, name: K, owner: str) -> bool:
        """Give the lease back; only its owner can (False otherwise)."""
        return bool(await self._eval(lua.COMPARE_DELETE, self._key(name), owner))

    @guarded
    async def held(self, name: K) -> bool:
        """Some live process holds the lease."""
        return bool(await self._redis.exists(self._key(name)))


def delivery_leases(redis: RedisClient) -> Leases[str]:
    """The delivery lease of each render id (`vb:delivery:{render_id}`)."""
    return Leases(redis, keys.delivery)
