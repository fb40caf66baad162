"""Platform updates: de-duplication of repeated deliveries, and albums collected across processes."""

from __future__ import annotations

from bot.ids import ChatRef, Platform
from bot.state import keys, lua
from bot.state.base import Part, text
from bot.state.errors import guarded

SEEN_TTL = 86400
ALBUM_TTL = 60


class Updates(Part):
    @guarded
    async def claim(self, platform: Platform, update_id: str | int) -> bool:
        """True the first time an update is seen (within 24 h), False for a repeat."""
        return bool(await self._redis.set(keys.seen(platform, update_id), b"1", nx=True, ex=SEEN_TTL))

    @guarded
    async def album_add(self, chat: ChatRef, group: str | int, item_json: str) -> int:
        """Add one item to an album being collected (kept 60 s); how many it holds now."""
        return int(await self._eval(lua.LIST_PUSH, keys.album(chat, group), ALBUM_TTL * 1000, item_json))

    @guarded
    async def album_take(self, chat: ChatRef, group: str | int) -> list[str]:
        """All items of the album in arrival order, removing it (exactly one taker gets them)."""
        items = await self._eval(lua.LIST_TAKE, keys.album(chat, group))
        return [text(i) for i in items]
