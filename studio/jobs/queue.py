"""The render queue: studio render jobs through SAQ (Simple Async Queue) on the studio's Redis.

    POST /api/render/proxy/lambda → studio.api.renders writes the job hash (studio:render:<job id>)
      → RenderQueue.submit(job_id): one SAQ job, keyed by the studio job id (enqueued once)
      → any `videobot studio-worker` (or a local worker process of `videobot studio`) dequeues it
      → `render(ctx, job_id=...)`: studio.jobs.dispatch.run_render_job in a thread, heartbeats meanwhile

At-least-once delivery to workers, exactly-once completion of the render record:

- A worker beats the SAQ job's heartbeat every `BEAT_EVERY` seconds while it renders. A worker
  that dies (killed, OOM, machine gone) stops beating; after `HEARTBEAT` seconds another worker's
  sweep (every `SWEEP_EVERY` s) finds the job stuck and puts it back on the queue. Local workers
  of `videobot studio` are watched by their parent, which requeues at once (`requeue_worker_jobs`).
  The sweep is our own (`RenderRedisQueue.sweep`): SAQ's would also take a job that a live worker
  has just dequeued but not yet marked active; ours waits for a second sighting of such a job.
- Up to `MAX_RENDER_ATTEMPTS` renders are started for one job; the attempt after that only marks
  the render failed (a job that kills every worker that takes it must not loop for ever).
- A retried attempt may take the render record over from the presumed-dead one (`reclaim`);
  each attempt writes its own output file, and only the attempt that owns the record when it
  finishes completes it (studio.jobs.dispatch), so a render is completed once and delivered once.
- The render's own wall-time limit is enforced by `run_render_job` (the job fails, ffmpeg is
  stopped); the SAQ job timeout (that limit plus `TIMEOUT_MARGIN`) is the backstop. When SAQ
  cancels the job function (its timeout, a stopping worker), the render thread is told to stop
  (its `stop` event) and its ffmpeg is stopped with it.
- The sweep also runs in every studio API process (`studio.jobs.janitor`), so a job stranded by
  a killed worker is requeued even when no other worker is running.

Queue keys live under `saq:studio-renders:*` and `saq:job:studio-renders:*` (SAQ's own layout). The
queue needs one Redis server (SAQ's scripts touch several keys): Redis Cluster is not supported
for the studio; Sentinel-managed or plain Redis is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from saq.utils import now

from common.logs import request_id_var
from studio.jobs.dispatch import STOPPED, UNEXPECTED, RenderCallable, fail_job, run_render_job

log = logging.getLogger(__name__)

QUEUE_NAME = "studio-renders"
FUNCTION = "render"
MAX_RENDER_ATTEMPTS = 2
JOB_TIMEOUT = 900 + 60  # seconds before SAQ gives up on a job (the render's own limit + margin)
TIMEOUT_MARGIN = 60
HEARTBEAT = 10  # seconds without a heartbeat after which a job's worker is presumed dead
BEAT_EVERY = 2.0
SWEEP_EVERY = 5
RESULT_TTL = 3600  # seconds SAQ keeps a finished job's record


class RenderRedisQueue(RedisQueue):
    """SAQ's Redis queue with a sweep that never takes a job from a live worker."""

    def _suspect(self, job_id: str) -> str:
        return self.namespace(f"suspect:{job_id}")

    async def sweep(self, lock: int = SWEEP_EVERY, abort: float = 5.0) -> list[str]:
        """Put back on the queue jobs whose worker stopped beating (one sweeper per interval)."""
        if not await self.redis.set(self.namespace("sweep"), 1, nx=True, ex=max(1, lock)):
            return []
        swept: list[str] = []
        for raw in await self.redis.lrange(self._active, 0, -1):
            job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            job = await self.job(self.job_key_from_id(job_id))
            if job is None:  # expired record: drop the id
                await self.redis.lrem(self._active, 0, job_id)
                await self.redis.zrem(self._incomplete, job_id)
                continue
            if job.status is Status.ACTIVE:
                if not job.stuck:
                    await self.redis.delete(self._suspect(job_id))
                    continue
            elif await self.redis.set(self._suspect(job_id), 1, nx=True, ex=max(4 * lock, 20)):
                continue  # dequeued but not marked active yet: suspect only from the next sweep on
            await self.redis.delete(self._suspect(job_id))
            swept.append(job_id)
            studio_job = str((job.kwargs or {}).get("job_id", job.key))
            if job.retryable:
                log.warning("render %s: its worker stopped answering; queued again", studio_job)
                await self.retry(job, "swept")
            else:
                await fail_job(self.redis, studio_job, UNEXPECTED)
                await self.finish(job, Status.FAILED, error="swept")
        return swept


def make_queue(client: aioredis.Redis) -> RenderRedisQueue:
    """The render queue on `client` (a bytes client: `decode_responses` off)."""
    return RenderRedisQueue(client, name=QUEUE_NAME)


def queue_client(redis_url: str) -> aioredis.Redis:
    """A client for a worker's queue: no read timeout (it blocks on the queue), checked when idle."""
    return aioredis.Redis.from_url(redis_url, health_check_interval=30, socket_connect_timeout=5)


class RenderQueue:
    """The dispatcher `studio.api.renders` hands job ids to (a `studio.jobs.dispatch.JobDispatcher`)."""

    def __init__(self, client: aioredis.Redis, *, heartbeat: int = HEARTBEAT,
                 render_timeout: float | None = None) -> None:
        self.client = client
        self.queue = make_queue(client)
        self.heartbeat = heartbeat
        self.job_timeout = int(render_timeout + TIMEOUT_MARGIN) if render_timeout else JOB_TIMEOUT

    async def submit(self, job_id: str) -> None:
        job = Job(function=FUNCTION, kwargs={"job_id": job_id, "request_id": request_id_var.get()},
                  key=job_id, timeout=self.job_timeout, heartbeat=self.heartbeat,
                  retries=MAX_RENDER_ATTEMPTS + 1, ttl=RESULT_TTL)
        if await self.queue.enqueue(job) is None:
            log.info("render job %s is already queued", job_id)

    async def counts(self) -> dict[str, int]:
        """queued, active, scheduled (waiting for a retry) and workers seen in the last minute."""
        return await queue_counts(self.client)

    async def aclose(self) -> None:
        """The client belongs to the studio; nothing of the queue's own is open on this side."""


async def queue_counts(client: aioredis.Redis) -> dict[str, int]:
    q = make_queue(client)
    pipe = client.pipeline(transaction=False)
    pipe.llen(q.namespace("queued"))
    pipe.llen(q.namespace("active"))
    pipe.zcard(q.namespace("incomplete"))
    pipe.zcount(q.namespace("stats"), now(), "+inf")
    queued, active, incomplete, workers = await pipe.execute()
    return {"queued": int(queued), "active": int(active),
            "scheduled": max(0, int(incomplete) - int(queued) - int(active)), "workers": int(workers)}


@dataclass
class WorkerState:
    """What the job function needs, set once per worker process."""

    redis_url: str
    client: aioredis.Redis
    renderer: RenderCallable | None = None
    beat_every: float = BEAT_EVERY


async def render(ctx: dict[str, Any], *, job_id: str, request_id: str | None = None) -> str:
    """SAQ job function: run one studio render job (see the module docstring)."""
    job: Job = ctx["job"]
    state: WorkerState = ctx["videobot"]
    request_id_var.set(request_id)
    if job.attempts > MAX_RENDER_ATTEMPTS:
        log.error("render %s: %d attempts ended with their worker; failing it", job_id, job.attempts - 1)
        await fail_job(state.client, job_id, UNEXPECTED)
        return "failed"
    if job.attempts > 1:
        log.warning("render %s: attempt %d (the previous worker stopped)", job_id, job.attempts)
    beat = asyncio.create_task(_beat(job, state.beat_every))
    stop = threading.Event()
    work = asyncio.ensure_future(asyncio.to_thread(run_render_job, state.redis_url, job_id, state.renderer,
                                                   reclaim=job.attempts > 1, stop=stop))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:  # SAQ's timeout, or the worker stopping: the render stops too
        stop.set()
        log.warning("render %s: its job was cancelled; stopping the render", job_id)
        with contextlib.suppress(Exception, asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(work), 0.5)
        raise
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat


async def _beat(job: Job, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await job.update()
        except Exception as exc:  # a missed beat is not fatal; many missed ones make a retry
            log.warning("heartbeat of %s failed: %s", job.key, type(exc).__name__)


async def requeue_worker_jobs(client: aioredis.Redis, worker_ids: set[str], *,
                              stopped: bool = False) -> list[str]:
    """Jobs the given (dead or stopped) workers were running: retried at once, or, with
    `stopped`, failed with STOPPED and taken off the queue. Returns the studio job ids."""
    q = make_queue(client)
    handled: list[str] = []
    for raw in await client.lrange(q.namespace("active"), 0, -1):
        job = await q.job(q.job_key_from_id(raw.decode() if isinstance(raw, bytes) else str(raw)))
        if job is None or job.worker_id not in worker_ids or job.status is not Status.ACTIVE:
            continue
        job.queue = q
        job_id = str((job.kwargs or {}).get("job_id", job.key))
        handled.append(job_id)
        if stopped:
            await fail_job(client, job_id, STOPPED)
            await q.finish(job, Status.ABORTED, error="stopped")
        elif job.retryable:
            log.warning("render %s: its worker died; queued again", job_id)
            await q.retry(job, "worker died")
        else:
            await fail_job(client, job_id, UNEXPECTED)
            await q.finish(job, Status.FAILED, error="worker died")
    return handled
