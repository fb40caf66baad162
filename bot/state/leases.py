"""Delivery leases: which bot process follows and delivers a render job, one at a time.

`claim` hands the delivery of one job to exactly one owner (renewable by that owner; it expires
with its lease when the owner dies, and any live process may then adopt the job).
"""

from __future__ import annotations

from bot.state import keys, lua
from bot.state.base import Part
from bot.state.errors import guarded


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


class Leases(Part):
    @guarded
    async def claim(self, render_id: str, owner: str, lease_seconds: float) -> bool:
        """Take (or, for its owner, renew) the delivery lease: True for one owner at a time."""
        return bool(await self._eval(lua.CLAIM, keys.delivery(render_id), owner, _ms(lease_seconds)))

    @guarded
    async def release(self, render_id: str, owner: str) -> bool:
        """Give the delivery lease back; only its owner can (False otherwise)."""
        return bool(await self._eval(lua.COMPARE_DELETE, keys.delivery(render_id), owner))

    @guarded
    async def held(self, render_id: str) -> bool:
        """Some live process holds the lease (it is following the job)."""
        return bool(await self._redis.exists(keys.delivery(render_id)))
