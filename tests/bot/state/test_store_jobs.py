"""Render jobs: written before submit, active until delivered, delivered by exactly one process."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.ids import ChatRef, UserKey
from bot.state import keys
from bot.state.store import JOB_TTL, JobRecord, Store


def job(render_id: str = "render_1700000000000", **fields: object) -> JobRecord:
    base: dict[str, object] = {"user_key": "telegram:42", "chat": "telegram:-100123"}
    return JobRecord.model_validate({"render_id": render_id, **base, **fields})


async def test_job_lifecycle_keeps_it_active_until_delivered(store_a: Store, store_b: Store) -> None:
    record = job(session_id="s-1", language="zh")
    await store_a.jobs.save(record)
    assert [j.render_id for j in await store_b.jobs.active()] == ["render_1700000000000"]
    for status, progress in (("pending", 0), ("processing", 50), ("completed", 100)):
        record.status, record.progress = status, progress  # type: ignore[assignment]
        await store_a.jobs.save(record)  # after every poll
    record.url, record.attempts = "https://cdn.example/v.mp4", 1
    await store_a.jobs.save(record)
    resumed = await store_b.jobs.active()  # what a restarted process finds
    assert len(resumed) == 1
    found = resumed[0]
    assert (found.status, found.progress, found.url, found.attempts) == (
        "completed",
        100,
        "https://cdn.example/v.mp4",
        1,
    )
    assert (found.session_id, found.language) == ("s-1", "zh")
    assert (found.user_key, found.chat) == (UserKey("telegram", "42"), ChatRef("telegram", "-100123"))
    await store_b.jobs.finish("render_1700000000000", "delivered")
    assert await store_a.jobs.active() == []
    done = await store_a.jobs.get("render_1700000000000")
    assert done is not None and done.status == "delivered" and done.url == "https://cdn.example/v.mp4"


async def test_finished_job_expires_after_seven_days(store_a: Store, redis: aioredis.Redis) -> None:
    await store_a.jobs.save(job())
    assert await redis.ttl(keys.job("render_1700000000000")) == -1  # never expires while active
    await store_a.jobs.finish("render_1700000000000", "cancelled")
    ttl = await redis.ttl(keys.job("render_1700000000000"))
    assert JOB_TTL - 5 < ttl <= JOB_TTL


async def test_failed_job_stays_active_until_the_user_is_told(store_a: Store) -> None:
    await store_a.jobs.save(job(status="failed", error="render failed"))
    assert [j.status for j in await store_a.jobs.active()] == ["failed"]
    await store_a.jobs.finish("render_1700000000000", "failed")
    assert await store_a.jobs.active() == []


async def test_saving_a_delivered_job_takes_it_out_of_the_active_set(store_a: Store) -> None:
    await store_a.jobs.save(job())
    await store_a.jobs.save(job(status="delivered"))
    assert await store_a.jobs.active() == []


async def test_active_jobs_come_oldest_first_and_skip_vanished_ones(
    store_a: Store, redis: aioredis.Redis
) -> None:
    await store_a.jobs.save(job("render_b", created=200.0))
    await store_a.jobs.save(job("render_a", created=300.0))
    await store_a.jobs.save(job("render_c", created=100.0))
    await redis.delete(keys.job("render_a"))
    assert [j.render_id for j in await store_a.jobs.active()] == ["render_c", "render_b"]
    assert await redis.smembers(keys.JOBS_ACTIVE) == {b"render_b", b"render_c"}


async def test_unknown_job_is_none(store_a: Store) -> None:
    assert await store_a.jobs.get("render_nope") is None
    assert not await store_a.jobs.is_active("render_nope")
    await store_a.jobs.finish("render_nope")  # harmless


async def test_delivery_claim_goes_to_exactly_one_of_two_processes(store_a: Store, store_b: Store) -> None:
    await store_a.jobs.save(job())
    for _ in range(10):
        await store_a.leases.release("render_1700000000000", "bot-a")
        await store_b.leases.release("render_1700000000000", "bot-b")
        results = await asyncio.gather(
            store_a.leases.claim("render_1700000000000", "bot-a", 30),
            store_b.leases.claim("render_1700000000000", "bot-b", 30),
        )
        assert sorted(results) == [False, True]


async def test_delivery_claim_is_renewed_and_released_by_its_owner_only(
    store_a: Store, store_b: Store
) -> None:
    assert not await store_b.leases.held("render_1")
    assert await store_a.leases.claim("render_1", "bot-a", 30)
    assert await store_b.leases.held("render_1")  # what an adopting process sees
    assert await store_a.leases.claim("render_1", "bot-a", 30)  # renewal
    assert not await store_b.leases.claim("render_1", "bot-b", 30)
    assert not await store_b.leases.release("render_1", "bot-b")
    assert await store_a.leases.release("render_1", "bot-a")
    assert await store_b.leases.claim("render_1", "bot-b", 30)


async def test_delivery_claim_of_a_dead_owner_expires(store_a: Store, store_b: Store) -> None:
    assert await store_a.leases.claim("render_1", "bot-a", 0.2)
    assert not await store_b.leases.claim("render_1", "bot-b", 30)
    await asyncio.sleep(0.3)
    assert await store_b.leases.claim("render_1", "bot-b", 30)


async def test_a_job_written_by_an_older_bot_still_resumes(store_a: Store, redis: aioredis.Redis) -> None:
    """The job hash keeps the chat as `platform` and `chat_id`: a record from before the typed ids
    reads the same (a job left by an older bot process is delivered after the upgrade)."""
    await redis.hset(keys.job("render_old"), mapping={
        "user_key": "discord:1234567890123456789", "platform": "discord", "chat_id": "998877665544332211",
        "status": "pending", "attempts": "1", "message_id": "77",  # a field no longer read
        "created": "1700000000", "updated": "1700000000",
    })
    await redis.sadd(keys.JOBS_ACTIVE, "render_old")
    (found,) = await store_a.jobs.active()
    assert found.user_key == UserKey("discord", "1234567890123456789")
    assert found.chat == ChatRef("discord", "998877665544332211")
    assert found.status == "pending" and found.attempts == 1
