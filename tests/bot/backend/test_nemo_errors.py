"""Every error shape and row of the error table, caused for real by the fake server (fault injection)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pytest

from bot.backend.client import NemoClient
from bot.backend.errors import (
    BackendUnavailable,
    ClientIdMissing,
    ExportNotAllowed,
    FileTooLarge,
    NemoError,
    OutOfCredits,
    ProtocolError,
    RateLimited,
    SessionNotFound,
    TokenInvalid,
    UnsupportedFile,
)
from bot.testing.fakenemo import FakeNemo
from tests.fixtures_nemo import fast_client

DRAFT = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000, "m": {"name": "a.jpg"}}]}]}


@dataclass
class Account:
    token: str
    sid: str


@pytest.fixture
async def account(nemo_client: NemoClient) -> Account:
    tok = await nemo_client.anonymous_token("client-errors")
    info = await nemo_client.create_session(tok.token, "en")
    return Account(tok.token, info.session_id)


async def drain_chat(client: NemoClient, acc: Account, text: str = "hi") -> list[str]:
    return [e.kind async for e in client.chat(acc.token, acc.sid, text)]


# --- the error table ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"code": 1001, "message": "token expired", "data": None}, TokenInvalid),
        (401, {"code": 1001, "message": "token expired"}, TokenInvalid),
        (401, "Unauthorized", TokenInvalid),
        (200, {"code": 2001, "message": "no credits"}, OutOfCredits),
        (403, {"code": 2001, "message": "no credits"}, OutOfCredits),
        (200, {"success": False, "error": "something odd"}, NemoError),
        (418, "<html>teapot</html>", NemoError),
    ],
)
async def test_credits_error_shapes_map_to_one_typed_error(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, status: int, body: object,
    expected: type[NemoError],
) -> None:
    fake_nemo.fail_next("/api/credits/*", status=status, body=body)
    with pytest.raises(expected) as info:
        await nemo_client.credits(account.token)
    assert type(info.value) is expected
    if expected is NemoError and isinstance(body, dict):
        assert "something odd" in str(info.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, {"code": 1002, "message": "Session not found"}), (404, "not found"),
     (404, {"detail": "Session not found"})],
)
async def test_state_session_gone_is_session_not_found(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, status: int, body: object
) -> None:
    fake_nemo.fail_next("/api/state/*", status=status, body=body)
    with pytest.raises(SessionNotFound) as info:
        await nemo_client.state(account.token, account.sid)
    assert info.value.code == 1002


async def test_dropped_session_is_session_not_found_on_rest_and_on_chat(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.drop_sessions()
    with pytest.raises(SessionNotFound):
        await nemo_client.state(account.token, account.sid)
    with pytest.raises(SessionNotFound):  # ADK: 404 {"detail": "Session not found"}
        await drain_chat(nemo_client, account)


async def test_404_on_a_path_without_session_is_not_session_not_found(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/api/credits/*", status=404, body="no route")
    with pytest.raises(NemoError) as info:
        await nemo_client.credits(account.token)
    assert not isinstance(info.value, SessionNotFound)
    assert info.value.code == 404


async def test_expired_token_answers_token_invalid(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.expire_tokens()
    with pytest.raises(TokenInvalid):
        await nemo_client.credits(account.token)


@pytest.mark.parametrize(("code", "expected"), [(4001, UnsupportedFile), (4002, FileTooLarge)])
async def test_upload_refused_by_the_backend(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, tmp_path, code: int,
    expected: type[NemoError],
) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    fake_nemo.fail_next("/api/upload-video/*", code=code)
    with pytest.raises(expected):
        await nemo_client.upload_files(account.token, account.sid, [photo])


async def test_server_size_limit_answers_file_too_large(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, tmp_path
) -> None:
    fake_nemo.max_upload_bytes = 500
    photo = tmp_path / "big.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 1000)
    with pytest.raises(FileTooLarge):
        await nemo_client.upload_files(account.token, account.sid, [photo])


async def test_anonymous_token_without_client_id_is_client_id_missing(
    nemo_client: NemoClient, fake_nemo: FakeNemo
) -> None:
    with pytest.raises(ClientIdMissing):
        await nemo_client.anonymous_token("x" * 65)  # the fake refuses ids over 64 chars with HTTP 400
    fake_nemo.fail_next("/api/auth/anonymous-token", status=400, body="missing X-Client-Id")
    with pytest.raises(ClientIdMissing):
        await nemo_client.anonymous_token("ok-id")


async def test_http_400_elsewhere_is_not_client_id_missing(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/api/credits/*", status=400, body={"code": 400, "message": "bad request"})
    with pytest.raises(NemoError) as info:
        await nemo_client.credits(account.token)
    assert not isinstance(info.value, ClientIdMissing)


@pytest.mark.parametrize("body", [{"success": False, "error": "Free plan cannot export"}, "Payment Required"])
async def test_402_on_export_is_export_not_allowed(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, body: object
) -> None:
    fake_nemo.fail_next("/api/render/proxy/lambda", status=402, body=body)
    with pytest.raises(ExportNotAllowed):
        await nemo_client.submit_render(account.token, account.sid, DRAFT, "render_402")


@pytest.mark.parametrize("body", ["<html>oops</html>", "", {"code": 0}, [1, 2]])
async def test_unreadable_success_answer_is_protocol_error(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, body: object
) -> None:
    fake_nemo.fail_next("/api/credits/*", status=200, body=body)
    with pytest.raises(ProtocolError):
        await nemo_client.credits(account.token)


# --- 429 -----------------------------------------------------------------------------------------

async def test_429_with_retry_after_waits_that_long_and_retries_once(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/api/credits/*", status=429, headers={"Retry-After": "0.4"})
    started = time.monotonic()
    credits = await nemo_client.credits(account.token)
    assert time.monotonic() - started >= 0.4
    assert credits.available == 100
    assert len(fake_nemo.requests_to("/api/credits/*")) == 2


async def test_429_without_retry_after_waits_the_configured_time(fake_nemo: FakeNemo) -> None:
    async with fast_client(fake_nemo.url, rate_limit_wait=0.3) as client:
        tok = await client.anonymous_token("c429")
        fake_nemo.fail_next("/api/credits/*", status=429, body={"code": 429, "message": "slow down"})
        started = time.monotonic()
        await client.credits(tok.token)
        assert time.monotonic() - started >= 0.3


async def test_second_429_raises_rate_limited_without_a_third_request(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/run_sse", status=429, headers={"Retry-After": "0.05"}, times=2)
    with pytest.raises(RateLimited) as info:
        await drain_chat(nemo_client, account)
    assert info.value.retry_after == pytest.approx(0.05)
    assert len(fake_nemo.requests_to("/run_sse")) == 2
    assert fake_nemo.sessions[account.sid].messages == []  # the agent never got the message


async def test_429_on_chat_is_retried_once_and_the_turn_runs(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/run_sse", status=429)
    kinds = await drain_chat(nemo_client, account, "make a video")
    assert "text" in kinds
    assert fake_nemo.sessions[account.sid].messages == ["make a video"]


# --- 5xx and timeouts ----------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
async def test_get_is_retried_with_backoff_after_5xx(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, status: int
) -> None:
    fake_nemo.fail_next("/api/state/*", status=status, times=2)
    snap = await nemo_client.state(account.token, account.sid)
    assert snap.session_id == account.sid
    assert len(fake_nemo.requests_to("/api/state/*")) == 3


async def test_get_gives_up_after_the_configured_retries(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/api/credits/*", status=503, times=10)
    with pytest.raises(BackendUnavailable) as info:
        await nemo_client.credits(account.token)
    assert info.value.code == 503
    assert len(fake_nemo.requests_to("/api/credits/*")) == 4  # 1 + 3 retries


async def test_render_poll_is_retried_after_5xx(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    await nemo_client.submit_render(account.token, account.sid, DRAFT, "render_5xx")
    fake_nemo.fail_next("/api/render/proxy/lambda/*", status=502, times=2)
    job = await nemo_client.poll_render(account.token, "render_5xx")
    assert job.status == "pending"
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda/*")) == 3


async def test_chat_is_never_re_sent_after_5xx(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/run_sse", status=502, body="<html>Bad Gateway</html>")
    with pytest.raises(BackendUnavailable):
        await drain_chat(nemo_client, account)
    assert len(fake_nemo.requests_to("/run_sse")) == 1


async def test_render_submit_is_never_re_sent_after_5xx(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account
) -> None:
    fake_nemo.fail_next("/api/render/proxy/lambda", status=500)
    with pytest.raises(BackendUnavailable):
        await nemo_client.submit_render(account.token, account.sid, DRAFT, "render_once")
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 1


@pytest.mark.parametrize("path", ["/api/tasks/*", "/api/upload-video/*"])
async def test_other_posts_are_never_re_sent_after_5xx(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: Account, path: str, tmp_path
) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    before = len(fake_nemo.requests_to(path))
    fake_nemo.fail_next(path, status=503)
    with pytest.raises(BackendUnavailable):
        if path.startswith("/api/tasks"):
            await nemo_client.create_session(account.token, "en")
        else:
            await nemo_client.upload_files(account.token, account.sid, [photo])
    assert len(fake_nemo.requests_to(path)) == before + 1


async def test_get_timeout_is_retried(fake_nemo: FakeNemo) -> None:
    async with fast_client(fake_nemo.url, timeout=0.3) as client:
        tok = await client.anonymous_token("c-timeout")
        slow = {"code": 0, "data": {"available": 1}}
        fake_nemo.fail_next("/api/credits/*", status=200, body=slow, delay=1.0)
        credits = await client.credits(tok.token)
    assert credits.available == 100  # the second, prompt answer
    assert len(fake_nemo.requests_to("/api/credits/*")) == 2


async def test_post_timeout_is_not_retried(fake_nemo: FakeNemo) -> None:
    async with fast_client(fake_nemo.url, timeout=0.3) as client:
        tok = await client.anonymous_token("c-timeout-post")
        fake_nemo.fail_next("/api/tasks/*", status=500, delay=1.0)
        with pytest.raises(BackendUnavailable):
            await client.create_session(tok.token, "en")
    assert len(fake_nemo.requests_to("/api/tasks/*")) == 1


async def test_unreachable_backend_is_backend_unavailable(unused_tcp_port: int) -> None:
    async with fast_client(f"http://127.0.0.1:{unused_tcp_port}") as client:
        with pytest.raises(BackendUnavailable) as info:
            await client.credits("nmv_usr_x")
        assert info.value.request_sent is False
        with pytest.raises(BackendUnavailable):  # never reached the server: a POST may be tried again
            await client.anonymous_token("c")


# --- secrets -------------------------------------------------------------------------------------

async def test_token_never_appears_in_logs_or_exception_texts(
    fake_nemo: FakeNemo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with fast_client(fake_nemo.url) as client:
        tok = await client.anonymous_token("c-secret")
        token = tok.token
        assert token not in repr(tok)
        texts: list[str] = []
        for body in ({"code": 1001, "message": f"token {token} expired"},
                     {"success": False, "error": f"Bearer {token} refused"}, f"bad token {token}"):
            fake_nemo.fail_next("/api/credits/*", status=401, body=body)
            with pytest.raises(NemoError) as info:
                await client.credits(token)
            texts += [str(info.value), repr(info.value), info.value.message]
        fake_nemo.fail_next("/api/credits/*", status=503, body=f"upstream said {token}", times=10)
        with pytest.raises(BackendUnavailable) as info2:
            await client.credits(token)
        texts.append(str(info2.value))
        fake_nemo.fail_next("/run_sse", status=500, body=token)
        with pytest.raises(NemoError) as info3:
            async for _ in client.chat(token, "123", "hi"):
                pass
        texts.append(str(info3.value))
    assert all(token not in text for text in texts)
    assert token[8:] not in caplog.text
    assert caplog.records  # something was logged (retries), none of it the token


async def test_operator_token_not_looking_like_a_token_is_still_hidden(fake_nemo: FakeNemo) -> None:
    secret = "opsecret-1234567890-abcdef"
    fake_nemo.add_token(secret)
    async with fast_client(fake_nemo.url) as client:
        fake_nemo.fail_next("/api/credits/*", status=403, body={"message": f"token {secret} not allowed"})
        with pytest.raises(NemoError) as info:
            await client.credits(secret)
    assert secret not in str(info.value)
