"""Render workers: `videobot studio-worker`, and the local worker processes of `videobot studio`.

    videobot studio-worker [--concurrency N] [--grace SECONDS] [--burst]

A worker takes render jobs from the studio's render queue (`studio.jobs.queue`, SAQ on `REDIS_URL`)
and renders them with the files under `VIDEOBOT_DATA_DIR` (the studio's media folder, shared
with the API: the same volume or network share). Run as many as you have cores to spare, on
any machine that mounts the folder. SIGINT / SIGTERM: no new job is taken; the render in hand
may finish within `--grace` seconds, after which it goes back on the queue for another worker.

`LocalWorkers` is one-machine mode (`VIDEOBOT_STUDIO_RENDER_WORKERS=N`): the studio spawns N
worker processes of its own when there is work (at start-up when jobs are waiting, else on the
first export), requeues the job of one that dies at once and starts a new one; when the studio
stops, their renders in flight are failed ("The studio stopped...") and the processes end with it.
A local worker whose studio was killed (`kill -9`) notices within a second, stops its ffmpeg and
exits; the next studio requeues its job (`studio.jobs.janitor`).

Every worker process claims a scratch folder (`studio.jobs.scratch`, `<data_dir>/studio/tmp/<worker
id>/`) for its temporary files and unfinished outputs; the studio removes the folders of workers
that are gone.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from saq.worker import Worker

from common.logs import configure_logging
from studio.jobs import queue as rq
from studio.jobs import scratch
from studio.jobs.dispatch import RenderCallable
from studio.settings import ConfigError, StudioSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 1
    grace: float = 30.0  # seconds a stopping worker lets its render finish
    burst: bool = False  # stop once the queue is empty (benchmarks, tests)
    sweep_every: int = rq.SWEEP_EVERY
    beat_every: float = rq.BEAT_EVERY


def new_worker_id(tag: str = "") -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{tag}{uuid.uuid4().hex[:6]}"


def build_worker(redis_url: str, options: WorkerOptions, *, worker_id: str | None = None,
                 renderer: RenderCallable | None = None) -> Worker[Any]:
    client = rq.queue_client(redis_url)
    worker: Worker[Any] = Worker(
        rq.make_queue(client), functions=[(rq.FUNCTION, rq.render)],
        id=worker_id or new_worker_id(),
        concurrency=max(1, options.concurrency),
        timers={"sweep": options.sweep_every, "abort": 1, "schedule": 1, "worker_info": 10},
        dequeue_timeout=1.0 if options.burst else 0.0, burst=options.burst,
        shutdown_grace_period_s=int(options.grace),
        metadata={"host": socket.gethostname(), "pid": os.getpid()},
    )
    worker.context["videobot"] = rq.WorkerState(redis_url, client, renderer, options.beat_every)
    return worker


async def run_worker(redis_url: str, options: WorkerOptions, *, worker_id: str | None = None,
                     renderer: RenderCallable | None = None, handle_signals: bool = True,
                     scratch_root: Path | None = None) -> None:
    """Work until stopped (SIGINT / SIGTERM when `handle_signals`), or the queue is empty in burst mode.
    `scratch_root`: claim this process's scratch folder there (processes that only render)."""
    worker_id = worker_id or new_worker_id()
    if scratch_root is not None:
        scratch.claim(scratch_root, worker_id, as_tempdir=True)
    worker = build_worker(redis_url, options, worker_id=worker_id, renderer=renderer)
    if not handle_signals:
        worker.SIGNALS = []
    await asyncio.to_thread(importlib.import_module, "studio.render.render")  # loaded before the first job
    await worker.queue.connect()
    log.info("render worker %s ready (concurrency %d)", worker.id, worker.concurrency)
    try:
        await worker.start()
    finally:
        await worker.queue.disconnect()
        log.info("render worker %s stopped", worker.id)


# --- one-machine mode: worker processes owned by the studio --------------------------------------

def _end_now(signum: int = 0, frame: object = None) -> None:
    """End this worker process at once, its ffmpeg processes first (they would outlive it)."""
    scratch.kill_children()
    os._exit(0)


def _local_main(redis_url: str, worker_id: str, renderer: RenderCallable | None, log_level: str,
                log_json: bool, parent: int, scratch_root: Path | None = None) -> None:
    """Entry of a local worker process: the parent owns its lifetime (SIGTERM ends it at once)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the studio's terminal is the studio's
    signal.signal(signal.SIGTERM, _end_now)
    configure_logging(log_level, json_lines=log_json)

    async def main() -> None:
        work = asyncio.create_task(run_worker(redis_url, WorkerOptions(), worker_id=worker_id,
                                              renderer=renderer, handle_signals=False,
                                              scratch_root=scratch_root))
        while not work.done():  # an orphan (the studio was killed) stops with it
            if os.getppid() != parent:
                log.warning("render worker %s: the studio is gone; stopping", worker_id)
                _end_now()
            await asyncio.sleep(0.5)
        work.result()

    asyncio.run(main())


class LocalWorkers:
    """N worker processes next to the API, started on first use, replaced when one dies."""

    def __init__(self, client: aioredis.Redis, redis_url: str, count: int,
                 renderer: RenderCallable | None = None, *, log_level: str = "INFO",
                 log_json: bool = False, scratch_root: Path | None = None) -> None:
        self.client = client
        self.redis_url = redis_url
        self.count = max(1, count)
        self.renderer = renderer
        self.log_args = (log_level, log_json)
        self.scratch_root = scratch_root
        self._procs: dict[str, BaseProcess] = {}
        self.spawned: set[str] = set()  # every worker id this studio started (they are its to watch)
        self._deaths = 0
        self._watch: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def ids(self) -> set[str]:
        return set(self._procs)

    @property
    def started(self) -> bool:
        return self._watch is not None

    def _spawn(self, slot: int) -> None:
        worker_id = new_worker_id(f"local{slot}:")
        ctx = multiprocessing.get_context("spawn")
        proc = ctx.Process(target=_local_main, name=f"videobot-render-{slot}", daemon=True,
                           args=(self.redis_url, worker_id, self.renderer, *self.log_args, os.getpid(),
                                 self.scratch_root))
        proc.start()
        proc.slot = slot  # type: ignore[attr-defined]
        self._procs[worker_id] = proc
        self.spawned.add(worker_id)

    def ensure_started(self) -> None:
        if self._watch is None and not self._closing:
            for slot in range(self.count):
                self._spawn(slot)
            self._watch = asyncio.create_task(self._supervise(), name="render-workers")

    async def _supervise(self) -> None:
        while not self._closing:
            await asyncio.sleep(0.2)
            dead = {wid: p for wid, p in self._procs.items() if not p.is_alive()}
            if not dead or self._closing:
                continue
            for wid, proc in dead.items():
                log.error("render worker process %s ended (exit code %s)", proc.pid, proc.exitcode)
                del self._procs[wid]
            try:
                await rq.requeue_worker_jobs(self.client, set(dead))
            except Exception:
                log.exception("could not requeue the jobs of a dead render worker")
            self._deaths += 1
            await asyncio.sleep(min(0.5 * (self._deaths - 1), 10.0))  # a crash loop slows down
            for proc in dead.values():
                if not self._closing:
                    self._spawn(proc.slot)  # type: ignore[attr-defined]

    async def aclose(self, grace: float = 2.0) -> None:
        """Fail the renders in flight (STOPPED), then end the processes."""
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
            self._watch = None
        procs, self._procs = dict(self._procs), {}
        if not procs:
            return
        try:
            await rq.requeue_worker_jobs(self.client, set(procs), stopped=True)
        except Exception:
            log.exception("could not mark the renders of the stopping workers")
        for proc in procs.values():
            proc.terminate()
        deadline = time.monotonic() + grace
        for proc in procs.values():
            await asyncio.to_thread(proc.join, max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                await asyncio.to_thread(proc.join, 1.0)


class LocalQueueDispatcher(rq.RenderQueue):
    """The render queue, plus this studio's own worker processes (started on the first job)."""

    def __init__(self, client: aioredis.Redis, workers: LocalWorkers, *,
                 render_timeout: float | None = None) -> None:
        super().__init__(client, render_timeout=render_timeout)
        self.workers = workers

    async def submit(self, job_id: str) -> None:
        self.workers.ensure_started()
        await super().submit(job_id)

    async def aclose(self) -> None:
        await self.workers.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="videobot studio-worker",
        description="Render studio videos from the Redis render queue (REDIS_URL, VIDEOBOT_DATA_DIR).")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="renders at once in this process (default 1; one render keeps a core busy)")
    parser.add_argument("--grace", type=float, default=30.0,
                        help="seconds a stopping worker lets its render finish before requeueing it (30)")
    parser.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    args = parser.parse_args(argv)
    try:
        settings = StudioSettings.load()
    except ConfigError as exc:
        print(f"videobot studio-worker: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if not settings.redis_url:
        print("videobot studio-worker: REDIS_URL is not set: workers share the studio's Redis "
              "(e.g. REDIS_URL=redis://redis:6379/0).", file=sys.stderr)
        return 2
    if settings.redis_url.startswith(("redis-cluster://", "redis+sentinel://")):
        print("videobot studio-worker: the render queue needs redis://, rediss:// or unix:// "
              "(not Cluster or Sentinel URLs).", file=sys.stderr)
        return 2
    options = WorkerOptions(concurrency=args.concurrency, grace=args.grace, burst=args.burst)
    try:
        asyncio.run(run_worker(settings.redis_url, options,
                               scratch_root=settings.data_dir.resolve() / "studio" / "tmp"))
    except (OSError, ConnectionError) as exc:
        print(f"videobot studio-worker: cannot reach Redis: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0
