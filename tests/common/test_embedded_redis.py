"""One-machine mode: the embedded Redis under the data dir, shared by processes, persistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from app.embedded import embedded_services
from bot.state.store import Store
from common.embedded_redis import EmbeddedRedis, socket_path_for
from tests.fixtures_store import make_settings
from tests.fixtures_store import redis_answers as answers
from tests.paths import ROOT as REPO_ROOT

JOIN_AND_WAIT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from common.embedded_redis import EmbeddedRedis
    print(EmbeddedRedis(Path(sys.argv[1])).start(), flush=True)
    sys.stdin.readline()
    """
)


@pytest.fixture
def other_process(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another videobot process that joined the embedded Redis of `data_dir`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", JOIN_AND_WAIT, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    with proc:  # closes its pipes on the way out
        yield proc
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
    EmbeddedRedis(data_dir)._server.stop()  # whatever happened, leave no server behind


def test_data_survives_a_restart_of_the_embedded_server(data_dir: Path) -> None:
    with EmbeddedRedis(data_dir) as embedded:
        client = redis.Redis.from_url(embedded.url)
        client.hset("vb:u:console:ann", "cid", "kept")
        client.close()
    assert not answers(embedded.url)  # last user gone: stopped
    assert (data_dir / "redis" / "appendonly.aof").exists()
    with EmbeddedRedis(data_dir) as embedded:
        client = redis.Redis.from_url(embedded.url)
        assert client.hget("vb:u:console:ann", "cid") == b"kept"
        client.close()


def test_second_user_reuses_the_server_and_the_last_one_stops_it(data_dir: Path) -> None:
    first, second = EmbeddedRedis(data_dir), EmbeddedRedis(data_dir)
    url = first.start()
    pid = first._server.pid
    assert second.start() == url
    assert second._server.pid == pid  # the same server, not a second one
    assert len(first.live_users()) == 2
    first.stop()
    assert answers(url)  # the second user still needs it
    second.stop()
    assert not answers(url)
    assert first.live_users() == []


def test_a_server_started_by_another_process_is_reused(
    data_dir: Path, other_process: subprocess.Popen[str]
) -> None:
    assert other_process.stdout is not None and other_process.stdin is not None
    url = other_process.stdout.readline().strip()
    assert answers(url)
    mine = EmbeddedRedis(data_dir)
    assert mine.start() == url
    other_process.stdin.write("\n")
    other_process.stdin.flush()
    assert other_process.wait(10) == 0
    assert answers(url)  # the other process left; this one still uses it
    mine.stop()
    assert not answers(url)


def test_a_killed_users_registration_is_pruned(data_dir: Path, other_process: subprocess.Popen[str]) -> None:
    assert other_process.stdout is not None
    url = other_process.stdout.readline().strip()
    mine = EmbeddedRedis(data_dir)
    mine.start()
    os.kill(other_process.pid, signal.SIGKILL)  # crashes without leaving
    other_process.wait(10)
    assert len(mine.live_users()) == 1
    mine.stop()
    assert not answers(url)


def test_a_deep_data_dir_gets_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    embedded = EmbeddedRedis(deep)
    assert len(str(embedded.socket)) <= 100
    assert socket_path_for(deep / "redis") == embedded.socket
    with embedded:
        assert answers(embedded.url)
    assert not answers(embedded.url)


async def test_store_without_redis_url_runs_on_the_embedded_server(data_dir: Path) -> None:
    store = await Store.connect(make_settings(data_dir=data_dir))
    try:
        client_id = (await store.users.get("console:ann")).client_id
    finally:
        await store.aclose()
    store = await Store.connect(make_settings(data_dir=data_dir))
    try:
        assert (await store.users.get("console:ann")).client_id == client_id
    finally:
        await store.aclose()
    assert not answers(EmbeddedRedis(data_dir).url)


async def test_embedded_services_fill_in_redis_url(data_dir: Path) -> None:
    settings = make_settings(data_dir=data_dir, nemo_api_url="https://api.example")
    async with embedded_services(settings) as running:
        assert running.redis_url is not None and running.redis_url.startswith("unix://")
        assert answers(running.redis_url)
        assert running.nemo_api_url == "https://api.example"
        assert settings.redis_url is None  # the caller's settings are left alone
    assert not answers(running.redis_url)


async def test_embedded_services_leave_a_configured_redis_alone(data_dir: Path, redis_url: str) -> None:
    settings = make_settings(data_dir=data_dir, nemo_api_url="https://api.example", redis_url=redis_url)
    async with embedded_services(settings) as running:
        assert running.redis_url == redis_url
    assert not (data_dir / "redis").exists()
    assert answers(redis_url)


def test_a_crashed_server_is_replaced_quickly_with_its_data(data_dir: Path) -> None:
    first = EmbeddedRedis(data_dir)
    client = redis.Redis.from_url(first.start())
    client.hset("vb:u:console:ann", "cid", "kept")
    client.close()
    pid = first._server.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # the server dies; its socket file stays behind
    first._server._proc.wait()  # type: ignore[union-attr]
    second = EmbeddedRedis(data_dir)
    started = time.monotonic()
    url = second.start()
    assert time.monotonic() - started < 3
    client = redis.Redis.from_url(url)
    assert client.hget("vb:u:console:ann", "cid") == b"kept"  # append-only: written before the crash
    client.close()
    second.stop()
    first.stop()
    assert not answers(url)


def test_a_hung_server_is_reported_not_doubled(data_dir: Path) -> None:
    first = EmbeddedRedis(data_dir)
    url = first.start()
    pid = first._server.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # alive, holding its files, not answering
    try:
        with pytest.raises(RuntimeError, match="does not answer"):
            EmbeddedRedis(data_dir).start(timeout=0.3)
        assert first._server.pid == pid  # no second server was started on the same files
    finally:
        os.kill(pid, signal.SIGCONT)
    assert answers(url)
    first.stop()
    assert not answers(url)
