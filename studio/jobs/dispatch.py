"""Render jobs: running one job, and how jobs reach a worker.

Two separate parts, so the transport can change without touching the work:

- `run_render_job(redis_url, job_id)`: synchronous; runs ONE render job given its id, in whatever
  process calls it. It claims the job (pending → processing, atomically, under a fresh attempt
  token), renders the draft with `studio.render.render.render_draft`, writes progress (0-100) to the
  job's Redis hash as the renderer reports it, and ends the job `completed` (with size and
  duration) or `failed` (with a message a user can read and an `error_code`) only while its
  attempt still owns the job. With `reclaim=True` (the queue retrying a job whose worker died) it
  may take over a job left `processing`, rendering to a file of its own; a late finish of the old
  attempt is then "abandoned" (its file deleted), so the job completes once. It never raises.
- a dispatcher (`JobDispatcher`): how a job id reaches a worker. The default is the Redis render
  queue (`studio.jobs.queue.RenderQueue`, consumed by `videobot studio-worker` processes, and by the
  studio's own worker processes when `studio_render_workers` > 0: `studio.jobs.worker`).
  `ProcessPoolDispatcher` runs jobs in a `ProcessPoolExecutor` next to the API (for embedding).

Every render is watched (`_Watchdog`, a thread beside it) and stopped, ffmpeg included, when
- its wall time passes the job's limit (`limit_s`, from `VIDEOBOT_STUDIO_RENDER_TIMEOUT_SECONDS`):
  the job fails with `error_code` 4010;
- the job stops being this attempt's (cancelled through the API, failed by a stopping studio, or
  taken over by a retry): nothing more is written;
- the caller's `stop` event is set (the queue's job timeout fired, or the worker is stopping).
Stopping: the renderer is asked first (`render_draft(..., should_stop=...)`, a callable polled
while it works, when its signature takes one; its own `timeout`, when it takes one, is set just
past the job's limit); if it has not returned `STOP_GRACE` seconds later, its ffmpeg processes
(children of this process naming the render's output file) are killed.

A process that claimed a scratch folder (`studio.jobs.scratch.claim`: the worker processes do)
renders there, `.part` file included, and moves the finished MP4 into the media folder; a crash
leaves nothing in the media folder, and the folder of a dead process is removed by the studio.
A finished job keeps its result but no longer its draft. Each completed render adds its pace
(seconds of render per second of video) to `studio:metrics:render_pace`, from which the poll
answer's `eta_seconds` is estimated.

A job's hash (`studio:render:<job_id>`) holds everything the worker needs: the draft, the asset
map (`asset://<id>` → file path) and the output path, so a worker needs Redis and the files,
nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from studio import keys
from studio.jobs import scratch
from studio.metrics import record_pace, record_render
from studio.storage import make_private

log = logging.getLogger(__name__)

RenderCallable = Callable[..., Any]
"""`studio.render.render.render_draft`-compatible: (draft, assets, out_path, *, progress[, should_stop])
-> RenderResult."""

FINAL = ("completed", "failed")
UNEXPECTED = "The render failed unexpectedly. Please try exporting again."
STOPPED = "The studio stopped during the render. Please export again."
CANCELLED = "The render was cancelled."
DEFAULT_LIMIT = 900.0  # seconds, when a job does not say (jobs submitted before limits existed)
STOP_GRACE = 3.0  # seconds a renderer asked to stop may take before its ffmpeg is killed
CHECK_EVERY = 1.0  # seconds between the watchdog's looks at the job in Redis
# error codes of a failed render (studio.api.errors)
RENDER_TIMEOUT = 4010
RENDER_CANCELLED = 4011
RENDER_FAILED = 5000

_CLAIM = """
local s = redis.call('HGET', KEYS[1], 'status')
if not (s == 'pending' or (s == 'processing' and ARGV[3] == '1')) then return 0 end
redis.call('HSET', KEYS[1], 'status', 'processing', 'progress', 0, 'updated', ARGV[1], 'attempt', ARGV[2],
           'started', ARGV[1])
return 1
"""
_FINISH = """
local s, a = redis.call('HGET', KEYS[1], 'status'), redis.call('HGET', KEYS[1], 'attempt')
if s ~= 'processing' or a ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('HDEL', KEYS[1], 'draft')
return 1
"""
_FAIL_IF_OPEN = """
local s = redis.call('HGET', KEYS[1], 'status')
if s == false or s == 'completed' or s == 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[1], 'updated', ARGV[2], 'error_code', ARGV[3])
redis.call('HDEL', KEYS[1], 'draft')
return 1
"""


def _now() -> str:
    return f"{time.time():.3f}"


def _span(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"


def accepts(render: RenderCallable, name: str) -> bool:
    """Whether the renderer takes the keyword `name` (`should_stop`, `timeout`)."""
    try:
        params = inspect.signature(render).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


class _Watchdog:
    """Decides when a render must stop, tells the renderer (`should_stop`), and stops its ffmpeg
    when the renderer does not stop by itself."""

    def __init__(self, client: redis.Redis, key: str, attempt: str, limit: float,
                 external: threading.Event | None, output: Path) -> None:
        self.client, self.key, self.attempt, self.limit = client, key, attempt, limit
        self.external = external
        self.output = str(output)
        self.reason: str | None = None  # "timeout" | "ended" | "stopped"
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"render-watch-{attempt}")

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _owned(self) -> bool:
        try:
            status, attempt = self.client.hmget(self.key, ["status", "attempt"])
        except (RedisError, OSError):
            return True  # Redis away for a moment: keep rendering
        return status == b"processing" and attempt == self.attempt.encode()

    def _run(self) -> None:
        deadline = time.monotonic() + self.limit
        next_check = time.monotonic() + CHECK_EVERY
        while not self._done.wait(0.2):
            if self.external is not None and self.external.is_set():
                self.reason = "stopped"
            elif time.monotonic() >= deadline:
                self.reason = "timeout"
            elif time.monotonic() >= next_check:
                next_check = time.monotonic() + CHECK_EVERY
                if not self._owned():
                    self.reason = "ended"
            if self.reason is not None:
                break
        if self.reason is None:
            return
        log.warning("render %s: stopping it (%s)", self.key, self.reason)
        self._stop.set()
        wait = STOP_GRACE
        while not self._done.wait(wait):  # the renderer did not stop by itself: stop its ffmpeg
            scratch.kill_children(self.output)
            wait = 5.0


def run_render_job(redis_url: str, job_id: str, renderer: RenderCallable | None = None, *,
                   reclaim: bool = False, stop: threading.Event | None = None) -> str:
    """Run one render job given its id; returns "completed" or "failed", "skipped" when the job was
    not pending (another worker has it, or it is done), "abandoned" when it was ended or taken
    over meanwhile, "stopped" when `stop` was set (the job is left for a retry).
    `reclaim`: take over a job left `processing` by a worker presumed dead."""
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
        work = scratch.claimed()
        target = work / out.name if work is not None else out
        limit = float(job.get("limit_s") or DEFAULT_LIMIT)
        outcome, result = _render(client, key, attempt, job, target, limit, renderer, stop)
        if outcome == "completed":
            outcome = _complete(client, key, attempt, target, out, result, started)
        if outcome != "completed":
            target.unlink(missing_ok=True)
            if target != out:
                out.unlink(missing_ok=True)
        log.info("render %s %s in %.1fs", job_id, outcome, time.monotonic() - started)
        record_render(client, "abandoned" if outcome == "stopped" else outcome, time.monotonic() - started)
        return outcome
    except (RedisError, OSError) as exc:
        log.error("render %s could not be run: %s", job_id, type(exc).__name__)
        return "failed"
    finally:
        client.close()


def _render(client: redis.Redis, key: str, attempt: str, job: dict[str, str], target: Path, limit: float,
            renderer: RenderCallable | None, stop: threading.Event | None) -> tuple[str, Any]:
    """Render into `target` under a watchdog; ("completed", result) or the outcome it ended with."""
    render_error = _render_error_class()
    with _Watchdog(client, key, attempt, limit, stop, target) as watch:
        try:
            render = renderer or _default_renderer()
            options: dict[str, Any] = {"progress": _progress_writer(client, key, attempt)}
            if accepts(render, "should_stop"):
                options["should_stop"] = watch.should_stop
            if accepts(render, "timeout"):  # its own timer never undercuts the studio's limit
                options["timeout"] = limit + STOP_GRACE + 5
            result = render(json.loads(job["draft"]),
                            {ref: Path(p) for ref, p in json.loads(job["assets"]).items()},
                            target, **options)
        except Exception as exc:
            if watch.reason == "timeout":
                message = (f"The render took longer than {_span(limit)} and was stopped. "
                           "Please try a shorter video.")
                return _finish(client, key, attempt, {"status": "failed", "error": message,
                                                      "error_code": RENDER_TIMEOUT}), None
            if watch.reason == "stopped":
                return "stopped", None
            if watch.reason == "ended":
                return "abandoned", None
            readable = render_error is not None and isinstance(exc, render_error)
            message = str(exc) if readable and str(exc) else UNEXPECTED
            if not readable:
                log.exception("render %s crashed", key)
            return _finish(client, key, attempt, {"status": "failed", "error": message[:500],
                                                  "error_code": RENDER_FAILED}), None
    if watch.reason == "stopped":
        return "stopped", None
    return "completed", result


def _complete(client: redis.Redis, key: str, attempt: str, target: Path, out: Path, result: Any,
              started: float) -> str:
    if not target.is_file() or target.stat().st_size == 0:
        return _finish(client, key, attempt,
                       {"status": "failed", "error": UNEXPECTED, "error_code": RENDER_FAILED})
    if target != out:
        try:
            os.replace(target, out)
        except OSError:  # the scratch folder is on another file system
            shutil.move(target, out)
    make_private(out)
    duration = float(getattr(result, "duration", 0.0) or 0.0)
    outcome = _finish(client, key, attempt, {
        "status": "completed", "progress": 100, "size": out.stat().st_size, "out_path": str(out),
        "width": int(getattr(result, "width", 0) or 0),
        "height": int(getattr(result, "height", 0) or 0),
        "duration": duration,
    })
    if outcome == "abandoned":  # the job was ended meanwhile, or completed by another attempt
        out.unlink(missing_ok=True)
    elif duration >= 1.0:
        record_pace(client, (time.monotonic() - started) / duration)
    return outcome


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
            with contextlib.suppress(RedisError, OSError):
                client.eval(_PROGRESS, 1, key, attempt, pct, _now())

    return progress


async def fail_job(client: aioredis.Redis, job_id: str, message: str, code: int = RENDER_FAILED) -> bool:
    """Mark a job failed unless it already finished; True when this call ended it."""
    return bool(await client.eval(_FAIL_IF_OPEN, 1, keys.render(job_id), message, _now(), str(code)))


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
        self._cleanup: set[asyncio.Future[bool]] = set()

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
