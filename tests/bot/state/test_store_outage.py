"""Redis going away: every store call says StoreUnavailable (fast), and the same Store recovers."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.ids import ChatRef, UserKey
from bot.state.connect import connect_url, safe_url
from bot.state.crypto import TokenCipher
from bot.state.errors import translate
from bot.state.store import JobRecord, Store, StoreError, StoreUnavailable, UserRecord
from common.redis_server import RedisServer
from tests.fixtures_store import make_settings

TG1 = UserKey.parse("telegram:1")
CHAT = ChatRef.parse("telegram:1")
JOB = JobRecord(render_id="render_1", user_key=TG1, chat=CHAT)
USER = UserRecord(user_key=TG1, client_id="c0ffee00-0000-4000-8000-000000000001")

CALLS: dict[str, tuple[Any, ...]] = {
    "ping": (),
    "users.get": (TG1,),
    "users.save": (USER,),
    "users.update": (TG1,),
    "users.first_tip": (TG1, "long"),
    "jobs.save": (JOB,),
    "jobs.get": ("render_1",),
    "jobs.is_active": ("render_1",),
    "jobs.finish": ("render_1",),
    "jobs.active": (),
    "leases.claim": ("render_1", "bot-a", 30),
    "leases.renew": ("render_1", "bot-a", 30),
    "leases.release": ("render_1", "bot-a"),
    "leases.held": ("render_1",),
    "updates.claim": ("telegram", 5),
    "updates.album_add": (CHAT, "g", "{}"),
    "updates.album_take": (CHAT, "g"),
    "locks.try_acquire": (TG1, 5),
    "locks.claim": (TG1, "token", 5),
    "locks.renew": (TG1, "token", 5),
    "locks.release": (TG1, "token"),
    "locks.held": (TG1,),
    "cancels.publish": (TG1,),
    "quotas.renders_today": (TG1,),
    "quotas.count_render": (TG1,),
    "quotas.seen": (TG1,),
    "quotas.today": (),
    "paces.record": (2.0,),
    "paces.median": (),
}
PARTS = ("users", "jobs", "leases", "updates", "locks", "cancels", "quotas", "paces")


def call(store: Store, name: str) -> Any:
    target: Any = store
    for attr in name.split("."):
        target = getattr(target, attr)
    return target


@pytest.fixture
async def outage_store(private_redis: RedisServer, data_dir: Any) -> AsyncIterator[Store]:
    settings = make_settings(redis_url=private_redis.url, data_dir=data_dir)
    store = await Store.connect(settings)
    yield store
    await store.aclose()


def test_every_public_coroutine_is_covered() -> None:
    store = Store(connect_url("redis://127.0.0.1:1").client, TokenCipher.generate())  # never contacted
    public = {
        name
        for name, fn in inspect.getmembers(Store, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in {"connect", "aclose"}
    }
    for part in PARTS:
        public |= {
            f"{part}.{name}"
            for name, fn in inspect.getmembers(type(getattr(store, part)), inspect.iscoroutinefunction)
            if not name.startswith("_")
        }
    assert public == set(CALLS)


async def test_every_call_reports_unavailable_quickly_while_redis_is_down(
    outage_store: Store, private_redis: RedisServer
) -> None:
    await outage_store.users.get(TG1)
    private_redis.stop()
    for name, args in CALLS.items():
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await call(outage_store, name)(*args)
        assert time.monotonic() - started < 2.0, name
    with pytest.raises(StoreUnavailable):
        async with outage_store.locks.hold(TG1, 5):
            pytest.fail("entered a lock without Redis")
    with pytest.raises(StoreUnavailable):
        async with outage_store.cancels.subscribe():
            pytest.fail("subscribed without Redis")


async def test_the_same_store_works_again_once_redis_is_back(
    outage_store: Store, private_redis: RedisServer
) -> None:
    client_id = (await outage_store.users.get(TG1)).client_id
    private_redis.stop()
    with pytest.raises(StoreUnavailable):
        await outage_store.users.get(TG1)
    private_redis.start()
    assert await outage_store.ping()
    assert (await outage_store.users.get(TG1)).client_id == client_id  # append-only file
    async with outage_store.locks.hold(TG1, 5):
        assert await outage_store.locks.held(TG1)


class TurnFailed(Exception):
    """What the turn itself raised."""


async def test_lock_release_during_an_outage_does_not_mask_the_turn(
    outage_store: Store, private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    # the turn's own outcome leaves the block, not the release's StoreUnavailable: an error ...
    with pytest.raises(TurnFailed):
        async with outage_store.locks.hold(TG1, 0.5):
            private_redis.stop()
            raise TurnFailed
    # ... and a turn that went well ends well
    private_redis.start()
    async with outage_store.locks.hold(UserKey.parse("telegram:2"), 0.5):
        private_redis.stop()
    assert "could not release the turn lock of telegram:1 (it will expire)" in caplog.text
    private_redis.start()
    # the lease ran out by itself: the user's next turn gets the lock
    deadline = time.monotonic() + 5
    while await outage_store.locks.held(TG1):
        assert time.monotonic() < deadline, "the unreleased lock never expired"
        await asyncio.sleep(0.05)
    async with outage_store.locks.hold(TG1, 5, wait_seconds=1):
        assert await outage_store.locks.held(TG1)


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
