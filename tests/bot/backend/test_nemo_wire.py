"""The wire: attribution headers on every request, settings, and no httpx exception ever escaping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

import bot
from bot.backend.client import NemoClient
from bot.backend.errors import NemoError
from bot.backend.user import NemoUser
from bot.settings import ConfigError, load_settings
from bot.testing.fakenemo import FakeNemo
from tests.fixtures_nemo import RedisCredentialStore, fast_client


async def test_every_request_carries_the_attribution_headers_and_the_token(
    fake_nemo: FakeNemo, nemo_creds: RedisCredentialStore, tmp_path: Path
) -> None:
    photo = tmp_path / "p.png"
    Image.new("RGB", (16, 16), "red").save(photo)
    async with fast_client(fake_nemo.url, skill_platform="telegram") as client:
        user = NemoUser(client, nemo_creds)
        await user.ensure_ready()
        await user.upload_files([photo])
        await user.upload_urls(["https://example.com/x.jpg"])
        [e async for e in user.chat("make it")]
        await user.credits()
        draft = (await user.state()).draft
        assert draft is not None
        job = await user.submit_render(draft, "render_hdr")
        while not job.done:
            job = await user.poll_render("render_hdr")
        await user.download(job.url, job.id, tmp_path / "a.mp4")
        await user.download(None, job.id, tmp_path / "b.mp4")
    token = (await nemo_creds.load()).token
    paths = {r.path for r in fake_nemo.requests}
    expected = {"/api/auth/anonymous-token", "/run_sse", "/api/credits/balance/simple",
                "/api/render/proxy/lambda", "/files/render_hdr.mp4", "/api/render/proxy/render_hdr/download"}
    assert expected <= paths
    for req in fake_nemo.requests:
        assert req.headers["x-skill-source"] == "video-generator-online", req.path
        assert req.headers["x-skill-version"] == bot.__version__, req.path
        assert req.headers["x-skill-platform"] == "telegram", req.path
        if req.path == "/api/auth/anonymous-token":
            assert "authorization" not in req.headers
            assert req.headers["x-client-id"]
        else:
            assert req.headers["authorization"] == f"Bearer {token}", req.path
        if req.json is not None:
            assert req.headers["content-type"] == "application/json"


async def test_client_from_settings_uses_the_backend_url_and_platform(fake_nemo: FakeNemo) -> None:
    settings = load_settings(nemo_api_url=fake_nemo.url, skill_platform="discord", http_retries=0,
                             rate_limit_wait_seconds=0.01)
    async with NemoClient.from_settings(settings) as client:
        await client.anonymous_token("from-settings")
        fake_nemo.fail_next("/api/auth/*", status=503)
        with pytest.raises(NemoError):
            await client.anonymous_token("from-settings")
    (first, _) = fake_nemo.requests_to("/api/auth/*")
    assert first.headers["x-skill-platform"] == "discord"


def test_client_from_settings_without_api_url_says_which_setting_is_missing() -> None:
    settings = load_settings(nemo_api_url=None)
    with pytest.raises(ConfigError, match="NEMO_API_URL"):
        NemoClient.from_settings(settings)


async def test_base_url_with_a_path_prefix_is_kept(fake_nemo: FakeNemo) -> None:
    async with fast_client(fake_nemo.url + "/prefix/") as client:
        with pytest.raises(NemoError):
            await client.credits("nmv_usr_x")
    assert fake_nemo.requests[-1].path == "/prefix/api/credits/balance/simple"


# --- nothing from httpx escapes -------------------------------------------------------------------
# Most httpx failures (proxy errors, decoding errors, local protocol errors...) cannot be caused for
# real on loopback, so a transport raises each of them; the real ones are covered in the other files.

def _httpx_exception_types() -> list[type[Exception]]:
    found = {obj for obj in vars(httpx).values() if isinstance(obj, type) and issubclass(obj, Exception)}
    return sorted(found, key=lambda t: t.__name__)


def _make(exc_type: type[Exception], request: httpx.Request) -> Exception:
    if issubclass(exc_type, httpx.HTTPStatusError):
        return exc_type("boom", request=request, response=httpx.Response(500, request=request))
    for args, kwargs in ((("boom",), {"request": request}), (("boom",), {}), ((), {})):
        try:
            return exc_type(*args, **kwargs)
        except TypeError:
            continue
    raise AssertionError(f"cannot build {exc_type}")


class _FailingStream(httpx.AsyncByteStream):
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'data: {"type":"text","content":"hi"}\n\n'
        raise self.exc


class RaisingTransport(httpx.AsyncBaseTransport):
    """Raises `exc_type` when sending (mode "send") or in the middle of the body (mode "body")."""

    def __init__(self, exc_type: type[Exception], mode: str) -> None:
        self.exc_type = exc_type
        self.mode = mode

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exc = _make(self.exc_type, request)
        if self.mode == "send":
            raise exc
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, headers=headers, stream=_FailingStream(exc), request=request)


@pytest.mark.parametrize("mode", ["send", "body"])
@pytest.mark.parametrize("exc_type", _httpx_exception_types(), ids=lambda t: t.__name__)
async def test_no_httpx_exception_escapes_any_call(
    exc_type: type[Exception], mode: str, tmp_path: Path
) -> None:
    photo = tmp_path / "p.png"
    Image.new("RGB", (8, 8)).save(photo)
    client = NemoClient("http://backend.invalid", transport=RaisingTransport(exc_type, mode),
                        backoff=0.0001, rate_limit_wait=0.0)

    async def chat() -> None:
        async for _ in client.chat("t", "1", "hi"):
            pass

    calls = {
        "anonymous_token": lambda: client.anonymous_token("c"),
        "create_session": lambda: client.create_session("t"),
        "credits": lambda: client.credits("t"),
        "state": lambda: client.state("t", "1"),
        "upload_files": lambda: client.upload_files("t", "1", [photo]),
        "upload_urls": lambda: client.upload_urls("t", "1", ["https://x/y.jpg"]),
        "chat": chat,
        "submit_render": lambda: client.submit_render("t", "1", {"t": []}, "r"),
        "poll_render": lambda: client.poll_render("t", "r"),
        "download": lambda: client.download("t", "https://cdn.invalid/v.mp4", "r", tmp_path / "v.mp4"),
    }
    for name, call in calls.items():
        try:
            await call()
        except NemoError:
            pass
        except Exception as exc:  # anything else escaping is the failure this test looks for
            pytest.fail(f"{name} let {type(exc).__module__}.{type(exc).__name__} escape")
    await client.aclose()


async def test_invalid_download_url_is_a_nemo_error(nemo_client: NemoClient, tmp_path: Path) -> None:
    with pytest.raises(NemoError):
        await nemo_client.download("t", "http://[::1", "r", tmp_path / "v.mp4")
