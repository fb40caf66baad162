"""Albums: several updates sharing one `media_group_id` become ONE message for the engine.

Each part is written to the store's album list (`vb:album:telegram:{chat}:{group}`, in Redis, so
the parts may arrive at different bot processes). The process whose part was first becomes the
album's leader: it waits `album_wait_seconds`, takes the whole list atomically and hands one
`Incoming` to the engine; the others return at once.

A part delivered twice (webhook retries) must not become a second photo, and the engine never sees
the parts' own update ids, so each part's `update_id` is claimed here with the store's de-duplication
(`claim_update`, the same key the engine uses); the album as a whole then reaches the engine as
`album:<media_group_id>`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.telegram.incoming import MediaRef

log = logging.getLogger(__name__)

PLATFORM = "telegram"


class AlbumStore(Protocol):
    """The part of `bot.state.store.Store` albums need."""

    async def claim_update(self, platform: str, update_id: str | int) -> bool: ...

    async def album_add(self, platform: str, chat: str | int, group: str | int, item_json: str) -> int: ...

    async def album_take(self, platform: str, chat: str | int, group: str | int) -> list[str]: ...


class AlbumPart(BaseModel):
    """One update of an album, as stored in Redis while the album is collected."""

    model_config = ConfigDict(frozen=True)

    update_id: int
    message_id: int
    media: MediaRef
    text: str = ""
    addressed: bool = True  # in groups: this part was a command, a reply to us or a mention


class AlbumCollector:
    def __init__(self, store: AlbumStore, wait_seconds: float) -> None:
        self._store = store
        self._wait = wait_seconds

    async def add(self, chat_id: str, group_id: str, part: AlbumPart) -> list[AlbumPart] | None:
        """Record one part; the leader gets every part (in message order), the others None."""
        if not await self._store.claim_update(PLATFORM, str(part.update_id)):
            log.info("album part %s seen before; ignored", part.update_id)
            return None
        count = await self._store.album_add(PLATFORM, chat_id, group_id, part.model_dump_json())
        if count != 1:
            return None
        await asyncio.sleep(self._wait)  # Telegram sends an album's parts within milliseconds
        raw = await self._store.album_take(PLATFORM, chat_id, group_id)
        parts: dict[int, AlbumPart] = {}
        for item in raw:
            try:
                p = AlbumPart.model_validate_json(item)
            except ValidationError:
                log.warning("an unreadable album part was skipped")
                continue
            parts.setdefault(p.message_id, p)
        return sorted(parts.values(), key=lambda p: p.message_id)
