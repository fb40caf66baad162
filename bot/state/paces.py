"""The learnt render pace, for backends that send no `eta_seconds` (the NemoVideo cloud).

    vb:metrics:render_pace   list: the last 20 paces (seconds from submit to completed, per second
                             of video), newest first, shared by every bot process

`median()` is what the progress message's estimate uses (`bot.engine.flows.eta`).
"""

from __future__ import annotations

import statistics

from bot.state import keys
from bot.state.base import Part
from bot.state.errors import guarded

KEEP = 20


class Paces(Part):
    @guarded
    async def record(self, pace: float) -> None:
        """One finished render's pace (seconds of waiting per second of video)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lpush(keys.RENDER_PACE, f"{pace:.3f}")
            pipe.ltrim(keys.RENDER_PACE, 0, KEEP - 1)
            await pipe.execute()

    @guarded
    async def median(self) -> float | None:
        """The median of the last paces; None before any render finished."""
        raw = await self._redis.lrange(keys.RENDER_PACE, 0, KEEP - 1)
        values = []
        for item in raw:
            try:
                values.append(float(item))
            except (TypeError, ValueError):
                continue
        return statistics.median(values) if values else None
