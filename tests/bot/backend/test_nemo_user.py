"""NemoUser against the fake server, credentials in the real Redis: set-up, recovery, token precedence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backend.client import NemoClient
from bot.backend.errors import OutOfCredits, StreamBroken, TokenInvalid
from bot.backend.user import Credentials, NemoUser
from bot.testing.fakenemo import BREAK, FakeNemo, adk_text
from tests.fixtures_nemo import RedisCredentialStore


@pytest.fixture
def user(nemo_client: NemoClient, nemo_creds: RedisCredentialStore) -> NemoUser:
    return NemoUser(nemo_client, nemo_creds)


async def test_first_contact_creates_token_and_session_then_reuses_them(
    user: NemoUser, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    assert await user.ensure_ready() is True
    saved = await nemo_creds.load()
    assert saved.token and saved.token.startswith("nmv_usr_")
    assert saved.session_id in fake_nemo.sessions
    assert saved.anon_user_id and saved.anon_user_id.startswith("anon_")
    assert saved.token_expires is not None
    assert await user.ensure_ready() is False
    again = NemoUser(user.client, nemo_creds)  # another process, same user
    assert await again.ensure_ready() is False
    assert len(fake_nemo.requests_to("/api/auth/anonymous-token")) == 1
    assert len(fake_nemo.requests_to("/api/tasks/*")) == 1


async def test_language_is_passed_to_session_creation(
    nemo_client: NemoClient, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    await nemo_creds.save(Credentials(client_id="cid-zh", language="zh-CN"))
    await NemoUser(nemo_client, nemo_creds).ensure_ready()
    (req,) = fake_nemo.requests_to("/api/tasks/*")
    assert req.json == {"task_name": "project", "language": "zh-CN"}
    assert next(iter(fake_nemo.sessions.values())).language == "zh-CN"


async def test_expired_token_is_renewed_for_the_same_client_id_and_the_call_retried(
    user: NemoUser, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    before = await nemo_creds.load()
    fake_nemo.expire_tokens()
    credits = await user.credits()
    after = await nemo_creds.load()
    assert credits.available == 100
    assert after.token != before.token
    assert (after.client_id, after.anon_user_id, after.session_id) == (
        before.client_id, before.anon_user_id, before.session_id,
    )
    ids = [r.headers["x-client-id"] for r in fake_nemo.requests_to("/api/auth/anonymous-token")]
    assert ids == [before.client_id, before.client_id]
    assert user.session_renewed is False


async def test_token_invalid_twice_is_raised_after_one_renewal(
    user: NemoUser, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    fake_nemo.fail_next("/api/credits/*", code=1001, times=2)
    with pytest.raises(TokenInvalid):
        await user.credits()
    assert len(fake_nemo.requests_to("/api/auth/anonymous-token")) == 2
    assert len(fake_nemo.requests_to("/api/credits/*")) == 2


async def test_token_about_to_expire_is_renewed_before_the_call(
    user: NemoUser, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    creds = await nemo_creds.load()
    creds.token_expires = datetime.now(UTC) + timedelta(minutes=1)
    await nemo_creds.save(creds)
    fake_nemo.expire_tokens()
    assert await user.ensure_ready() is True
    await user.state()
    assert len(fake_nemo.requests_to("/api/state/*")) == 1  # no failed call first


async def test_lost_session_is_replaced_flagged_and_the_call_retried(
    user: NemoUser, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    old = (await nemo_creds.load()).session_id
    fake_nemo.drop_sessions()
    snap = await user.state()
    new = (await nemo_creds.load()).session_id
    assert new != old and snap.session_id == new
    assert user.session_renewed is True


async def test_chat_recovers_a_lost_session_before_the_first_event(
    user: NemoUser, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    fake_nemo.drop_sessions()
    texts = [e.text async for e in user.chat("make a video") if e.kind == "text" and not e.partial]
    assert texts == ["Here is your draft: make a video"]
    assert user.session_renewed is True
    (session,) = fake_nemo.sessions.values()
    assert session.messages == ["make a video"]  # the agent got it exactly once


async def test_chat_recovers_an_expired_token_before_the_first_event(
    user: NemoUser, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    fake_nemo.expire_tokens()
    kinds = [e.kind async for e in user.chat("hi")]
    assert "text" in kinds


async def test_chat_that_breaks_after_the_first_event_is_never_re_sent(
    user: NemoUser, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    fake_nemo.script_turn([adk_text("Generating", partial=True), BREAK])
    with pytest.raises(StreamBroken):
        async for _ in user.chat("generate a 30 second video"):
            pass
    assert len(fake_nemo.requests_to("/run_sse")) == 1


async def test_chat_broken_before_any_event_is_not_re_sent_either(
    user: NemoUser, fake_nemo: FakeNemo
) -> None:
    await user.ensure_ready()
    fake_nemo.script_turn([BREAK])
    with pytest.raises(StreamBroken):
        async for _ in user.chat("generate"):
            pass
    assert len(fake_nemo.requests_to("/run_sse")) == 1


async def test_refused_client_id_is_replaced_and_the_token_call_retried(
    user: NemoUser, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    await nemo_creds.save(Credentials(client_id="original-id"))
    fake_nemo.fail_next("/api/auth/anonymous-token", status=400, body={"code": 400, "message": "bad client"})
    assert await user.ensure_ready() is True
    saved = await nemo_creds.load()
    assert saved.client_id != "original-id" and saved.token
    ids = [r.headers.get("x-client-id") for r in fake_nemo.requests_to("/api/auth/anonymous-token")]
    assert ids == ["original-id", saved.client_id]


async def test_out_of_credits_is_not_recovered(user: NemoUser, fake_nemo: FakeNemo) -> None:
    await user.ensure_ready()
    fake_nemo.fail_next("/run_sse", code=2001)
    with pytest.raises(OutOfCredits):
        async for _ in user.chat("generate"):
            pass
    assert len(fake_nemo.requests_to("/run_sse")) == 1


async def test_operator_token_is_used_and_never_replaced_by_an_anonymous_one(
    nemo_client: NemoClient, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    fake_nemo.add_token("nmv_usr_operator0000000000000000000000000000")
    user = NemoUser(nemo_client, nemo_creds, operator_token="nmv_usr_operator0000000000000000000000000000")
    await user.credits()
    assert fake_nemo.requests_to("/api/auth/anonymous-token") == []
    assert fake_nemo.requests_to("/api/credits/*")[0].headers["authorization"].endswith("operator" + "0" * 28)
    fake_nemo.expire_tokens()
    with pytest.raises(TokenInvalid):
        await user.credits()
    assert fake_nemo.requests_to("/api/auth/anonymous-token") == []
    assert user.token_kind == "operator"


async def test_own_token_wins_over_the_operator_token(
    nemo_client: NemoClient, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    fake_nemo.add_token("nmv_usr_operatorAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "usr_op")
    fake_nemo.add_token("nmv_usr_mineBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "usr_me")
    fake_nemo.set_credits("usr_me", 7)
    user = NemoUser(nemo_client, nemo_creds, operator_token="nmv_usr_operatorAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    await user.ensure_ready()
    await user.set_own_token("nmv_usr_mineBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
    assert (await user.credits()).available == 7
    assert user.token_kind == "own"
    saved = await nemo_creds.load()
    assert saved.own_token and saved.session_id
    assert fake_nemo.sessions[saved.session_id].user_id == "usr_me"  # a session of the new account
    fake_nemo.expire_tokens()
    with pytest.raises(TokenInvalid):  # an own token is not replaced behind the user's back
        await user.credits()


async def test_a_bad_own_token_is_refused_and_nothing_is_saved(
    user: NemoUser, nemo_creds: RedisCredentialStore
) -> None:
    await user.ensure_ready()
    before = await nemo_creds.load()
    with pytest.raises(TokenInvalid):
        await user.set_own_token("nmv_usr_notknownCCCCCCCCCCCCCCCCCCCCCCCCCCC")
    assert await nemo_creds.load() == before


async def test_dropping_the_own_token_goes_back_to_anonymous(
    user: NemoUser, nemo_creds: RedisCredentialStore, fake_nemo: FakeNemo
) -> None:
    fake_nemo.add_token("nmv_usr_mineDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD")
    await user.set_own_token("nmv_usr_mineDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD")
    await user.set_own_token(None)
    await user.credits()
    saved = await nemo_creds.load()
    assert saved.own_token is False and saved.token and saved.token.startswith("nmv_usr_")
    assert user.token_kind == "anonymous"


async def test_new_session_starts_a_fresh_project(user: NemoUser, nemo_creds: RedisCredentialStore) -> None:
    await user.ensure_ready()
    old = (await nemo_creds.load()).session_id
    new = await user.new_session()
    assert new != old and (await nemo_creds.load()).session_id == new
    assert user.session_renewed is False


async def test_whole_flow_through_the_user(user: NemoUser, tmp_path: Path, fake_nemo_mp4: bytes) -> None:
    from PIL import Image

    photo = tmp_path / "p.png"
    Image.new("RGB", (32, 32), "green").save(photo)
    await user.upload_files([photo])
    [e async for e in user.chat("make a video")]
    draft = (await user.state()).draft
    assert draft is not None
    job = await user.submit_render(draft, "render_user")
    while not job.done:
        job = await user.poll_render("render_user")
    out = await user.download(job.url, job.id, tmp_path / "out.mp4")
    assert out.read_bytes() == fake_nemo_mp4


def test_credentials_repr_never_shows_the_token() -> None:
    creds = Credentials(client_id="c", token="nmv_usr_secretsecretsecret")
    assert "secretsecret" not in repr(creds) and "secretsecret" not in str(creds)
