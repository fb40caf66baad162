"""Running the studio: in-process (`StudioServer`) and as `videobot studio`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from common.redis_server import RedisServer
from studio.server import StudioServer
from studio.settings import StudioSettings
from tests.paths import ROOT as REPO_ROOT

ROOT = REPO_ROOT


def settings(**kw: object) -> StudioSettings:
    return StudioSettings(_env_file=None, **kw)  # type: ignore[call-arg, arg-type]


async def test_embedded_studio_serves_on_a_free_loopback_port_and_stops(redis: aioredis.Redis,
                                                                       data_dir: Path) -> None:
    server = StudioServer(settings(data_dir=data_dir, port=8700), redis=redis, embedded=True)
    url = await server.start()
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":8700")
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{url}/healthz")).json() == {"ok": True}
        await server.stop()
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{url}/healthz")


async def test_a_configured_port_is_used_when_not_embedded(redis: aioredis.Redis, data_dir: Path) -> None:
    probe = StudioServer(settings(data_dir=data_dir, port=0), redis=redis)
    free = int((await probe.start()).rsplit(":", 1)[1])
    await probe.stop()
    server = StudioServer(settings(data_dir=data_dir, port=free),
                          redis=redis)
    try:
        assert await server.start() == f"http://127.0.0.1:{free}"
    finally:
        await server.stop()


async def _run_cli(env: dict[str, str], *args: str) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "studio", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
    return proc, line


async def _stop(proc: asyncio.subprocess.Process, sig: int) -> int:
    proc.send_signal(sig)
    return await asyncio.wait_for(proc.wait(), 30)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOBOT_", "REDIS_", "NEMO_"))}
    return keep | {"VIDEOBOT_DATA_DIR": str(data_dir), "VIDEOBOT_LOG_LEVEL": "WARNING"} | extra


async def test_videobot_studio_serves_until_sigterm(redis_url: str, data_dir: Path) -> None:
    proc, line = await _run_cli(_env(data_dir, REDIS_URL=redis_url), "--port", "0")
    try:
        assert line.startswith("studio listening on http://127.0.0.1:"), line
        url = line.split()[-1]
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/healthz")).json() == {"ok": True}
            answer = await client.post(f"{url}/api/auth/anonymous-token", headers={"X-Client-Id": "cli"})
            assert answer.json()["data"]["credits"] == 100
        assert await _stop(proc, signal.SIGTERM) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_videobot_studio_without_redis_url_starts_the_bundled_redis(data_dir: Path) -> None:
    proc, line = await _run_cli(_env(data_dir), "--host", "127.0.0.1", "--port", "0")
    try:
        url = line.split()[-1]
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/healthz")).json() == {"ok": True}
        assert RedisServer(data_dir / "redis").ping()
        assert await _stop(proc, signal.SIGINT) == 0
        assert not RedisServer(data_dir / "redis").ping()  # it started it, so it stopped it
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_videobot_studio_reports_a_bad_setting_in_one_line(data_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "app.cli", "studio"], cwd=ROOT, capture_output=True,
                          text=True, env=_env(data_dir, VIDEOBOT_STUDIO_PORT="not-a-port"), timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "VIDEOBOT_STUDIO_PORT" in done.stderr


async def test_videobot_studio_reports_a_busy_port_in_one_line(redis: aioredis.Redis, redis_url: str,
                                                               data_dir: Path) -> None:
    running = StudioServer(settings(data_dir=data_dir, port=0), redis=redis)
    port = (await running.start()).rsplit(":", 1)[1]
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "studio", "--port", port, cwd=ROOT,
            env=_env(data_dir, REDIS_URL=redis_url),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        await running.stop()
    assert proc.returncode == 1 and out == b""
    assert err.decode().strip().startswith(f"videobot studio: cannot listen on 127.0.0.1:{port}")
    assert err.decode().strip().count("\n") == 0
