"""Fixtures for the Redis state tests: two Store objects on the shared real Redis (as two bot
processes would have), and a private Redis server a test may stop and restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.settings import Settings
from bot.state.connect import connect_url
from bot.state.crypto import TokenCipher
from bot.state.store import Store
from common.embedded_redis import socket_path_for
from common.redis_server import RedisServer

ISOLATED = {"redis_url": None, "nemo_api_url": None, "nemo_web_url": None, "secret_key": None}


def make_settings(**fields: Any) -> Settings:
    """Settings from field names, untouched by the environment's or `.env`'s state settings."""
    values: dict[str, Any] = {"_env_file": None, **ISOLATED, **fields}
    return Settings(**values)


@pytest.fixture
def store_cipher() -> TokenCipher:
    return TokenCipher.generate()


@pytest.fixture
async def store_a(redis: aioredis.Redis, redis_url: str, store_cipher: TokenCipher) -> AsyncIterator[Store]:
    """A store on the flushed session Redis (its own connection pool)."""
    store = Store(connect_url(redis_url).client, store_cipher)
    yield store
    await store.aclose()


@pytest.fixture
async def store_b(redis: aioredis.Redis, redis_url: str, store_cipher: TokenCipher) -> AsyncIterator[Store]:
    """A second store on the same Redis and key, as another bot process would have."""
    store = Store(connect_url(redis_url).client, store_cipher)
    yield store
    await store.aclose()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own (append-only), free to be stopped and restarted."""
    directory = tmp_path / "private-redis"
    server = RedisServer(directory, appendonly=True, socket_path=socket_path_for(directory))
    server.start()
    yield server
    server.stop()


def redis_answers(url: str) -> bool:
    """Whether a Redis answers PING on this unix:// URL right now (no retries)."""
    try:
        client = redis.Redis(
            unix_socket_path=url.removeprefix("unix://"), socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False
