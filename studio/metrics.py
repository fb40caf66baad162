"""Studio metrics for Prometheus: `GET /metrics` on every studio API process.

Renders run in worker processes, often on other machines, so their outcomes are not kept in any
one process: each worker adds them to two small Redis hashes (`record_render`, synchronous: the
worker's render thread calls it), and every studio API process reports the cluster-wide totals
read from Redis at scrape time, with the queue depth. Per-process figures (HTTP requests by
route and status) come from the process itself.

    studio_renders_total{outcome}           completed | failed | abandoned (cluster-wide)
    studio_render_seconds                   histogram of render time, claim to finish (cluster-wide)
    studio_render_queue_jobs{state}         queued | active | scheduled (waiting for a retry)
    studio_render_workers                   workers that reported in the last minute
    studio_http_requests_total{route,code}  this process's answers
    studio_upload_rejections_total{code}    files refused at upload, by code (4001-4006, 4012, 422)

Several API processes report the same cluster-wide series: aggregate them with `max`, not `sum`.

Workers also keep the pace of the last `PACE_SAMPLES` completed renders (`record_pace`: seconds of
render wall time per second of video, a Redis list); `render_pace` is their median, which the
render poll answer turns into `eta_seconds`.
"""

from __future__ import annotations

import logging
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import redis
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.logs import new_request_id, request_id_var

log = logging.getLogger(__name__)

RENDERS_KEY = "studio:metrics:renders"
SECONDS_KEY = "studio:metrics:render_seconds"
BUCKETS = (1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
OUTCOMES = ("completed", "failed", "abandoned")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUEST_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

QueueCounts = Callable[[], Awaitable[dict[str, int]]]

PACE_KEY = "studio:metrics:render_pace"
PACE_SAMPLES = 20
DEFAULT_PACE = 2.0  # seconds of render per second of video before any render was measured


def record_pace(client: redis.Redis, seconds_per_second: float) -> None:
    """Remember one completed render's pace (worker side); never raises."""
    if not 0 < seconds_per_second < 1000:
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.lpush(PACE_KEY, f"{seconds_per_second:.3f}")
        pipe.ltrim(PACE_KEY, 0, PACE_SAMPLES - 1)
        pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("could not record the render pace: %s", type(exc).__name__)


async def render_pace(client: aioredis.Redis) -> tuple[float, int]:
    """The median pace of the recent renders and how many there were; (DEFAULT_PACE, 0) before any."""
    raw = await client.lrange(PACE_KEY, 0, PACE_SAMPLES - 1)
    values = []
    for item in raw:
        try:
            values.append(float(item))
        except (TypeError, ValueError):
            continue
    if not values:
        return DEFAULT_PACE, 0
    return statistics.median(values), len(values)


def record_render(client: redis.Redis, outcome: str, seconds: float) -> None:
    """Count one finished render (called by the worker that ran it); never raises."""
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(RENDERS_KEY, outcome, 1)
        if outcome != "abandoned":
            for le in BUCKETS:
                if seconds <= le:
                    pipe.hincrby(SECONDS_KEY, f"le:{le}", 1)
            pipe.hincrby(SECONDS_KEY, "count", 1)
            pipe.hincrbyfloat(SECONDS_KEY, "sum", round(seconds, 3))
        pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("could not record render metrics: %s", type(exc).__name__)


@dataclass
class Snapshot:
    """What the cluster-wide series show at one scrape."""

    renders: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    queue: dict[str, int] = field(default_factory=dict)
    workers: int = 0


def _num(raw: dict[bytes | str, bytes | str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in raw.items():
        key = k.decode() if isinstance(k, bytes) else k
        out[key] = float(v.decode() if isinstance(v, bytes) else v)
    return out


class _ClusterCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterable[Metric]:
        snap = self.snapshot
        renders = CounterMetricFamily("studio_renders", "Renders finished, by outcome (all workers).",
                                      labels=["outcome"])
        for outcome in OUTCOMES:
            renders.add_metric([outcome], snap.renders.get(outcome, 0))
        yield renders
        hist = HistogramMetricFamily("studio_render_seconds",
                                     "Render time from claim to finish (all workers).")
        buckets = [(str(le), snap.seconds.get(f"le:{le}", 0.0)) for le in BUCKETS]
        count = snap.seconds.get("count", 0.0)
        hist.add_metric([], [*buckets, ("+Inf", count)], snap.seconds.get("sum", 0.0))
        yield hist
        queue = GaugeMetricFamily("studio_render_queue_jobs", "Render jobs in the queue, by state.",
                                  labels=["state"])
        for state in ("queued", "active", "scheduled"):
            queue.add_metric([state], snap.queue.get(state, 0))
        yield queue
        yield GaugeMetricFamily("studio_render_workers", "Render workers that reported in the last minute.",
                                value=snap.workers)


class StudioMetrics:
    """One per app: its own registry, so several apps in one process (tests) never collide."""

    def __init__(self, client: aioredis.Redis, queue_counts: QueueCounts | None = None) -> None:
        self.client = client
        self.queue_counts = queue_counts
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("studio_http_requests", "HTTP answers of this studio process.",
                                ["route", "code"], registry=self.registry)
        self.rejections = Counter("studio_upload_rejections", "Uploaded files refused, by code.",
                                  ["code"], registry=self.registry)
        self._cluster = _ClusterCollector()
        self.registry.register(self._cluster)

    def count_request(self, route: str, code: int) -> None:
        self.requests.labels(route, str(code)).inc()

    def count_rejections(self, codes: Iterable[int]) -> None:
        for code in codes:
            self.rejections.labels(str(code)).inc()

    async def snapshot(self) -> Snapshot:
        snap = Snapshot()
        try:
            snap.renders = {k: int(v) for k, v in _num(await self.client.hgetall(RENDERS_KEY)).items()}
            snap.seconds = _num(await self.client.hgetall(SECONDS_KEY))
            if self.queue_counts is not None:
                snap.queue = await self.queue_counts()
                snap.workers = snap.queue.pop("workers", 0)
        except (RedisError, OSError) as exc:
            log.warning("metrics: Redis unreachable (%s)", type(exc).__name__)
        return snap

    async def exposition(self) -> bytes:
        """The text a Prometheus scrape gets."""
        started = time.monotonic()
        self._cluster.snapshot = await self.snapshot()
        body = generate_latest(self.registry)
        log.debug("metrics collected in %.3fs", time.monotonic() - started)
        return body


class RequestContext:
    """ASGI middleware: the request id (the client's `X-Request-Id` when it is a plain token, else
    a new one) for every log line of the request and the render it submits, echoed in the answer;
    and each answer counted by route and status."""

    def __init__(self, app: ASGIApp, metrics: StudioMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), "")
        if REQUEST_ID.match(given):
            request_id_var.set(given)
            rid = given
        else:
            rid = new_request_id()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            endpoint = scope.get("endpoint")
            route = getattr(endpoint, "__name__", "unmatched")
            self.metrics.count_request(route, status["code"])
