"""Albums: several updates sharing one `media_group_id` become ONE message for the engine.

Each part is written to the store's album list (`vb:album:telegram:{chat}:{group}`, in Redis, so
the parts may arrive at different bot processes). The process whose part was first becomes the
album's leader: it waits `album_wait_seconds`, takes the whole list atomically and hands one
`Incoming` to the engine; the others return at once.

A part delivered twice (webhook retries) must not become a second photo, and the engine never sees
the parts' own update ids, so each part's `update_id` is claimed here with the store's de-duplication
(`Updates.claim`, the same key the engine uses); the album as a whole then reaches the engine as
`album:<media_group_id>`.
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.telegram.incoming import MediaRef
from bot.ids import ChatRef
from bot.state.updates import Updates

log = logging.getLogger(__name__)


class AlbumPart(BaseModel):
    """One update of an album, as stored in Redis while the album is collected."""

    model_config = ConfigDict(frozen=True)

    update_id: int
    message_id: int
    media: MediaRef
    text: str = ""
    addressed: bool = True  # in groups: this part was a command, a reply to us or a mention


class AlbumCollector:
    def __init__(self, updates: Updates, wait_seconds: float) -> None:
        self._updates = updates
        self._wait = wait_seconds

    async def add(self, chat: ChatRef, group_id: str, part: AlbumPart) -> list[AlbumPart] | None:
        """Record one part; the leader gets every part (in message order), the others None."""
        if not await self._updates.claim("telegram", part.update_id):
            log.info("album part %s seen before; ignored", part.update_id)
            return None
        count = await self._updates.album_add(chat, group_id, part.model_dump_json())
        if count != 1:
            return None
        await asyncio.sleep(self._wait)  # Telegram sends an album's parts within milliseconds
        raw = await self._updates.album_take(chat, group_id)
        parts: dict[int, AlbumPart] = {}
        for item in raw:
            try:
                p = AlbumPart.model_validate_json(item)
            except ValidationError:
                log.warning("an unreadable album part was skipped")
                continue
            parts.setdefault(p.message_id, p)
        return sorted(parts.values(), key=lambda p: p.message_id)
