"""Housekeeping of every studio API process: nothing stranded, nothing leaked.

At start-up, then every `every` seconds:

- jobs of render workers that are gone are put back on the queue: at once for workers on this
  machine whose scratch lock is free (a `kill -9` of the studio and its local workers), and after
  `studio.jobs.queue.HEARTBEAT` seconds without a heartbeat for any worker (the queue's sweep, run
  here too, so it never depends on another worker running);
- the studio's own local workers are started when work is waiting (a job left by the previous
  run, or put back by the sweep), not only on the next export;
- scratch folders of ended render processes are removed (`studio.jobs.scratch.clean_scratch`),
  and `.part` files idle for `PART_IDLE` seconds in the media folder (renders run without a
  scratch folder); at start-up and every `clean_every` seconds.

Several API processes may run this at once: the sweep takes a Redis lock, a requeue only touches
jobs still marked active, and scratch folders are judged by their locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from saq.job import Status

from studio.jobs import queue as rq
from studio.jobs import scratch

if TYPE_CHECKING:
    from studio.jobs.worker import LocalWorkers

log = logging.getLogger(__name__)

PART_IDLE = 600.0


class Janitor:
    def __init__(self, client: aioredis.Redis, *, scratch_root: Path, media_root: Path,
                 workers: LocalWorkers | None = None, every: float = rq.SWEEP_EVERY,
                 clean_every: float = 60.0) -> None:
        self.client = client
        self.queue = rq.make_queue(client)
        self.scratch_root = scratch_root
        self.media_root = media_root
        self.workers = workers
        self.every = every
        self.clean_every = clean_every
        self._task: asyncio.Task[None] | None = None
        self._cleaned = 0.0
        self._failing = False

    async def start(self) -> None:
        """One round now (start-up), then the timer."""
        await self.tick(clean=True)
        self._task = asyncio.create_task(self._loop(), name="studio-janitor")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self.tick(clean=time.monotonic() - self._cleaned >= self.clean_every)

    async def tick(self, *, clean: bool = False) -> None:
        try:
            await self.requeue_dead_workers()
            await self.queue.sweep()
            await self._start_workers_if_needed()
            if clean:
                self._cleaned = time.monotonic()
                await asyncio.to_thread(self._clean_files)
            if self._failing:
                log.info("studio housekeeping works again")
            self._failing = False
        except (RedisError, OSError) as exc:
            if not self._failing:
                log.warning("studio housekeeping paused: %s (retried every %.0f s)",
                            type(exc).__name__, self.every)
            self._failing = True

    async def requeue_dead_workers(self) -> list[str]:
        """Jobs of workers on this machine that are gone (their scratch lock is free)."""
        dead: set[str] = set()
        for raw in await self.client.lrange(self.queue.namespace("active"), 0, -1):
            job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            job = await self.queue.job(self.queue.job_key_from_id(job_id))
            if job is None or job.status is not Status.ACTIVE or not job.worker_id:
                continue
            if self.workers is not None and job.worker_id in self.workers.spawned:
                continue  # this process's own workers: LocalWorkers watches them
            if scratch.worker_alive(self.scratch_root, job.worker_id) is False:
                dead.add(job.worker_id)
        if not dead:
            return []
        handled = await rq.requeue_worker_jobs(self.client, dead)
        if handled:
            log.warning("requeued %d render(s) of %d ended worker(s)", len(handled), len(dead))
        return handled

    async def _start_workers_if_needed(self) -> None:
        if self.workers is None or self.workers.started:
            return
        counts = await rq.queue_counts(self.client)
        if counts["queued"] or counts["scheduled"]:
            log.info("render jobs are waiting: starting the local render workers")
            self.workers.ensure_started()

    def _clean_files(self) -> None:
        scratch.clean_scratch(self.scratch_root)
        scratch.clean_stale_parts(self.media_root, PART_IDLE)
