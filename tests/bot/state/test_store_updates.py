"""Platform update de-duplication and album collection."""

from __future__ import annotations

import asyncio
import json

import redis.asyncio as aioredis

from bot.ids import ChatRef
from bot.state import keys
from bot.state.store import ALBUM_TTL, SEEN_TTL, Store


async def test_a_repeated_update_is_handled_once(
    store_a: Store, store_b: Store, redis: aioredis.Redis
) -> None:
    results = await asyncio.gather(
        *[(store_a, store_b)[i % 2].updates.claim("telegram", 1001) for i in range(6)]
    )
    assert results.count(True) == 1
    assert await store_a.updates.claim("telegram", 1002)
    assert await store_a.updates.claim("discord", 1001)  # ids are per platform
    ttl = await redis.ttl(keys.seen("telegram", 1001))
    assert SEEN_TTL - 5 < ttl <= SEEN_TTL


async def test_album_items_are_collected_in_order_and_taken_once(store_a: Store, store_b: Store) -> None:
    items = [json.dumps({"file": f"photo{i}.jpg"}) for i in range(3)]
    counts = [
        await (store_a, store_b)[i % 2].updates.album_add(ChatRef.of("telegram", -100123), "g77", item)
        for i, item in enumerate(items)
    ]
    assert counts == [1, 2, 3]
    group = ChatRef.of("telegram", -100123)  # a Telegram supergroup
    takes = await asyncio.gather(*(store.updates.album_take(group, "g77") for store in (store_a, store_b)))
    assert sorted(takes, key=len) == [[], items]


async def test_albums_are_kept_apart_by_chat_and_group(store_a: Store) -> None:
    await store_a.updates.album_add(ChatRef.of("telegram", 1), "g", "a")
    await store_a.updates.album_add(ChatRef.of("telegram", 2), "g", "b")
    await store_a.updates.album_add(ChatRef.of("telegram", 1), "h", "c")
    assert await store_a.updates.album_take(ChatRef.of("telegram", 1), "g") == ["a"]
    assert await store_a.updates.album_take(ChatRef.of("telegram", 2), "g") == ["b"]


async def test_an_abandoned_album_expires_within_a_minute(store_a: Store, redis: aioredis.Redis) -> None:
    await store_a.updates.album_add(ChatRef.of("telegram", 1), "g", "a")
    ttl = await redis.pttl(keys.album(ChatRef.of("telegram", 1), "g"))
    assert ALBUM_TTL * 1000 - 2000 < ttl <= ALBUM_TTL * 1000
