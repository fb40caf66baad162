"""Nothing stranded, nothing leaked: renders stop when told, dead workers' jobs and files are
recovered, and a studio killed with `kill -9` mid-render finishes the job after a restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from saq.job import Job

from common.ffmpeg import probe
from studio import keys
from studio.jobs import scratch
from studio.jobs.dispatch import run_render_job
from studio.jobs.queue import FUNCTION, make_queue
from studio.jobs.worker import WorkerOptions, run_worker
from tests.fixtures_studio import ATTRIBUTION, StudioFactory, StudioMedia, fake_render, image_draft
from tests.paths import ROOT


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "zombie" not in fh.read()
    except FileNotFoundError:
        return False


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if text.encode() in fh.read() and alive(int(entry)):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def leftovers(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.name.endswith(".part") or p.name.startswith("vb-render-")]


async def eventually(predicate: Any, limit: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(every)
    return bool(predicate())


async def test_a_render_told_to_stop_stops_its_ffmpeg_and_leaves_the_job_for_a_retry(
    redis: aioredis.Redis, redis_url: str, tmp_path: Path
) -> None:
    # what happens when the queue's job timeout fires or the worker is stopping: the stop event
    out = tmp_path / "render.mp4"
    pidfile = tmp_path / "ffmpeg.pid"
    draft = {"d": 1000, "m": {"fake_ffmpeg": 120, "fake_ffmpeg_pidfile": str(pidfile)}, "t": []}
    await redis.hset(keys.render("u:r1"), mapping={"status": "pending", "draft": json.dumps(draft),
                                                   "assets": "{}", "out_path": str(out), "limit_s": "600"})
    stop = threading.Event()
    running = asyncio.ensure_future(
        asyncio.to_thread(run_render_job, redis_url, "u:r1", fake_render, stop=stop))
    assert await eventually(pidfile.exists, 30)
    ffmpeg = int(pidfile.read_text())
    stop.set()
    assert await asyncio.wait_for(running, 20) == "stopped"
    assert not alive(ffmpeg)
    job = await redis.hgetall(keys.render("u:r1"))
    assert job[b"status"] == b"processing"  # untouched: the retry takes it over
    assert not out.exists()
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("*.part")))


async def test_when_the_queue_times_a_job_out_its_render_and_ffmpeg_stop(
    redis: aioredis.Redis, redis_url: str, tmp_path: Path
) -> None:
    # SAQ's own job timeout (the backstop past the render limit) cancels the job function: the
    # render thread is told to stop, and its ffmpeg (a renderer ignoring the hook) is killed
    out = tmp_path / "render.mp4"
    pidfile = tmp_path / "ffmpeg.pid"
    draft = {"d": 1000, "m": {"fake_ffmpeg": 120, "fake_ffmpeg_pidfile": str(pidfile)}, "t": []}
    await redis.hset(keys.render("u:r2"), mapping={"status": "pending", "draft": json.dumps(draft),
                                                   "assets": "{}", "out_path": str(out), "limit_s": "600"})
    queue = make_queue(redis)
    await queue.enqueue(Job(function=FUNCTION, kwargs={"job_id": "u:r2"}, key="u:r2", timeout=3, retries=1))
    worker = asyncio.ensure_future(run_worker(redis_url, WorkerOptions(burst=True), renderer=fake_render,
                                              handle_signals=False))
    assert await eventually(pidfile.exists, 30)
    ffmpeg = int(pidfile.read_text())
    await asyncio.wait_for(worker, 30)
    assert await eventually(lambda: not alive(ffmpeg), 15), "ffmpeg outlived its cancelled job"
    assert await eventually(lambda: not list(tmp_path.glob("*.part")), 5)


CLAIM_AND_WAIT = """
import sys, time
from pathlib import Path
from studio.jobs import scratch
folder = scratch.claim(Path(sys.argv[1]), sys.argv[2], as_tempdir=True)
import tempfile
Path(tempfile.mkdtemp(prefix="vb-render-"), "frame.png").write_bytes(b"x")
(folder / "render.mp4.part").write_bytes(b"partial")
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
"""


def _claimer(root: Path, worker_id: str, seconds: float) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", CLAIM_AND_WAIT, str(root), worker_id, str(seconds)],
                            cwd=ROOT, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    return proc


def test_scratch_folders_of_dead_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    root = tmp_path / "studio" / "tmp"
    live = _claimer(root, "host:1:live", 60)
    dead = _claimer(root, "host:2:dead", 60)
    try:
        dead.send_signal(signal.SIGKILL)
        dead.wait(10)
        if dead.stdout is not None:
            dead.stdout.close()
        assert scratch.worker_alive(root, "host:1:live") is True
        assert scratch.worker_alive(root, "host:2:dead") is False
        assert scratch.worker_alive(root, "elsewhere:3:x") is None
        assert scratch.clean_scratch(root) == ["host_2_dead"]
        assert sorted(p.name for p in root.iterdir()) == ["host_1_live"]
        assert any(p.name.startswith("vb-render-") for p in (root / "host_1_live").iterdir())
        assert (root / "host_1_live" / "render.mp4.part").exists()  # a live render's files are never touched
    finally:
        live.kill()
        live.wait(10)
        if live.stdout is not None:
            live.stdout.close()
    assert scratch.clean_scratch(root) == ["host_1_live"]
    assert list(root.iterdir()) == []


def test_a_folder_claimed_on_another_host_is_removed_only_once_it_went_stale(tmp_path: Path) -> None:
    # on a shared volume whose locks may not work across machines, a free lock alone proves nothing
    root = tmp_path / "tmp"
    folder = root / "far_away_1_abc"
    folder.mkdir(parents=True)
    (folder / "render.mp4.part").write_bytes(b"partial")
    lock = folder / ".lock"
    lock.write_text("far-away-host 1\n")
    assert scratch.worker_alive(root, "far:away:1:abc") is True
    assert scratch.clean_scratch(root) == []
    old = time.time() - scratch.STALE_SECONDS - 5
    os.utime(lock, (old, old))
    assert scratch.worker_alive(root, "far:away:1:abc") is False
    assert scratch.clean_scratch(root) == ["far_away_1_abc"]


async def test_a_studio_starts_its_workers_for_jobs_left_waiting(make_studio: StudioFactory,
                                                                 studio_media: StudioMedia) -> None:
    first = await make_studio(render_workers=0)  # takes the export, has nobody to render it
    user = await first.user()
    sid = await user.new_session()
    asset = (await user.upload(sid, studio_media.photos[0]))["data"]["files"][0]["asset_id"]
    r = await user.http.post("/api/render/proxy/lambda", json={"id": "render_left", "sessionId": sid,
                                                               "draft": image_draft([asset])})
    assert r.json()["data"]["status"] == "pending"
    await first.server.stop()

    second = await make_studio(renderer=fake_render)  # no export is submitted to this one
    user.http = second.http(user.token)
    assert (await second.poll_render(user, "render_left", limit=60))["status"] == "completed"


def _studio_env(data_dir: Path, redis_url: str, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOBOT_", "REDIS_", "NEMO_"))}
    return keep | {"VIDEOBOT_DATA_DIR": str(data_dir), "REDIS_URL": redis_url,
                   "VIDEOBOT_LOG_LEVEL": "WARNING", "VIDEOBOT_STUDIO_RENDER_WORKERS": "1"} | extra


async def _start(env: dict[str, str], *args: str) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
    assert line.startswith("studio listening on "), line
    return proc, line.split()[-1]


async def _reap(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await proc.wait()


@pytest.mark.slow
async def test_a_studio_killed_mid_render_finishes_the_job_after_a_restart_and_leaves_no_temp_files(
    redis: aioredis.Redis, redis_url: str, data_dir: Path, studio_media: StudioMedia
) -> None:
    env = _studio_env(data_dir, redis_url)
    proc, url = await _start(env, "studio", "--port", "0")
    try:
        async with httpx.AsyncClient(base_url=url, headers=ATTRIBUTION, timeout=60) as http:
            answer = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "k9"})
            token = answer.json()["data"]
            http.headers["Authorization"] = f"Bearer {token['token']}"
            answer = await http.post("/api/tasks/me/with-session/nemo_agent", json={})
            sid = answer.json()["data"]["session_id"]
            files = [("files", (p.name, p.read_bytes())) for p in studio_media.photos]
            answer = await http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=files)
            assets = [f["asset_id"] for f in answer.json()["data"]["files"]]
            draft = image_draft(assets)
            for n, seg in enumerate(draft["t"][0]["sg"]):
                seg["st"], seg["d"] = n * 3000, 3000  # 9 s of 1080x1920 video: a few seconds of work
            draft["d"] = 3000 * len(assets)
            await http.post("/api/render/proxy/lambda",
                            json={"id": "render_k9", "sessionId": sid, "draft": draft})
            poll = "/api/render/proxy/lambda/render_k9"
            scratch_root = data_dir / "studio" / "tmp"
            deadline = time.monotonic() + 90
            while True:  # mid-render: ffmpeg encoding, the renderer's temp folder in the worker's scratch
                data = (await http.get(poll)).json()["data"]
                assert data["status"] in ("pending", "processing"), data
                if data["status"] == "processing" and data["progress"] >= 3 and leftovers(scratch_root):
                    break
                assert time.monotonic() < deadline, data
                await asyncio.sleep(0.05)
            assert data["progress"] < 90, "the render ran too fast to be interrupted"

        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        # the orphaned worker notices, stops its ffmpeg and exits
        gone = await eventually(lambda: not processes_naming(str(data_dir)), 15)
        assert gone, processes_naming(str(data_dir))
        job = await redis.hgetall(keys.render(f"{token['user_id']}:render_k9"))
        assert job[b"status"] == b"processing"  # stranded, as it was before this fix
        assert leftovers(data_dir)  # the killed render's temp files are still there

        proc, url = await _start(env, "studio", "--port", "0")  # nobody exports again
        async with httpx.AsyncClient(base_url=url, headers=ATTRIBUTION, timeout=60) as http:
            http.headers["Authorization"] = f"Bearer {token['token']}"
            deadline = time.monotonic() + 120
            while (data := (await http.get(poll)).json()["data"])["status"] not in ("completed", "failed"):
                assert time.monotonic() < deadline, data
                await asyncio.sleep(0.2)
            assert data["status"] == "completed", data
            video = data_dir / "studio" / "media" / data["output"]["url"].split("/media/", 1)[1]
            seen = probe(video)
            assert seen.video and abs((seen.duration or 0) - 9.0) < 0.2
            assert stat.S_IMODE(video.stat().st_mode) == 0o600  # ffmpeg wrote it; the studio closed it
            assert stat.S_IMODE(scratch_root.stat().st_mode) == 0o700
        assert leftovers(data_dir) == []
        assert all(not list(p.glob("*.mp4")) for p in scratch_root.iterdir())  # outputs were moved out
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        assert await eventually(lambda: not processes_naming(str(data_dir)), 10)
    finally:
        await _reap(proc)


@pytest.mark.slow
async def test_the_studio_sweeps_a_job_whose_remote_worker_died(
    make_studio: StudioFactory, studio_media: StudioMedia, redis_url: str, tmp_path: Path
) -> None:
    # a `videobot studio-worker` on "another machine" (its own scratch, invisible to the studio) is
    # killed mid-render; the studio's own janitor finds the stale heartbeat and requeues the job
    studio = await make_studio(renderer=fake_render, render_workers=0)
    user = await studio.user()
    sid = await user.new_session()
    asset = (await user.upload(sid, studio_media.photos[0]))["data"]["files"][0]["asset_id"]
    draft = image_draft([asset])
    draft["t"][0]["sg"][0]["d"], draft["d"] = 60000, 60000  # a minute of video: long enough to kill
    await user.http.post("/api/render/proxy/lambda",
                         json={"id": "render_far", "sessionId": sid, "draft": draft})
    remote = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "studio-worker", cwd=ROOT,
        env=_studio_env(tmp_path / "elsewhere", redis_url), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        poll = "/api/render/proxy/lambda/render_far"
        while (await user.http.get(poll)).json()["data"]["status"] != "processing":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        remote.send_signal(signal.SIGKILL)
        await remote.wait()
        killed = time.monotonic()
        await studio.server.stop()
        rescuer = await make_studio(renderer=fake_render)  # local worker, fake renderer: cheap
        user.http = rescuer.http(user.token)
        data = await rescuer.poll_render(user, "render_far", limit=60)
        assert data["status"] == "completed", data
        assert time.monotonic() - killed > 9  # found by the heartbeat (10 s), not by its lock
    finally:
        await _reap(remote)
        for pid in processes_naming(str(tmp_path / "elsewhere")):
            os.kill(pid, signal.SIGKILL)
