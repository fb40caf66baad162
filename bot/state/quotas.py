"""Per-user render counts for the operator's quotas, and the few numbers `/stats` shows.

    vb:quota:{day}:{platform}:{user}   exports this user started that UTC day      (2 days)
    vb:stats:renders:{day}             exports started that day, every user        (8 days)
    vb:stats:users:{day}               HyperLogLog of the users who wrote that day (8 days)

Counts are cheap single-key increments (Redis Cluster friendly). The day is UTC, so a quota
resets at midnight UTC for everybody.
"""

from __future__ import annotations

import time

from bot.ids import UserKey
from bot.state import keys
from bot.state.base import Part
from bot.state.errors import guarded

QUOTA_TTL = 2 * 86400
STATS_TTL = 8 * 86400


def utc_day(now: float | None = None) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() if now is None else now))


def seconds_to_midnight(now: float | None = None) -> float:
    """Until the next UTC midnight, when the daily quotas reset."""
    now = time.time() if now is None else now
    return 86400 - now % 86400


class Quotas(Part):
    @guarded
    async def renders_today(self, user_key: UserKey) -> int:
        raw = await self._redis.get(keys.quota(utc_day(), user_key))
        return int(raw or 0)

    @guarded
    async def count_render(self, user_key: UserKey) -> int:
        """One more export by this user today; the count after it."""
        day = utc_day()
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incr(keys.quota(day, user_key))
            pipe.expire(keys.quota(day, user_key), QUOTA_TTL)
            pipe.incr(keys.stats_renders(day))
            pipe.expire(keys.stats_renders(day), STATS_TTL)
            results = await pipe.execute()
        return int(results[0])

    @guarded
    async def seen(self, user_key: UserKey) -> None:
        """This user wrote today (for the daily user count)."""
        day = utc_day()
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.pfadd(keys.stats_users(day), str(user_key))
            pipe.expire(keys.stats_users(day), STATS_TTL)
            await pipe.execute()

    @guarded
    async def today(self) -> tuple[int, int]:
        """(exports started today, users who wrote today) over every bot process."""
        day = utc_day()
        renders = await self._redis.get(keys.stats_renders(day))
        users = await self._redis.pfcount(keys.stats_users(day))
        return int(renders or 0), int(users or 0)
