"""Render jobs: written before submit, active until delivered, delivered by exactly one process."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.state import keys
from bot.state.store import JOB_TTL, JobRecord, Store


def job(render_id: str = "render_1700000000000", **fields: object) -> JobRecord:
    base: dict[str, object] = {"user_key": "telegram:42", "platform": "telegram", "chat_id": "42"}
    return JobRecord.model_validate({"render_id": render_id, **base, **fields})


async def test_job_lifecycle_keeps_it_active_until_delivered(store_a: Store, store_b: Store) -> None:
    await store_a.save_job(job(session_id="s-1", language="zh", message_id="77"))
    assert [j.render_id for j in await store_b.active_jobs()] == ["render_1700000000000"]
    for status, progress in (("pending", 0), ("processing", 50), ("completed", 100)):
        updated = await store_a.update_job("render_1700000000000", status=status, progress=progress)
        assert updated is not None
    await store_a.update_job("render_1700000000000", url="https://cdn.example/v.mp4", attempts=1)
    resumed = await store_b.active_jobs()  # what a restarted process finds
    assert len(resumed) == 1
    found = resumed[0]
    assert (found.status, found.progress, found.url, found.attempts) == (
        "completed",
        100,
        "https://cdn.example/v.mp4",
        1,
    )
    assert (found.session_id, found.language, found.message_id, found.chat_id) == ("s-1", "zh", "77", "42")
    await store_b.finish_job("render_1700000000000", "delivered")
    assert await store_a.active_jobs() == []
    done = await store_a.get_job("render_1700000000000")
    assert done is not None and done.status == "delivered" and done.url == "https://cdn.example/v.mp4"


async def test_finished_job_expires_after_seven_days(store_a: Store, redis: aioredis.Redis) -> None:
    await store_a.save_job(job())
    assert await redis.ttl(keys.job("render_1700000000000")) == -1  # never expires while active
    await store_a.finish_job("render_1700000000000", "cancelled")
    ttl = await redis.ttl(keys.job("render_1700000000000"))
    assert JOB_TTL - 5 < ttl <= JOB_TTL


async def test_failed_job_stays_active_until_the_user_is_told(store_a: Store) -> None:
    await store_a.save_job(job(status="failed", error="render failed"))
    assert [j.status for j in await store_a.active_jobs()] == ["failed"]
    await store_a.finish_job("render_1700000000000", "failed")
    assert await store_a.active_jobs() == []


async def test_saving_a_delivered_job_takes_it_out_of_the_active_set(store_a: Store) -> None:
    await store_a.save_job(job())
    await store_a.save_job(job(status="delivered"))
    assert await store_a.active_jobs() == []


async def test_active_jobs_come_oldest_first_and_skip_vanished_ones(
    store_a: Store, redis: aioredis.Redis
) -> None:
    await store_a.save_job(job("render_b", created=200.0))
    await store_a.save_job(job("render_a", created=300.0))
    await store_a.save_job(job("render_c", created=100.0))
    await redis.delete(keys.job("render_a"))
    assert [j.render_id for j in await store_a.active_jobs()] == ["render_c", "render_b"]
    assert await redis.smembers(keys.JOBS_ACTIVE) == {b"render_b", b"render_c"}


async def test_unknown_job_is_none(store_a: Store) -> None:
    assert await store_a.get_job("render_nope") is None
    assert await store_a.update_job("render_nope", progress=5) is None
    await store_a.finish_job("render_nope")  # harmless


async def test_delivery_claim_goes_to_exactly_one_of_two_processes(store_a: Store, store_b: Store) -> None:
    await store_a.save_job(job())
    for _ in range(10):
        await store_a.redis.delete(keys.delivery("render_1700000000000"))
        results = await asyncio.gather(
            store_a.claim_job("render_1700000000000", "bot-a", 30),
            store_b.claim_job("render_1700000000000", "bot-b", 30),
        )
        assert sorted(results) == [False, True]


async def test_delivery_claim_is_renewed_and_released_by_its_owner_only(
    store_a: Store, store_b: Store
) -> None:
    assert await store_a.claim_job("render_1", "bot-a", 30)
    assert await store_a.claim_job("render_1", "bot-a", 30)  # renewal
    assert not await store_b.claim_job("render_1", "bot-b", 30)
    assert not await store_b.release_job("render_1", "bot-b")
    assert await store_a.release_job("render_1", "bot-a")
    assert await store_b.claim_job("render_1", "bot-b", 30)


async def test_delivery_claim_of_a_dead_owner_expires(store_a: Store, store_b: Store) -> None:
    assert await store_a.claim_job("render_1", "bot-a", 0.2)
    assert not await store_b.claim_job("render_1", "bot-b", 30)
    await asyncio.sleep(0.3)
    assert await store_b.claim_job("render_1", "bot-b", 30)
