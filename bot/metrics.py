"""Bot metrics for Prometheus: one endpoint per bot process, on `VIDEOBOT_METRICS_PORT`.

    videobot_turns_total{platform,intent}          turns handled (after de-duplication)
    videobot_turn_seconds{platform,intent}         histogram: a turn from start to end (delivery included)
    videobot_sse_first_text_seconds                histogram: a chat turn's request → its first visible text
    videobot_renders_total{outcome}                delivered | failed | gave_up | interrupted (stop, /cancel)
    videobot_render_seconds{outcome}               histogram: following one render, submit → outcome
    videobot_renders_following                     renders this process is polling right now
    videobot_backend_errors_total{code}            backend errors that ended a turn, by the spec's code
    videobot_platform_429_total{platform}          "retry later" answers of the chat platform

Every bot process (`videobot telegram`, `discord`, `chat`) serves its own figures; the studio's
render queue and render outcomes are on the studio's `/metrics` (`studio.metrics`). The calls
below never raise: metrics must not break a turn.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from prometheus_client import Counter, Gauge, Histogram, start_http_server

log = logging.getLogger(__name__)

_LATENCY = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

TURNS = Counter("videobot_turns", "Turns handled.", ["platform", "intent"])
TURN_SECONDS = Histogram("videobot_turn_seconds", "Turn time, delivery included.", ["platform", "intent"],
                         buckets=_LATENCY)
FIRST_TEXT = Histogram("videobot_sse_first_text_seconds", "Chat request to its first visible text.",
                       buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0))
RENDERS = Counter("videobot_renders", "Renders followed to an outcome.", ["outcome"])
RENDER_SECONDS = Histogram("videobot_render_seconds", "Following one render, submit to outcome.", ["outcome"],
                           buckets=_LATENCY)
FOLLOWING = Gauge("videobot_renders_following", "Renders this process is polling now.")
BACKEND_ERRORS = Counter("videobot_backend_errors", "Backend errors that ended a turn, by code.", ["code"])
PLATFORM_429 = Counter("videobot_platform_429", "Retry-later answers of the chat platform.", ["platform"])

_served: dict[str, int] = {}
_lock = threading.Lock()


def serve(port: int | None) -> bool:
    """Serve the metrics on `port` (all interfaces) once per process; False when not served."""
    if port is None:
        return False
    with _lock:
        if "port" in _served:
            return True
        try:
            start_http_server(port)
        except OSError as exc:
            log.warning("metrics: cannot listen on port %d (%s)", port, exc.strerror or exc)
            return False
        _served["port"] = port
    log.info("metrics on :%d/metrics", port)
    return True


def turn_done(platform: str, intent: str, started: float) -> None:
    """Count one turn that started at `started` (time.monotonic())."""
    TURNS.labels(platform, intent).inc()
    TURN_SECONDS.labels(platform, intent).observe(time.monotonic() - started)


def first_text(seconds: float) -> None:
    FIRST_TEXT.observe(max(0.0, seconds))


@contextlib.contextmanager
def following() -> Iterator[dict[str, str]]:
    """Time the following of one render; the block sets `box["outcome"]`."""
    started = time.monotonic()
    box = {"outcome": "interrupted"}
    FOLLOWING.inc()
    try:
        yield box
    finally:
        FOLLOWING.dec()
        RENDERS.labels(box["outcome"]).inc()
        RENDER_SECONDS.labels(box["outcome"]).observe(time.monotonic() - started)


def backend_error(exc: BaseException) -> None:
    code = getattr(exc, "code", None)
    BACKEND_ERRORS.labels(str(code) if code is not None else type(exc).__name__).inc()


def platform_429(platform: str) -> None:
    PLATFORM_429.labels(platform).inc()
