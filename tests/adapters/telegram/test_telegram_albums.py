"""Album collection through the real store: parts arriving at two bot processes become one album."""

from __future__ import annotations

import asyncio

from adapters.telegram.albums import AlbumCollector, AlbumPart
from adapters.telegram.incoming import MediaRef
from bot.ids import ChatRef
from bot.state.store import Store


def chat(chat_id: int) -> ChatRef:
    return ChatRef.of("telegram", chat_id)


def part(n: int, text: str = "") -> AlbumPart:
    media = MediaRef(file_id=f"f{n}", file_unique_id=f"u{n}", filename=f"p{n}.jpg", kind="image", size=1000)
    return AlbumPart(update_id=100 + n, message_id=10 + n, media=media, text=text)


async def test_three_parts_on_two_processes_become_one_album(store_a: Store, store_b: Store) -> None:
    first, second = AlbumCollector(store_a.updates, 0.2), AlbumCollector(store_b.updates, 0.2)
    results = await asyncio.gather(
        first.add(chat(42), "g1", part(1, "make a video")),
        second.add(chat(42), "g1", part(3)),
        first.add(chat(42), "g1", part(2)),
    )
    albums = [r for r in results if r is not None]
    assert len(albums) == 1
    assert [p.message_id for p in albums[0]] == [11, 12, 13]  # in the order the user sent them
    assert albums[0][0].text == "make a video"


async def test_a_part_delivered_twice_is_counted_once(store_a: Store, store_b: Store) -> None:
    first, second = AlbumCollector(store_a.updates, 0.2), AlbumCollector(store_b.updates, 0.2)
    results = await asyncio.gather(
        first.add(chat(42), "g2", part(1)),
        second.add(chat(42), "g2", part(1)),
        first.add(chat(42), "g2", part(2)),
    )
    (album,) = [r for r in results if r is not None]
    assert [p.media.file_id for p in album] == ["f1", "f2"]


async def test_albums_of_different_chats_stay_apart(store_a: Store) -> None:
    collector = AlbumCollector(store_a.updates, 0.1)
    a, b = await asyncio.gather(collector.add(chat(1), "g", part(1)), collector.add(chat(2), "g", part(2)))
    assert a is not None and b is not None
    assert [p.media.file_id for p in a] == ["f1"] and [p.media.file_id for p in b] == ["f2"]
