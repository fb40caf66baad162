"""The anonymous-token proof protocol, bot side, against the real studio (docs/studio.md,
"Anonymous tokens"): the client secret kept encrypted, the last token and the secret sent on every
renewal, and a refused proof (1003) answered with one new client id — a fresh project the user is
told about. The cloud ignores the proof headers: the same renewal against the fake backend."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from bot.backend.client import NemoClient
from bot.backend.errors import ClientProofRefused
from bot.backend.user import NemoUser
from bot.ids import UserKey
from bot.state.crypto import TokenCipher
from bot.state.store import Store
from bot.testing.fakenemo import FakeNemo
from tests.fixtures_engine import Chat
from tests.fixtures_studio import StudioFactory

ALICE = UserKey("console", "alice")


async def _user(url: str, redis: aioredis.Redis) -> tuple[NemoUser, Store, NemoClient]:
    client = NemoClient(url, skill_platform="test", retries=0)
    store = Store(redis, TokenCipher.generate())
    return NemoUser(client, store.credentials(ALICE)), store, client


async def test_the_client_secret_of_the_first_token_is_kept_encrypted_and_never_logged(
    make_studio: StudioFactory, caplog: pytest.LogCaptureFixture
) -> None:
    studio = await make_studio()
    user, store, client = await _user(studio.url, studio.redis)
    caplog.set_level(logging.DEBUG)
    try:
        await user.ensure_ready()
        creds = user.credentials
        assert creds is not None and creds.client_secret and creds.client_secret.startswith("vbcs_")
        raw = await studio.redis.hgetall(f"vb:u:{ALICE}")
        assert b"cs" in raw and creds.client_secret.encode() not in raw[b"cs"]
        assert all(creds.client_secret.encode() not in value for value in raw.values())
        assert (await store.users.get(ALICE)).client_secret is not None
        assert creds.client_secret not in repr(creds) and creds.client_secret not in caplog.text
    finally:
        await client.aclose()


async def test_a_token_lost_from_the_record_is_renewed_with_the_client_secret_alone(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio()
    user, _, client = await _user(studio.url, studio.redis)
    try:
        await user.ensure_ready()
        assert user.credentials is not None
        user_id, sid = user.credentials.anon_user_id, user.credentials.session_id
        await studio.redis.hdel(f"vb:u:{ALICE}", "tok", "tex")  # e.g. a token that no longer decrypts

        assert await user.ensure_ready() is True  # a new token, proved by the secret alone
        assert (user.credentials.anon_user_id, user.credentials.session_id) == (user_id, sid)
        assert user.account_renewed is False
        assert len([k async for k in studio.redis.scan_iter("studio:token:*")]) == 1
    finally:
        await client.aclose()


async def test_the_renewal_before_expiry_proves_the_client_with_the_last_token(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio()
    user, store, client = await _user(studio.url, studio.redis)
    try:
        await user.ensure_ready()
        assert user.credentials is not None
        old, user_id = user.credentials.token, user.credentials.anon_user_id
        # as if bound before secrets existed: neither side has a secret, only the token proves it
        await store.users.update(ALICE, client_secret=None,
                                 token_expires=datetime.now(UTC) + timedelta(minutes=1))
        (cid,) = [k async for k in studio.redis.scan_iter("studio:cid:*")]
        await studio.redis.hdel(cid, "secret_hash")
        assert await user.ensure_ready() is True  # within 5 min of expiry: renewed first
        assert user.credentials.token != old and user.credentials.anon_user_id == user_id
        # a record bound before secrets existed gets its secret with the first proved renewal
        assert (await store.users.get(ALICE)).client_secret is not None
    finally:
        await client.aclose()


async def test_a_refused_proof_starts_one_new_client_id_and_the_user_is_told(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio()
    user, store, client = await _user(studio.url, studio.redis)
    try:
        await user.ensure_ready()
        assert user.credentials is not None
        before = user.credentials.model_copy()
        with pytest.raises(ClientProofRefused):
            await client.anonymous_token(before.client_id)  # the studio wants proof
        await store.users.update(ALICE, client_secret=None, token=None)  # both proofs lost

        credits = await user.credits()  # no token → a new one → 1003 → a new client id, once
        assert credits.available == 100  # a new anonymous user
        after = await store.users.get(ALICE)
        assert after.client_id != before.client_id and after.anon_user_id != before.anon_user_id
        assert after.session_id != before.session_id and after.client_secret is not None
        assert user.account_renewed is True
    finally:
        await client.aclose()


async def test_the_cloud_ignores_the_proof_and_the_renewal_still_works(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await chat.send("/credits")
    fake_nemo.expire_tokens()
    answers = await chat.send("/credits")
    assert any("Credits: 100" in a for a in answers)
    first, renewal = fake_nemo.requests_to("/api/auth/anonymous-token")
    assert "authorization" not in first.headers and "x-client-secret" not in first.headers
    assert renewal.headers["authorization"].startswith("Bearer nmv_usr_")
    assert renewal.headers["x-client-id"] == first.headers["x-client-id"]


async def test_a_1003_in_a_turn_is_one_fresh_project_line(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/credits")
    fake_nemo.expire_tokens()
    fake_nemo.fail_next("/api/auth/anonymous-token", status=403, code=1003)
    answers = await chat.send("/credits")
    assert any("started a fresh one" in a for a in answers)
    assert any("Credits: 100" in a for a in answers)
    first, refused, fresh = fake_nemo.requests_to("/api/auth/anonymous-token")
    assert refused.headers["x-client-id"] == first.headers["x-client-id"]
    assert fresh.headers["x-client-id"] != first.headers["x-client-id"]
    assert "authorization" not in fresh.headers
