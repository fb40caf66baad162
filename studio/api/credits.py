"""Credits per user: a balance in the user's hash, charged atomically.

Generation and edits cost what the director says (`DirectorTurn.cost`); export is free. A chat
turn is refused up front (2001) when nothing is left, and a turn whose cost is more than what is
left ends with an error event (code 2001) without changing the draft.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from pydantic import BaseModel

from studio import keys

_CHARGE = """
local available = tonumber(redis.call('HGET', KEYS[1], 'available'))
if available == nil then return -2 end
local cost = tonumber(ARGV[1])
if available < cost then return -1 end
return redis.call('HINCRBY', KEYS[1], 'available', -cost)
"""


class Balance(BaseModel):
    available: int
    frozen: int
    total: int


class InsufficientCredits(Exception):
    def __init__(self, available: int, cost: int) -> None:
        super().__init__(f"{cost} credits needed, {available} available")
        self.available = available
        self.cost = cost


async def balance(redis: aioredis.Redis, user_id: str) -> Balance:
    available, frozen = await redis.hmget(keys.user(user_id), ["available", "frozen"])
    a, f = int(available or 0), int(frozen or 0)
    return Balance(available=a, frozen=f, total=a + f)


async def charge(redis: aioredis.Redis, user_id: str, cost: int) -> int:
    """Take `cost` credits; returns what is left. Raises InsufficientCredits (nothing taken)."""
    if cost <= 0:
        return (await balance(redis, user_id)).available
    left = int(await redis.eval(_CHARGE, 1, keys.user(user_id), cost))
    if left < 0:
        raise InsufficientCredits((await balance(redis, user_id)).available, cost)
    return left
