"""`videobot chat` as a real subprocess against the fake NemoVideo server and the test Redis."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from app.samples import make_sample_photos
from bot.testing.fakenemo import FakeNemo, default_turn
from common.redis_server import RedisServer
from tests.paths import ROOT as REPO_ROOT

ROOT = REPO_ROOT

DRAFT: dict[str, Any] = {
    "d": 9000,
    "m": {"title": "Aurora Bottle", "width": 1920, "height": 1080, "aspect": "16:9"},
    "t": [
        {
            "tt": 0,
            "sg": [
                {"id": f"v{i}", "st": i * 3000, "d": 3000, "m": {"kind": "image", "name": n}}
                for i, n in enumerate(["aurora-front.jpg", "aurora-side.jpg", "aurora-lid.jpg"])
            ],
        }
    ],
}


def _with_music(draft: dict[str, Any]) -> dict[str, Any]:
    music = {"tt": 1, "sg": [{"id": "a1", "st": 0, "d": 9000, "m": {"name": "Upbeat", "vol": 0.35}}]}
    return {**draft, "t": [*draft["t"], music]}


def _bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def _env(api_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "VIDEOBOT_", "REDIS_"))}
    env.update(
        {
            "NEMO_API_URL": api_url,
            "NEMO_WEB_URL": "https://web.example",
            "REDIS_URL": redis_url,
            "VIDEOBOT_DATA_DIR": str(data_dir),
            "VIDEOBOT_RENDER_POLL_SECONDS": "0.02",
            "VIDEOBOT_RENDER_POLL_MAX_SECONDS": "0.05",
            "VIDEOBOT_RECOVERY_POLL_SECONDS": "0.05",
            "VIDEOBOT_CONSOLE_EDIT_SECONDS": "0.02",
            "VIDEOBOT_LOCK_LEASE_SECONDS": "3",
            "VIDEOBOT_HTTP_RETRIES": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "LANG": "C.UTF-8",
        }
    )
    return env


async def _start(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "chat",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_whole_conversation_ends_with_an_mp4_in_out(
    fake_nemo: FakeNemo, redis: aioredis.Redis, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    photos = make_sample_photos(tmp_path / "photos")
    fake_nemo.script_turn(default_turn("Here is your 30-second promo with three shots."), draft=DRAFT)
    fake_nemo.on_turn_set_draft(_with_music(DRAFT))
    script = (
        "\n".join(
            [
                "/attach " + " ".join(str(p) for p in photos),
                "create a 30-second promotional video from my product images and description",
                "add some upbeat music",
                "/credits",
                "/status",
                "/export",
            ]
        )
        + "\n"
    )
    out, transcript = tmp_path / "out", tmp_path / "t.jsonl"
    proc = await _start(
        ["--user", "dana", "--out", str(out), "--transcript", str(transcript)],
        _env(fake_nemo.url, redis_url, data_dir),
        tmp_path,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 60)
    text = stdout.decode()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    banner = text.splitlines()[:2]  # opens with what to type, /attach, /help and how to quit
    assert banner[0].startswith("videobot chat — type what you want")
    assert "/attach PATH" in banner[1] and "/help" in banner[1] and "Ctrl-D quits" in banner[1]
    assert "bot: ✅ 3 photos added to your project." in text
    assert "bot: Here is your 30-second promo with three shots." in text
    assert "Upbeat" in text  # the silent edit, reported from the state
    assert "bot: 💳 Credits: 100 available" in text
    assert "bot: 📊 Timeline (" in text
    assert "bot: ✅ Video ready!" in text
    videos = [line.removeprefix("video: ") for line in text.splitlines() if line.startswith("video: ")]
    assert len(videos) == 1
    assert Path(videos[0]).parent == out.resolve()
    assert _bytes(videos[0]) == fake_nemo.default_mp4
    assert text.count("bot: ✅ Video ready!") == 1
    (upload,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [f.filename for f in upload.files] == [p.name for p in photos]
    ops = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert {o["op"] for o in ops} >= {"send", "edit", "typing", "video", "buttons"}
    assert all(set(o) >= {"t", "op", "id", "text", "path"} for o in ops)
    for token in fake_nemo.tokens:
        assert token not in text and token not in stderr.decode() and token not in transcript.read_text()


async def until(condition: Callable[[], object], what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_sigterm_during_the_render_then_a_restart_delivers_exactly_once(
    fake_nemo: FakeNemo, redis: aioredis.Redis, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    env = _env(fake_nemo.url, redis_url, data_dir)
    out = tmp_path / "out"
    fake_nemo.render_plan(["pending"] * 60 + [("processing", 50), ("completed", 100)])
    proc = await _start(["--user", "eve", "--out", str(out)], env, tmp_path)
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"/start\n")
        await proc.stdin.drain()
        await until(lambda: fake_nemo.sessions, "the first contact")  # a cold start imports the studio
        sid = next(iter(fake_nemo.sessions))
        fake_nemo.set_draft(sid, DRAFT)
        proc.stdin.write(b"/export\n")
        await proc.stdin.drain()
        await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda/*"), "the first render poll")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "video:" not in stdout.decode()
    assert await redis.scard("vb:jobs:active") == 1

    again = await _start(["--user", "eve", "--out", str(out)], env, tmp_path)
    stdout, stderr = await asyncio.wait_for(again.communicate(b""), 60)
    text = stdout.decode()
    assert again.returncode == 0, stderr.decode()[-2000:]
    videos = [line for line in text.splitlines() if line.startswith("video: ")]
    assert len(videos) == 1
    assert _bytes(videos[0].removeprefix("video: ")) == fake_nemo.default_mp4
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 1
    assert await redis.scard("vb:jobs:active") == 0

    third = await _start(["--user", "eve", "--out", str(out)], env, tmp_path)
    stdout, _ = await asyncio.wait_for(third.communicate(b""), 30)
    assert "video:" not in stdout.decode()  # delivered exactly once


async def test_a_fatal_start_up_error_is_one_line_and_non_zero(tmp_path: Path, data_dir: Path) -> None:
    env = _env("http://127.0.0.1:1", "redis://127.0.0.1:1/0", data_dir)
    proc = await _start(["--user", "x"], env, tmp_path)
    _, stderr = await asyncio.wait_for(proc.communicate(b"/credits\n"), 30)
    assert proc.returncode not in (0, None)
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("videobot chat:")
    assert "Traceback" not in stderr.decode()


async def test_kill_9_during_the_render_then_a_restart_within_the_lease_delivers_exactly_once(
    fake_nemo: FakeNemo, redis: aioredis.Redis, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    env = _env(fake_nemo.url, redis_url, data_dir)
    out = tmp_path / "out"
    fake_nemo.render_plan(["pending"] * 10 + [("processing", 6)] * 10 + [("completed", 100)])
    proc = await _start(["--user", "kim", "--out", str(out)], env, tmp_path)
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"/start\n")
        await proc.stdin.drain()
        await until(lambda: fake_nemo.sessions, "the first contact")
        fake_nemo.set_draft(next(iter(fake_nemo.sessions)), DRAFT)
        proc.stdin.write(b"/export\n")
        await proc.stdin.drain()
        await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda/*"), "the first render poll")
        proc.kill()  # SIGKILL: no clean-up at all; the job's lease (3 s) and turn lock stay behind
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert await redis.scard("vb:jobs:active") == 1

    started = time.monotonic()
    again = await _start(["--user", "kim", "--out", str(out)], env, tmp_path)  # within the lease
    stdout, stderr = await asyncio.wait_for(again.communicate(b""), 40)
    took = time.monotonic() - started
    text = stdout.decode()
    assert again.returncode == 0, stderr.decode()[-2000:]
    videos = [line for line in text.splitlines() if line.startswith("video: ")]
    assert len(videos) == 1, text
    assert _bytes(videos[0].removeprefix("video: ")) == fake_nemo.default_mp4
    assert "bot: ✅ Video ready!" in text
    assert took < 20, took  # the lease (3 s) runs out, then the render is adopted: no long block
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 1
    assert await redis.scard("vb:jobs:active") == 0

    later = await _start(["--user", "kim", "--out", str(out)], env, tmp_path)
    stdout, _ = await asyncio.wait_for(later.communicate(b"/status\n"), 30)
    assert "video:" not in stdout.decode()  # delivered exactly once


async def test_redis_stopped_and_restarted_mid_render_is_one_line_and_the_video_arrives(
    fake_nemo: FakeNemo, data_dir: Path, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path / "redis", appendonly=True)
    server.start()
    env = _env(fake_nemo.url, server.url, data_dir)
    fake_nemo.render_plan([("processing", 10)] * 10 + [("processing", 60)] * 5 + [("completed", 100)])
    proc = await _start(["--user", "lea", "--out", str(tmp_path / "out")], env, tmp_path)
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"/start\n")
        await proc.stdin.drain()
        await until(lambda: fake_nemo.sessions, "the first contact")
        fake_nemo.set_draft(next(iter(fake_nemo.sessions)), DRAFT)
        proc.stdin.write(b"/export\n")
        await proc.stdin.drain()
        await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda/*"), "the first render poll")
        server.stop()  # Redis goes away mid-render ...
        await asyncio.sleep(2.0)
        server.start()  # ... and comes back: no restart of the bot
        proc.stdin.close()
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 40)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        server.stop()
    text = stdout.decode()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert text.count("memory") == 1, text  # one line to the user
    assert len([line for line in text.splitlines() if line.startswith("video: ")]) == 1
    log = (data_dir / "logs" / "chat.log").read_text()
    assert "Traceback" not in log and "Traceback" not in stderr.decode() and "Traceback" not in text
    retries = [line for line in log.splitlines() if "Redis unreachable while following" in line]
    assert 1 <= len(retries) <= 6  # 0.5 s, 1 s, 2 s …: a retry with backoff, not a flood
