"""Build a redis-py asyncio client from `REDIS_URL`.

    redis://[user:pass@]host[:port][/db]                 one server (TCP)
    rediss://...                                         one server over TLS
    unix:///path/to/redis.sock[?db=0]                    one server on a unix socket
    redis+sentinel://[user:pass@]h1[:p1][,h2[:p2]...]/service[/db][?sentinel_password=...]
                                                         the master of `service`, found through
                                                         Sentinel (default port 26379); fails over
    redis-cluster://[user:pass@]h1[:p1][,h2[:p2]...]     Redis Cluster (startup nodes)

Every client gets short timeouts and a short retry policy, so an unreachable Redis is reported
within about a second instead of blocking a user's turn; the pool reconnects by itself once Redis
answers again.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialWithJitterBackoff

RedisClient = aioredis.Redis | RedisCluster

SENTINEL_PORT = 26379
REDIS_PORT = 6379
SOCKET_TIMEOUT = 5.0


def client_options() -> dict[str, Any]:
    return {
        "socket_timeout": SOCKET_TIMEOUT,
        "socket_connect_timeout": SOCKET_TIMEOUT,
        "retry": Retry(ExponentialWithJitterBackoff(base=0.02, cap=0.25), 3),
    }


def safe_url(url: str) -> str:
    """The URL with any password masked, for logs and messages."""
    return re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", url)


@dataclass
class Connection:
    """A client and what must be closed with it (Sentinel's own connections)."""

    client: RedisClient
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        await self.client.aclose()
        for close in self.closers:
            await close()


def _hosts(netloc_hosts: str, default_port: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for part in netloc_hosts.split(","):
        part = part.strip()
        if not part:
            continue
        if part.startswith("["):  # [ipv6]:port
            host, _, rest = part[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else default_port
        else:
            host, sep, port_s = part.rpartition(":")
            if not sep:
                host, port_s = part, ""
            port = int(port_s) if port_s else default_port
        out.append((host, port))
    if not out:
        raise ValueError("no host in Redis URL")
    return out


def _split(url: str, scheme: str) -> tuple[str | None, str | None, str, str, dict[str, str]]:
    """→ (username, password, hosts part, path, query)."""
    rest = url[len(scheme) :]
    rest, _, query_s = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    creds, at, hosts = netloc.rpartition("@")
    username = password = None
    if at:
        user_s, colon, pass_s = creds.partition(":")
        username = unquote(user_s) or None
        password = unquote(pass_s) if colon else None
    query = {k: v[-1] for k, v in parse_qs(query_s).items()}
    return username, password, hosts, path if slash else "", query


def connect_url(url: str, **overrides: Any) -> Connection:
    """A client for `url` (see the module docstring); nothing is contacted until first use."""
    options = {**client_options(), **overrides}
    if url.startswith("redis+sentinel://"):
        return _sentinel(url, options)
    if url.startswith("redis-cluster://"):
        username, password, hosts, _, query = _split(url, "redis-cluster://")
        nodes = [ClusterNode(h, p) for h, p in _hosts(hosts, REDIS_PORT)]
        cluster = RedisCluster(
            startup_nodes=nodes,
            username=username,
            password=password,
            ssl=query.get("ssl", "").lower() in {"1", "true", "yes"},
            **options,
        )
        return Connection(cluster)
    max_connections = options.pop("max_connections", None)
    if max_connections is None:
        return Connection(aioredis.Redis.from_url(url, **options))
    # A blocking pool: a burst of users waits for a free connection instead of failing with
    # MaxConnectionsError (redis-py's default pool refuses past 100; see bench/README.md, engine).
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=SOCKET_TIMEOUT, **options
    )
    return Connection(aioredis.Redis.from_pool(pool))  # the client owns the pool: aclose() closes it


def _sentinel(url: str, options: dict[str, Any]) -> Connection:
    username, password, hosts, path, query = _split(url, "redis+sentinel://")
    parts = [p for p in path.split("/") if p]
    if not parts:
        raise ValueError("redis+sentinel:// URL needs the service name as its path, e.g. /mymaster")
    service = unquote(parts[0])
    db = int(parts[1]) if len(parts) > 1 else int(query.get("db", "0"))
    sentinel_kwargs: dict[str, Any] = {
        k: v for k, v in options.items() if k.startswith("socket_") or k == "retry"
    }
    if "sentinel_password" in query:
        sentinel_kwargs["password"] = query["sentinel_password"]
        if "sentinel_username" in query:
            sentinel_kwargs["username"] = query["sentinel_username"]
    sentinel = Sentinel(  # type: ignore[no-untyped-call]  # redis-py leaves Sentinel() unannotated
        _hosts(hosts, SENTINEL_PORT), sentinel_kwargs=sentinel_kwargs
    )
    master = sentinel.master_for(service, username=username, password=password, db=db, **options)
    return Connection(master, [s.aclose for s in sentinel.sentinels])
