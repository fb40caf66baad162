"""Scale-out, for real: two bot processes and two render workers on one Redis, 12 users, two kills.

Processes: one `videobot studio` (VIDEOBOT_STUDIO_RENDER_WORKERS=0), `videobot studio-worker`s, and
two bot processes (`bench.scale.driver`: the real Engine on a BotHost, six users each, against the
studio over HTTP). Each user sends a photo with "Make a 5 second square video", then /export. A
worker is killed (SIGKILL) in the middle of a render, and a replacement started (compose's restart
policy); a bot process is killed while it polls its users' renders. Every user still gets exactly
one video. Twelve users keep two workers busy long enough for both kills to land mid-work (it was
20, which only made the test slower: the property is the same at any count).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from app.samples import make_sample_photos
from bench.scale.cluster import Cluster, Proc
from bot.settings import Settings
from bot.state.store import Store
from studio import keys

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

USERS = [f"scale{i:02d}" for i in range(12)]
HALF = len(USERS) // 2
FAST = {  # bot processes: short leases and polls, so a dead process's renders move on quickly
    "VIDEOBOT_LOCK_LEASE_SECONDS": "6", "VIDEOBOT_RENDER_POLL_SECONDS": "0.5",
    "VIDEOBOT_RENDER_POLL_MAX_SECONDS": "1", "VIDEOBOT_RENDER_TIMEOUT_SECONDS": "300",
}


async def until[T](check: Callable[[], Awaitable[T | None]], limit: float, what: str) -> T:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if (found := await check()) is not None:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def deliveries(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def videos(log: Path) -> list[dict[str, Any]]:
    return [d for d in deliveries(log) if d["event"] == "video"]


async def saq_jobs(redis: aioredis.Redis) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    async for key in redis.scan_iter(match="saq:job:studio-renders:*"):
        raw = await redis.get(key)
        if raw:
            found.append(json.loads(raw))
    return found


async def rendering_on(redis: aioredis.Redis, worker: Proc) -> str | None:
    """The studio job id a worker is rendering right now (progress under way), if any."""
    for job in await saq_jobs(redis):
        on_worker = str(job.get("worker_id", "")).split(":")[1:2] == [str(worker.pid)]
        if job.get("status") == "active" and on_worker:
            job_id = job["kwargs"]["job_id"]
            record = await redis.hgetall(keys.render(job_id))
            if record.get(b"status") == b"processing" and int(record.get(b"progress", b"0")) > 0:
                return str(job_id)
    return None


async def test_two_bots_and_two_workers_deliver_every_users_video_once_through_kills(
    redis: aioredis.Redis, redis_url: str, tmp_path: Path
) -> None:
    photo = make_sample_photos(tmp_path / "photos")[2]
    cluster = Cluster(tmp_path, redis_url, settings=FAST)
    store = await Store.connect(Settings(_env_file=None, redis_url=redis_url, data_dir=cluster.data_dir))  # type: ignore[call-arg]
    log = tmp_path / "deliveries.jsonl"
    try:
        await asyncio.to_thread(cluster.start_studio)
        w1, w2 = cluster.start_worker("worker1"), cluster.start_worker("worker2")
        bot1 = cluster.start_bot(USERS[:HALF], photo, log, name="bot1")
        bot2 = cluster.start_bot(USERS[HALF:], photo, log, name="bot2")

        # 1. a worker dies in the middle of a render; a replacement starts (restart policy)
        victim = await until(lambda: rendering_on(redis, w1), 150, "worker1 to be rendering")
        w1.signal(signal.SIGKILL)
        w3 = cluster.start_worker("worker3")

        # 2. bot1 dies while it polls: every one of its users has exported, some renders still running
        async def bot1_polling() -> bool | None:
            active = {j.user_key.id: j for j in await store.jobs.active()}
            delivered = {v["user"] for v in videos(log)}
            mine = USERS[:HALF]
            if not all(u in delivered or (u in active and active[u].status in ("pending", "processing"))
                       for u in mine):
                return None
            return True if sum(u in active for u in mine) >= 3 else None

        await until(bot1_polling, 200, "bot1's users to be waiting for their renders")
        for _ in range(50):  # never kill it between sending a video and recording the delivery
            bot1.signal(signal.SIGSTOP)
            sent = {v["render_id"] for v in videos(log)}
            in_window = [j for j in await store.jobs.active() if j.render_id in sent]
            if not in_window:
                break
            bot1.signal(signal.SIGCONT)
            await asyncio.sleep(0.3)
        bot1.signal(signal.SIGKILL)
        bot1.signal(signal.SIGCONT)
        killed_at = len(videos(log))

        # 3. everyone gets a video
        async def all_delivered() -> bool | None:
            return True if {v["user"] for v in videos(log)} >= set(USERS) else None

        await until(all_delivered, 240, f"all {len(USERS)} videos")
        await asyncio.sleep(3)  # a duplicate delivery would show up now
    finally:
        cluster.stop()
        await store.aclose()

    got = videos(log)
    assert sorted(v["user"] for v in got) == sorted(USERS)  # each user exactly once
    assert all(v["size"] > 10_000 for v in got)
    adopted = [v for v in got[killed_at:] if v["user"] in USERS[:HALF]]
    assert adopted and all(v["pid"] == bot2.pid for v in adopted)  # bot1's renders, delivered by bot2
    # the job of the killed worker was rendered again by another worker and completed once
    record = await redis.hgetall(keys.render(victim))
    assert record[b"status"] == b"completed"
    assert await asyncio.to_thread(Path(os.fsdecode(record[b"out_path"])).is_file)
    saq = {j["kwargs"]["job_id"]: j for j in await saq_jobs(redis)}
    assert saq[victim]["attempts"] >= 2
    assert saq[victim]["worker_id"].split(":")[1] in {str(w2.pid), str(w3.pid)}
    renders = {os.fsdecode(k): int(v) for k, v in (await redis.hgetall("studio:metrics:renders")).items()}
    assert renders.get("completed") == len(USERS) and renders.get("failed", 0) == 0
