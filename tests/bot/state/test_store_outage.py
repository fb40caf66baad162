"""Redis going away: every store call says StoreUnavailable (fast), and the same Store recovers."""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.state.connect import safe_url
from bot.state.errors import translate
from bot.state.store import JobRecord, Store, StoreError, StoreUnavailable, UserRecord
from common.redis_server import RedisServer
from tests.fixtures_store import make_settings

JOB = JobRecord(render_id="render_1", user_key="telegram:1", platform="telegram", chat_id="1")
USER = UserRecord(user_key="telegram:1", client_id="c0ffee00-0000-4000-8000-000000000001")

CALLS: dict[str, tuple[Any, ...]] = {
    "ping": (),
    "get_user": ("telegram:1",),
    "save_user": (USER,),
    "update_user": ("telegram:1",),
    "save_job": (JOB,),
    "get_job": ("render_1",),
    "update_job": ("render_1",),
    "finish_job": ("render_1",),
    "active_jobs": (),
    "claim_job": ("render_1", "bot-a", 30),
    "release_job": ("render_1", "bot-a"),
    "claim_update": ("telegram", 5),
    "album_add": ("telegram", 1, "g", "{}"),
    "album_take": ("telegram", 1, "g"),
    "try_acquire": ("telegram:1", 5),
    "renew": ("telegram:1", "token", 5),
    "release": ("telegram:1", "token"),
    "is_locked": ("telegram:1",),
    "memory_per_user": (1,),
}


@pytest.fixture
async def outage_store(private_redis: RedisServer, data_dir: Any) -> AsyncIterator[Store]:
    settings = make_settings(redis_url=private_redis.url, data_dir=data_dir)
    store = await Store.connect(settings)
    yield store
    await store.aclose()


def test_every_public_coroutine_is_covered() -> None:
    public = {
        name
        for name, fn in inspect.getmembers(Store, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in {"connect", "aclose"}
    }
    assert public == set(CALLS)


async def test_every_call_reports_unavailable_quickly_while_redis_is_down(
    outage_store: Store, private_redis: RedisServer
) -> None:
    await outage_store.get_user("telegram:1")
    private_redis.stop()
    for name, args in CALLS.items():
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await getattr(outage_store, name)(*args)
        assert time.monotonic() - started < 2.0, name
    with pytest.raises(StoreUnavailable):
        async with outage_store.lock("telegram:1", 5):
            pytest.fail("entered a lock without Redis")


async def test_the_same_store_works_again_once_redis_is_back(
    outage_store: Store, private_redis: RedisServer
) -> None:
    client_id = (await outage_store.get_user("telegram:1")).client_id
    private_redis.stop()
    with pytest.raises(StoreUnavailable):
        await outage_store.get_user("telegram:1")
    private_redis.start()
    assert await outage_store.ping()
    assert (await outage_store.get_user("telegram:1")).client_id == client_id  # append-only file
    async with outage_store.lock("telegram:1", 5):
        assert await outage_store.is_locked("telegram:1")


async def test_lock_release_during_an_outage_does_not_mask_the_turn(
    outage_store: Store, private_redis: RedisServer
) -> None:
    async with outage_store.lock("telegram:1", 5):
        private_redis.stop()  # the lease will run out by itself
    private_redis.start()


def test_redis_errors_are_translated_without_passwords() -> None:
    from redis.exceptions import ConnectionError, ResponseError

    down = translate(ConnectionError("Error connecting to redis://:hunter2@db:6379"))
    assert isinstance(down, StoreUnavailable) and "hunter2" not in str(down)
    bug = translate(ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"))
    assert type(bug) is StoreError
    assert (
        safe_url("redis+sentinel://u:p%40ss@h1:26379,h2/mymaster")
        == "redis+sentinel://u:***@h1:26379,h2/mymaster"
    )
