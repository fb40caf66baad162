"""Render jobs: running one job, and how jobs reach a worker.

Two separate parts, so the transport can change without touching the work:

- `run_render_job(redis_url, job_id)`: synchronous; runs ONE render job given its id, in whatever
  process calls it. It claims the job (pending → processing, atomically, under a fresh attempt
  token), renders the draft with `studio.render.render.render_draft`, writes progress (0-100) to the
  job's Redis hash as the renderer reports it, and ends the job `completed` (with size and
  duration) or `failed` (with a message a user can read) only while its attempt still owns the
  job. With `reclaim=True` (the queue retrying a job whose worker died) it may take over a job
  left `processing`, rendering to a file of its own; a late finish of the old attempt is then
  "abandoned" (its file deleted), so the job completes once. It never raises.
- a dispatcher (`JobDispatcher`): how a job id reaches a worker. The default is the Redis render
  queue (`studio.jobs.queue.RenderQueue`, consumed by `videobot studio-worker` processes, and by the
  studio's own worker processes when `studio_render_workers` > 0: `studio.jobs.worker`).
  `ProcessPoolDispatcher` runs jobs in a `ProcessPoolExecutor` next to the API (for embedding).

A job's hash (`studio:render:<job_id>`) holds everything the worker needs: the draft, the asset
map (`asset://<id>` → file path) and the output path, so a worker needs Redis and the files,
nothing else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import redis
import redis.asyncio as aioredis

from studio import keys
from studio.metrics import record_render

log = logging.getLogger(__name__)

RenderCallable = Callable[..., Any]
"""`studio.render.render.render_draft`-compatible: (draft, assets, out_path, *, progress) -> RenderResult."""

FINAL = ("completed", "failed")
UNEXPECTED = "The render failed unexpectedly. Please try exporting again."
STOPPED = "The studio stopped during the render. Please export again."

_CLAIM = """
local s = redis.call('HGET', KEYS[1], 'status')
if not (s == 'pending' or (s == 'processing' and ARGV[3] == '1')) then return 0 end
redis.call('HSET', KEYS[1], 'status', 'processing', 'progress', 0, 'updated', ARGV[1], 'attempt', ARGV[2])
return 1
"""
_FINISH = """
local s, a = redis.call('HGET', KEYS[1], 'status'), redis.call('HGET', KEYS[1], 'attempt')
if s ~= 'processing' or a ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""
_FAIL_IF_OPEN = """
local s = redis.call('HGET', KEYS[1], 'status')
if s == false or s == 'completed' or s == 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[1], 'updated', ARGV[2])
return 1
"""


def _now() -> str:
    return f"{time.time():.3f}"


def run_render_job(redis_url: str, job_id: str, renderer: RenderCallable | None = None, *,
                   reclaim: bool = False) -> str:
    """Run one render job given its id; returns "completed" or "failed", "skipped" when the job was
    not pending (another worker has it, or it is done), "abandoned" when it was ended or taken
    over meanwhile. `reclaim`: take over a job left `processing` by a worker presumed dead."""
    client = redis.Redis.from_url(redis_url)
    key = keys.render(job_id)
    attempt = uuid.uuid4().hex[:12]
    started = time.monotonic()
    try:
        if not client.eval(_CLAIM, 1, key, _now(), attempt, "1" if reclaim else "0"):
            return "skipped"
        job = keys.text_hash(client.hgetall(key))
        out = Path(job["out_path"])
        if reclaim:  # the presumed-dead attempt may still be writing the first file
            out = out.with_name(f"{out.stem}.{attempt}{out.suffix}")
        render_error = _render_error_class()
        try:
            render = renderer or _default_renderer()
            extra: dict[str, Any] = {}
            if _accepts(render, "should_stop"):  # the renderer stops when this attempt no longer owns the job
                extra["should_stop"] = _stop_check(client, key, attempt)
            result = render(
                json.loads(job["draft"]),
                {ref: Path(p) for ref, p in json.loads(job["assets"]).items()},
                out,
                progress=_progress_writer(client, key, attempt),
                **extra,
            )
        except Exception as exc:
            readable = render_error is not None and isinstance(exc, render_error)
            message = str(exc) if readable and str(exc) else UNEXPECTED
            if not readable:
                log.exception("render %s crashed", job_id)
            outcome = _finish(client, key, attempt, {"status": "failed", "error": message[:500]})
        else:
            if not out.is_file() or out.stat().st_size == 0:
                outcome = _finish(client, key, attempt, {"status": "failed", "error": UNEXPECTED})
            else:
                outcome = _finish(client, key, attempt, {
                    "status": "completed", "progress": 100, "size": out.stat().st_size, "out_path": str(out),
                    "width": int(getattr(result, "width", 0) or 0),
                    "height": int(getattr(result, "height", 0) or 0),
                    "duration": float(getattr(result, "duration", 0.0) or 0.0),
                })
        if outcome == "abandoned":
            out.unlink(missing_ok=True)  # the job was ended meanwhile, or completed by another attempt
        log.info("render %s %s in %.1fs", job_id, outcome, time.monotonic() - started)
        record_render(client, outcome, time.monotonic() - started)
        return outcome
    finally:
        client.close()


def _accepts(func: RenderCallable, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _stop_check(client: redis.Redis, key: str, attempt: str, every: float = 0.5) -> Callable[[], bool]:
    """True once the job is no longer this attempt's to finish (failed by a stopping studio, taken
    over by a retry, or gone): the renderer then stops ffmpeg and its writers. Redis is asked at
    most every `every` seconds."""
    state = {"at": 0.0, "stop": False}

    def should_stop() -> bool:
        now = time.monotonic()
        if not state["stop"] and now - float(state["at"]) >= every:
            state["at"] = now
            try:
                status, owner = client.hmget(key, "status", "attempt")
            except redis.RedisError:
                return False
            status_s = status.decode() if isinstance(status, bytes) else status
            owner_s = owner.decode() if isinstance(owner, bytes) else owner
            state["stop"] = status_s != "processing" or owner_s != attempt
        return bool(state["stop"])

    return should_stop


def _finish(client: redis.Redis, key: str, attempt: str, fields: dict[str, Any]) -> str:
    """Write the outcome while this attempt owns the job (not ended by a stopping studio, not
    taken over by a retry)."""
    fields["updated"] = _now()
    args = [str(x) for kv in fields.items() for x in kv]
    if not client.eval(_FINISH, 1, key, attempt, *args):
        return "abandoned"
    return str(fields["status"])


def _render_error_class() -> type[Exception] | None:
    try:
        from studio.render.render import RenderError
    except ImportError:
        return None
    return RenderError


def _default_renderer() -> RenderCallable:
    from studio.render.render import render_draft

    return render_draft


_PROGRESS = """
local s, a = redis.call('HGET', KEYS[1], 'status'), redis.call('HGET', KEYS[1], 'attempt')
if s ~= 'processing' or a ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[2], 'updated', ARGV[3])
return 1
"""


def _progress_writer(client: redis.Redis, key: str, attempt: str) -> Callable[[float], None]:
    """Progress 0..100 from the renderer into Redis: whole percents, at most ~4 writes a second,
    only while this attempt owns the job."""
    last = {"value": 0, "at": 0.0}

    def progress(value: float) -> None:
        pct = max(0, min(99, int(value)))
        now = time.monotonic()
        if pct > last["value"] and (now - last["at"] >= 0.25 or pct - last["value"] >= 10):
            last["value"], last["at"] = pct, now
            client.eval(_PROGRESS, 1, key, attempt, pct, _now())

    return progress


async def fail_job(client: aioredis.Redis, job_id: str, message: str) -> None:
    """Mark a job failed unless it already finished."""
    await client.eval(_FAIL_IF_OPEN, 1, keys.render(job_id), message, _now())


class JobDispatcher(Protocol):
    async def submit(self, job_id: str) -> None: ...
    async def aclose(self) -> None: ...


class ProcessPoolDispatcher:
    """Runs jobs in spawned worker processes next to the API."""

    def __init__(
        self, client: aioredis.Redis, redis_url: str, workers: int, renderer: RenderCallable | None = None
    ) -> None:
        self.client = client
        self.redis_url = redis_url
        self.workers = max(1, workers)
        self.renderer = renderer
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict[str, Future[str]] = {}
        self._closing = False
        self._cleanup: set[asyncio.Future[None]] = set()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    async def submit(self, job_id: str) -> None:
        future = self._executor().submit(run_render_job, self.redis_url, job_id, self.renderer)
        self._running[job_id] = future
        loop = asyncio.get_running_loop()

        def done(f: Future[str]) -> None:
            try:
                loop.call_soon_threadsafe(self._finished, job_id, f)
            except RuntimeError:  # the loop is gone: the studio stopped
                pass

        future.add_done_callback(done)

    def _finished(self, job_id: str, future: Future[str]) -> None:
        self._running.pop(job_id, None)
        if self._closing:
            return
        if future.cancelled() or future.exception() is not None:
            if not future.cancelled():
                log.error("render worker lost job %s: %r", job_id, future.exception())
                self._pool = None  # a broken pool is replaced on the next submit
            task = asyncio.ensure_future(fail_job(self.client, job_id, UNEXPECTED))
            self._cleanup.add(task)
            task.add_done_callback(self._cleanup.discard)

    async def aclose(self, grace: float = 2.0) -> None:
        self._closing = True
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pending = list(self._running.items())
        processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
        pool.shutdown(wait=False, cancel_futures=True)
        if pending:
            await asyncio.wait([asyncio.wrap_future(f) for _, f in pending], timeout=grace)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for job_id, future in pending:
            if not future.done():
                await fail_job(self.client, job_id, STOPPED)


def redis_url_of(client: aioredis.Redis) -> str:
    """A URL reaching the same Redis as `client` (for worker processes)."""
    kw: dict[str, Any] = client.connection_pool.connection_kwargs
    db = kw.get("db", 0)
    if kw.get("path"):
        return f"unix://{kw['path']}?db={db}"
    auth = ""
    if kw.get("password"):
        auth = f"{quote(kw.get('username') or '', safe='')}:{quote(kw['password'], safe='')}@"
    scheme = "rediss" if "SSL" in client.connection_pool.connection_class.__name__ else "redis"
    return f"{scheme}://{auth}{kw.get('host', 'localhost')}:{kw.get('port', 6379)}/{db}"
