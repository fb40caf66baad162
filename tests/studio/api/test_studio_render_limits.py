"""Renders within bounds: draft limits at submit, wall time and cancellation (ffmpeg stopped), records
kept for a while without their drafts, and the poll's time estimate learnt from recent renders."""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from studio.metrics import PACE_KEY
from tests.fixtures_studio import (
    RunningStudio,
    StudioFactory,
    StudioMedia,
    StudioUser,
    fake_render,
    image_draft,
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "zombie" not in fh.read()
    except FileNotFoundError:
        return False


def processes_naming(text: str) -> list[int]:
    """Live processes whose command line contains `text` (this machine)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if text.encode() in fh.read() and _alive(int(entry)):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def leftovers(data_dir: Path) -> list[Path]:
    """Unfinished outputs and render temp folders anywhere under the data dir."""
    return [p for p in data_dir.rglob("*") if p.name.endswith(".part") or p.name.startswith("vb-render-")]


async def submit(user: StudioUser, sid: str, render_id: str, draft: dict[str, Any]) -> dict[str, Any]:
    # NaN passes through, as some clients send it
    raw = json.dumps({"id": render_id, "sessionId": sid, "draft": draft})
    r = await user.http.post("/api/render/proxy/lambda", content=raw.encode(),
                             headers={"Content-Type": "application/json"})
    body: dict[str, Any] = r.json()
    body["http_status"] = r.status_code
    return body


async def project(studio: RunningStudio, media: StudioMedia, n: int = 1) -> tuple[StudioUser, str, list[str]]:
    user = await studio.user()
    sid = await user.new_session()
    files = (await user.upload(sid, *media.photos[:n]))["data"]["files"]
    return user, sid, [f["asset_id"] for f in files]


async def wait_for(predicate: Any, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return bool(predicate())


async def test_drafts_over_a_limit_are_refused_before_anything_renders(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio(renderer=fake_render, max_draft_segments=12, max_draft_kb=8)
    user, sid, assets = await project(studio, studio_media)

    endless = image_draft(assets)
    endless["t"][0]["sg"][0]["d"] = 1e9  # today: a 4.2 GB music bed
    r = await submit(user, sid, "render_endless", endless)
    assert (r["http_status"], r["code"]) == (422, 4009)
    assert r["message"] == "The draft's segment v1 is 16666:40 long; the limit is 5:00."

    long_draft = image_draft(assets * 11)
    for seg in long_draft["t"][0]["sg"]:
        seg["d"] = 30000  # 11 x 30 s = 5:30
    long_draft["d"] = 330000
    r = await submit(user, sid, "render_long", long_draft)
    assert (r["code"], r["message"]) == (4009, "The video would be 5:30 long; the limit is 5:00.")

    music = image_draft(assets) | {"t": [*image_draft(assets)["t"], {"tt": 1, "sg": [
        {"id": "a1", "st": 200000, "d": 200000, "m": {"src": "synth://lofi"}}]}]}
    r = await submit(user, sid, "render_music", music)
    assert (r["code"], r["message"]) == (4009, "The draft's segment a1 ends at 6:40; the limit is 5:00.")

    many = image_draft(assets * 13)
    r = await submit(user, sid, "render_many", many)
    assert (r["http_status"], r["code"]) == (422, 4008) and "13; the limit is 12" in r["message"]

    big = image_draft(assets) | {"m": {"title": "x" * 9000}}
    r = await submit(user, sid, "render_big", big)
    assert (r["http_status"], r["code"]) == (413, 4008) and "8 KB" in r["message"]

    for bad in (float("nan"), -5, "10s", True):
        odd = image_draft(assets)
        odd["t"][0]["sg"][0]["d"] = bad
        r = await submit(user, sid, "render_odd", odd)
        assert (r["http_status"], r["code"]) == (422, 422), bad

    assert await studio.redis.keys("studio:render:*") == []  # nothing was queued
    ok = await submit(user, sid, "render_ok", image_draft(assets))
    assert ok["code"] == 0


async def test_a_finished_render_keeps_its_record_for_a_while_but_not_its_draft(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio(renderer=fake_render, render_keep_hours=2)
    user, sid, assets = await project(studio, studio_media)
    await submit(user, sid, "render_kept", image_draft(assets))
    assert (await studio.poll_render(user, "render_kept"))["status"] == "completed"
    key = f"studio:render:{user.user_id}:render_kept"
    job = await studio.redis.hgetall(key)
    assert b"draft" not in job and job[b"status"] == b"completed"
    assert 2 * 3600 - 60 < await studio.redis.ttl(key) <= 2 * 3600


async def test_a_cancelled_render_stops_and_frees_its_worker(make_studio: StudioFactory,
                                                             studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media)
    await submit(user, sid, "render_slow", image_draft(assets) | {"m": {"fake_seconds": 60}})
    poll = "/api/render/proxy/lambda/render_slow"
    assert await wait_for_status(user, poll, "processing", 30)
    r = await user.http.delete(poll)
    data = r.json()["data"]
    assert (data["status"], data["error_code"]) == ("failed", 4011)
    assert data["error"] == "The render was cancelled."
    assert "eta_seconds" not in data
    # the one worker is free again at once, not after the 60 s render
    started = time.monotonic()
    await submit(user, sid, "render_next", image_draft(assets))
    assert (await studio.poll_render(user, "render_next", limit=30))["status"] == "completed"
    assert time.monotonic() - started < 20
    again = (await user.http.delete("/api/render/proxy/lambda/render_next")).json()["data"]
    assert again["status"] == "completed"  # a finished render cannot be cancelled
    other = await studio.user()
    assert (await other.http.delete(poll)).status_code == 404


async def wait_for_status(user: StudioUser, poll: str, status: str, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if (await user.http.get(poll)).json()["data"]["status"] == status:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_render_over_its_wall_time_is_stopped_with_its_ffmpeg(
    make_studio: StudioFactory, studio_media: StudioMedia, tmp_path: Path, data_dir: Path
) -> None:
    # a renderer that ignores should_stop and runs a real ffmpeg for 120 s
    studio = await make_studio(renderer=fake_render, render_limit_seconds=2)
    user, sid, assets = await project(studio, studio_media)
    pidfile = tmp_path / "ffmpeg.pid"
    draft = image_draft(assets) | {"m": {"fake_ffmpeg": 120, "fake_ffmpeg_pidfile": str(pidfile)}}
    await submit(user, sid, "render_stuck", draft)
    assert await wait_for(pidfile.exists, 30)
    ffmpeg = int(pidfile.read_text())
    assert _alive(ffmpeg)
    data = await studio.poll_render(user, "render_stuck", limit=30)
    assert data["status"] == "failed" and data["error_code"] == 4010
    assert data["error"] == ("The render took longer than 2 seconds and was stopped. "
                             "Please try a shorter video.")
    assert await wait_for(lambda: not _alive(ffmpeg), 10), "ffmpeg kept running"
    assert leftovers(data_dir) == []


async def test_the_real_renderer_is_stopped_at_its_wall_time(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    studio = await make_studio(render_limit_seconds=3)
    user, sid, assets = await project(studio, studio_media, 2)
    draft = image_draft(assets)
    for seg in draft["t"][0]["sg"]:
        seg["d"] = 60000  # two minutes of video: far more than 3 s of work
    draft["d"] = 120000
    await submit(user, sid, "render_real", draft)
    data = await studio.poll_render(user, "render_real", limit=60)
    assert data["status"] == "failed" and data["error_code"] == 4010, data
    assert await wait_for(lambda: not processes_naming(str(data_dir / "studio" / "tmp")), 10)
    assert await wait_for(lambda: not leftovers(data_dir), 5), leftovers(data_dir)


async def test_the_estimate_is_learnt_from_recent_renders(make_studio: StudioFactory,
                                                          studio_media: StudioMedia) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await project(studio, studio_media)
    draft = image_draft(assets * 2) | {"m": {"fake_seconds": 1.2}}  # 3 s of video in about 1.2 s
    first = await submit(user, sid, "render_a", draft)
    assert first["data"]["eta_seconds"] == 6  # the default pace: 2 s per second
    seen = []
    while True:
        data = (await user.http.get("/api/render/proxy/lambda/render_a")).json()["data"]
        if data["status"] == "completed":
            break
        if data["status"] == "processing":
            seen.append(data["eta_seconds"])
        await asyncio.sleep(0.1)
    assert seen and all(e >= 1 for e in seen) and seen[-1] <= seen[0]
    paces = [float(x) for x in await studio.redis.lrange(PACE_KEY, 0, -1)]
    assert len(paces) == 1 and 0.2 < paces[0] < 2.0, paces
    await asyncio.sleep(1.1)  # the pace is re-read at most every second
    other = image_draft(assets * 2) | {"m": {"fake_seconds": 1.2, "title": "B"}}  # not a re-export
    second = await submit(user, sid, "render_b", other)
    assert second["data"]["eta_seconds"] == max(1, math.ceil(paces[0] * 3))
    assert json.dumps(second)  # plain JSON numbers
