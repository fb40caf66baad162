"""REDIS_URL forms against real servers: unix socket, TCP, Sentinel, Cluster."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.ids import ChatRef, UserKey
from bot.state.connect import _hosts, connect_url
from bot.state.store import JobRecord, Store
from common.embedded_redis import socket_path_for
from common.redis_server import RedisServer, redis_server_binary
from tests.fixtures_store import make_settings
from tests.ports import free_port

TG42 = UserKey.parse("telegram:42")
CHAT = ChatRef.parse("telegram:42")



def wait_until(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except redis.RedisError:
            pass
        time.sleep(0.05)
    raise TimeoutError("server did not come up")


@pytest.fixture
def tcp_redis(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "tcp"
    server = RedisServer(
        directory, appendonly=False, port=free_port(), socket_path=socket_path_for(directory)
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sentinel_port(tcp_redis: RedisServer, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor mymaster 127.0.0.1 {tcp_redis.port} 1\n"
    )
    proc = subprocess.Popen([redis_server_binary(), str(conf), "--sentinel"], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1)
    try:
        wait_until(lambda: client.sentinel_get_master_addr_by_name("mymaster"))
        yield port
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def cluster_port(tmp_path: Path) -> Iterator[int]:
    """A one-node Redis Cluster holding every slot."""
    directory = tmp_path / "cluster"
    port = free_port(cluster=True)
    args = ["--cluster-enabled", "yes", "--cluster-config-file", str(directory / "nodes.conf")]
    server = RedisServer(
        directory, appendonly=False, port=port, socket_path=socket_path_for(directory), extra_args=args
    )
    server.start()
    client = redis.Redis(port=port, socket_timeout=5)
    try:
        client.execute_command("CLUSTER ADDSLOTS", *range(16384))
        wait_until(lambda: client.cluster("info")["cluster_state"] == "ok")
        yield port
    finally:
        client.close()
        server.stop()


async def exercise(store: Store) -> None:
    """The calls a bot makes in one turn, end to end."""
    client_id = (await store.users.get(TG42)).client_id
    rec = await store.users.update(TG42, token="nmv_usr_" + "x" * 40, session_id="s-1")
    assert rec.client_id == client_id
    assert (await store.users.get(TG42)).session_id == "s-1"
    async with store.locks.hold(TG42, 5):
        assert await store.locks.held(TG42)
    assert await store.updates.claim("telegram", 1) and not await store.updates.claim("telegram", 1)
    await store.updates.album_add(CHAT, "g", "a")
    assert await store.updates.album_take(CHAT, "g") == ["a"]
    for render_id in ("render_1", "render_2"):
        await store.jobs.save(JobRecord(render_id=render_id, user_key=TG42, chat=CHAT))
    assert [j.render_id for j in await store.jobs.active()] == ["render_1", "render_2"]
    assert await store.leases.claim("render_1", "bot-a", 5)
    await store.jobs.finish("render_1")
    assert [j.render_id for j in await store.jobs.active()] == ["render_2"]


async def test_unix_socket_url(redis_url: str, data_dir: Path, redis: object) -> None:
    store = await Store.connect(make_settings(redis_url=redis_url, data_dir=data_dir))
    try:
        await exercise(store)
    finally:
        await store.aclose()


async def test_tcp_url(tcp_redis: RedisServer, data_dir: Path) -> None:
    store = await Store.connect(make_settings(redis_url=tcp_redis.tcp_url + "/3", data_dir=data_dir))
    try:
        await exercise(store)
    finally:
        await store.aclose()
    assert redis.Redis(port=tcp_redis.port, db=3).exists("vb:u:telegram:42")


async def test_sentinel_url_finds_the_master(
    sentinel_port: int, tcp_redis: RedisServer, data_dir: Path
) -> None:
    url = f"redis+sentinel://127.0.0.1:{free_port()},127.0.0.1:{sentinel_port}/mymaster/2"
    store = await Store.connect(make_settings(redis_url=url, data_dir=data_dir))
    try:
        await exercise(store)
    finally:
        await store.aclose()
    assert redis.Redis(port=tcp_redis.port, db=2).exists("vb:u:telegram:42")


async def test_cluster_url(cluster_port: int, data_dir: Path) -> None:
    store = await Store.connect(
        make_settings(redis_url=f"redis-cluster://127.0.0.1:{cluster_port}", data_dir=data_dir)
    )
    try:
        await exercise(store)
    finally:
        await store.aclose()


def test_host_lists_take_default_ports_and_ipv6() -> None:
    assert _hosts("a,b:1,[::1]:7,[::1]", 26379) == [("a", 26379), ("b", 1), ("::1", 7), ("::1", 26379)]


def test_sentinel_url_without_service_is_refused() -> None:
    with pytest.raises(ValueError, match="service name"):
        connect_url("redis+sentinel://127.0.0.1:26379")


def test_ports_given_to_a_cluster_node_leave_room_for_its_bus() -> None:
    """Redis refuses a cluster node above port 55535 (its bus is port + 10000): the test's ports fit."""
    ports = [free_port(cluster=True) for _ in range(100)]  # the OS hands out ports up to 60999
    assert all(1024 < p <= 55535 for p in ports)
