"""The per-user turn lock: one turn per user across processes, leases, owners, queuing."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from bot.ids import UserKey
from bot.state import keys
from bot.state.store import LockTimeout, Store

USER = UserKey.parse("telegram:42")
TG43 = UserKey.parse("telegram:43")


async def test_lock_is_exclusive_across_two_stores(store_a: Store, store_b: Store) -> None:
    results = await asyncio.gather(*[(store_a, store_b)[i % 2].locks.try_acquire(USER, 5) for i in range(10)])
    assert sum(r is not None for r in results) == 1
    assert await store_b.locks.try_acquire(TG43, 5) is not None  # other users are not blocked


async def test_a_crashed_holders_lock_frees_after_its_lease(store_a: Store, store_b: Store) -> None:
    assert await store_a.locks.try_acquire(USER, 0.3) is not None  # the holder dies without releasing
    assert await store_b.locks.try_acquire(USER, 5) is None
    await asyncio.sleep(0.4)
    assert await store_b.locks.try_acquire(USER, 5) is not None


async def test_only_the_owner_releases_or_renews(store_a: Store, store_b: Store) -> None:
    token = await store_a.locks.try_acquire(USER, 5)
    assert token is not None
    assert not await store_b.locks.release(USER, "someone-else")
    assert not await store_b.locks.renew(USER, "someone-else", 60)
    assert await store_b.locks.held(USER)
    assert await store_a.locks.renew(USER, token, 5)
    assert await store_a.locks.release(USER, token)
    assert not await store_a.locks.held(USER)
    assert not await store_a.locks.release(USER, token)  # releasing twice is harmless


async def test_late_release_does_not_free_the_next_holders_lock(store_a: Store, store_b: Store) -> None:
    old = await store_a.locks.try_acquire(USER, 0.1)
    await asyncio.sleep(0.15)
    new = await store_b.locks.try_acquire(USER, 5)
    assert old is not None and new is not None
    assert not await store_a.locks.release(USER, old)  # the slow first holder wakes up
    assert await store_a.locks.held(USER)


async def test_held_lock_outlives_its_lease_while_renewed(store_a: Store, store_b: Store) -> None:
    async with store_a.locks.hold(USER, 0.3):
        await asyncio.sleep(0.8)
        assert await store_b.locks.try_acquire(USER, 5) is None
    assert not await store_a.locks.held(USER)


async def test_second_turn_waits_and_is_told_it_is_queued(store_a: Store, store_b: Store) -> None:
    order: list[str] = []
    told: list[str] = []

    async def turn(store: Store, name: str, delay: float) -> None:
        async def on_wait() -> None:
            told.append(name)

        await asyncio.sleep(delay)
        async with store.locks.hold(USER, 5, on_wait=on_wait):
            order.append(f"{name} start")
            await asyncio.sleep(0.2)
            order.append(f"{name} end")

    await asyncio.gather(turn(store_a, "first", 0), turn(store_b, "second", 0.05))
    assert order == ["first start", "first end", "second start", "second end"]
    assert told == ["second"]


async def test_waiting_gives_up_after_wait_seconds(store_a: Store, store_b: Store) -> None:
    assert await store_a.locks.try_acquire(USER, 5) is not None
    with pytest.raises(LockTimeout):
        async with store_b.locks.hold(USER, 5, wait_seconds=0.2):
            pytest.fail("entered a busy lock")


async def test_lock_is_released_when_the_turn_fails(store_a: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store_a.locks.hold(USER, 5):
            raise RuntimeError("turn failed")
    assert not await store_a.locks.held(USER)


async def test_a_lock_taken_over_after_expiry_is_reported_lost_and_left_to_the_new_holder(
    store_a: Store, store_b: Store, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    async with store_a.locks.hold(USER, 0.3):
        await redis.delete(keys.lock(USER))  # as if the lease ran out during an outage
        new = await store_b.locks.try_acquire(USER, 5)
        assert new is not None
        await asyncio.sleep(0.25)  # the old holder's next renewal finds the lock not its own
        assert "turn lock of telegram:42 was lost" in caplog.text
    assert await redis.get(keys.lock(USER)) == new.encode()  # the new holder keeps its lock
