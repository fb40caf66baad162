"""Fixtures of the backend area: the fake NemoVideo server, a `backend` to run scenarios against,
a `nemo_client` with short waits, and `nemo_creds` (a CredentialStore on the real test Redis).
Registered as a pytest plugin by tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.backend.client import NemoClient
from bot.backend.user import Credentials
from bot.testing.fakenemo import FakeNemo, FakeNemoServer, make_test_mp4


@pytest.fixture(scope="session")
def fake_nemo_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small valid MP4 (1 s, 320x240, H.264 + AAC), made once per run."""
    return make_test_mp4(tmp_path_factory.mktemp("fakenemo") / "render.mp4")


@pytest.fixture(scope="session")
def fake_nemo_server(fake_nemo_mp4: bytes) -> Iterator[FakeNemoServer]:
    server = FakeNemoServer(FakeNemo(fake_nemo_mp4))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_nemo(fake_nemo_server: FakeNemoServer) -> FakeNemo:
    """The fake NemoVideo backend, its state fresh for this test (see tests/fakenemo docstring)."""
    fake_nemo_server.fake.reset()
    return fake_nemo_server.fake


@dataclass
class Backend:
    """A NemoVideo-compatible backend under test: `name` ("fake", later "studio") and its base URL."""

    name: str
    url: str


@pytest.fixture(params=["fake", "studio"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Scenario tests that need only normal server behaviour run against every backend listed here:
    the team's fake NemoVideo server and the real studio (same scenarios, real server)."""
    if request.param == "fake":
        fake: FakeNemo = request.getfixturevalue("fake_nemo")
        return Backend("fake", fake.url)
    if request.param == "studio":
        studio = request.getfixturevalue("studio")
        return Backend("studio", studio.url)
    raise ValueError(f"unknown backend {request.param}")


def fast_client(url: str, **overrides: object) -> NemoClient:
    """A client with test-sized waits: 429 waits 0.05 s, backoff starts at 0.01 s."""
    kw: dict[str, Any] = {"rate_limit_wait": 0.05, "retries": 3, "timeout": 5.0, "backoff": 0.01,
                             "skill_platform": "tests"}
    kw.update(overrides)
    return NemoClient(url, **kw)


@pytest.fixture
async def nemo_client(fake_nemo: FakeNemo) -> AsyncIterator[NemoClient]:
    """A NemoClient on the fake server with short waits (for fault-injection tests)."""
    client = fast_client(fake_nemo.url)
    yield client
    await client.aclose()


class RedisCredentialStore:
    """A `CredentialStore` on the real test Redis: the credentials as one JSON value under `key`."""

    def __init__(self, redis: Any, key: str) -> None:
        self.redis = redis
        self.key = key
        self.saves = 0

    async def load(self) -> Credentials:
        raw = await self.redis.get(self.key)
        return Credentials.model_validate_json(raw) if raw else Credentials()

    async def save(self, creds: Credentials) -> None:
        self.saves += 1
        await self.redis.set(self.key, creds.model_dump_json())


@pytest.fixture
def nemo_creds(redis: Any) -> RedisCredentialStore:
    """Credentials of one test user, kept in the real (flushed) Redis."""
    return RedisCredentialStore(redis, "test:nemo:creds:alice")
