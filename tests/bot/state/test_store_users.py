"""Users in Redis: the client id made once and kept, tokens encrypted at rest, partial updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from bot.backend.user import Credentials, CredentialStore
from bot.ids import UserKey
from bot.state import keys
from bot.state.connect import connect_url
from bot.state.crypto import TokenCipher
from bot.state.store import Store, UserRecord
from common.redis_server import RedisServer

ANN = UserKey.parse("console:ann")
DC42 = UserKey.parse("discord:42")
DC9 = UserKey.parse("discord:9")
TG42 = UserKey.parse("telegram:42")
TG7 = UserKey.parse("telegram:7")

TOKEN = "nmv_usr_" + "Q7xv2LkP9sWm4TzR8yHcN3bVfJ6gDa1eKu5oXiZt"


async def test_first_contact_creates_client_id_kept_across_reloads(store_a: Store, store_b: Store) -> None:
    first = await store_a.users.get(TG42)
    assert len(first.client_id) == 36  # a uuid4
    again = await store_a.users.get(TG42)
    from_other_process = await store_b.users.get(TG42)
    assert again.client_id == from_other_process.client_id == first.client_id
    other_user = await store_a.users.get(DC42)
    assert other_user.client_id != first.client_id


async def test_simultaneous_first_contacts_agree_on_one_client_id(store_a: Store, store_b: Store) -> None:
    records = await asyncio.gather(*[(store_a, store_b)[i % 2].users.get(TG7) for i in range(20)])
    assert len({r.client_id for r in records}) == 1


async def test_client_id_survives_a_redis_restart(
    private_redis: RedisServer, store_cipher: TokenCipher
) -> None:
    store = Store(connect_url(private_redis.url).client, store_cipher)
    client_id = (await store.users.get(ANN)).client_id
    await store.users.update(ANN, token=TOKEN, session_id="s-1")
    await store.aclose()
    private_redis.stop()
    private_redis.start()
    store = Store(connect_url(private_redis.url).client, store_cipher)
    try:
        rec = await store.users.get(ANN)
    finally:
        await store.aclose()
    assert rec.client_id == client_id
    assert rec.token_value == TOKEN and rec.session_id == "s-1"


async def test_token_is_encrypted_at_rest(store_a: Store, redis: aioredis.Redis) -> None:
    rec = await store_a.users.update(TG42, token=TOKEN, own_token=True)
    raw = await redis.hgetall(keys.user(TG42))
    stored = repr(sorted(raw.items()))  # every field name and value, as stored
    assert TOKEN not in stored
    assert "Q7xv2LkP9sWm" not in stored
    assert TOKEN not in repr(rec) and TOKEN not in str(rec.model_dump())
    assert (await store_a.users.get(TG42)).token_value == TOKEN


async def test_token_under_another_key_reads_as_absent(store_a: Store, redis: aioredis.Redis) -> None:
    await store_a.users.update(TG42, token=TOKEN, session_id="s-9")
    other = Store(redis, TokenCipher.generate())
    rec = await other.users.get(TG42)
    assert rec.token is None  # the user just gets a new anonymous token
    assert rec.session_id == "s-9" and rec.client_id == (await store_a.users.get(TG42)).client_id


async def test_idle_user_is_a_client_id_and_a_date(store_a: Store, redis: aioredis.Redis) -> None:
    await store_a.users.get(TG42)
    raw = await redis.hgetall(keys.user(TG42))
    assert set(raw) == {b"cid", b"at"}
    assert await redis.ttl(keys.user(TG42)) == -1  # kept for good


async def test_update_writes_only_the_named_fields(store_a: Store, store_b: Store) -> None:
    await store_a.users.get(TG42)
    stale = await store_b.users.get(TG42)  # another process holds an older copy
    await store_a.users.update(TG42, last_draft_digest="d1", language="zh")
    stale.session_id = "s-2"
    await store_b.users.save(stale, ["session_id"])
    rec = await store_a.users.get(TG42)
    assert (rec.last_draft_digest, rec.language, rec.session_id) == ("d1", "zh", "s-2")


async def test_clearing_a_field_removes_it(store_a: Store, redis: aioredis.Redis) -> None:
    await store_a.users.update(TG42, session_id="s-1", task_id="t-1", token=TOKEN, own_token=True)
    rec = await store_a.users.update(TG42, session_id=None, token=None, own_token=False)
    assert rec.session_id is None and rec.token is None and rec.task_id == "t-1"
    raw = await redis.hgetall(keys.user(TG42))
    assert set(raw) == {b"cid", b"at", b"tid"}


async def test_save_user_round_trips_every_field(store_a: Store) -> None:
    rec = UserRecord(
        user_key=DC9,
        client_id="c0ffee00-0000-4000-8000-000000000001",
        token=TOKEN,  # type: ignore[arg-type]
        token_expires=1_900_000_000.5,
        anon_user_id="anon-1",
        session_id="s-1",
        task_id="t-1",
        language="en",
        last_draft_digest="abc",
        own_token=True,
        created=1_800_000_000,
    )
    await store_a.users.save(rec)
    assert await store_a.users.get(DC9) == rec


async def test_update_rejects_unknown_or_invalid_fields(store_a: Store) -> None:
    with pytest.raises(ValueError):
        await store_a.users.update(TG42, colour="red")
    with pytest.raises(ValueError):
        await store_a.users.update(TG42, own_token="not a bool")


async def test_credentials_round_trip_through_the_user_record(store_a: Store) -> None:
    creds_store: CredentialStore = store_a.credentials(TG42)
    creds = await creds_store.load()
    rec = await store_a.users.get(TG42)
    assert creds.client_id == rec.client_id and creds.token is None
    expires = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    changed = creds.model_copy(
        update={"token": TOKEN, "token_expires": expires, "session_id": "s-5", "language": "zh"}
    )
    await creds_store.save(changed)
    again = await store_a.credentials(TG42).load()
    assert isinstance(again, Credentials)
    assert (again.token, again.token_expires, again.session_id, again.language) == (
        TOKEN,
        expires,
        "s-5",
        "zh",
    )
    assert again.client_id == creds.client_id and not again.own_token
    rec = await store_a.users.get(TG42)
    assert rec.token_value == TOKEN and rec.token_expires == expires.timestamp()


async def test_saving_credentials_keeps_the_rest_of_the_record(store_a: Store) -> None:
    await store_a.users.update(TG42, last_draft_digest="d1")
    creds_store = store_a.credentials(TG42)
    creds = await creds_store.load()
    await creds_store.save(creds.model_copy(update={"client_id": "c0ffee00-0000-4000-8000-0000000000aa"}))
    rec = await store_a.users.get(TG42)
    assert rec.last_draft_digest == "d1"
    assert rec.client_id == "c0ffee00-0000-4000-8000-0000000000aa"  # replaced on purpose (400 recovery)
