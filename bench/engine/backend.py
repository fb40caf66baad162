"""The bench's backend: the test kit's fake NemoVideo server (`bot.testing.fakenemo`) whose chat
turns stream on a clock.

Every turn streams `events` ADK partial text events, one every `interval` seconds, then the final
whole text. Each partial event's text is one marker `t<turn>e<i>@<unix time>` (the wall time it
was handed to the server), so whoever receives the text can tell how long it took to show. The
events follow a fixed schedule (start + i × interval), so a starved server shows as lag in
`GET /bench/stats` (what the server saw: streams, lag, CPU), not as a slower pace. Everything else
(tokens, sessions, state, credits, uploads, renders) is the kit's, as nemo-api.md describes.

Run it in its own process (`python -m bench.engine.backend`), so it does not share a CPU core or an
event loop with the bot under measurement; the first stdout line is `url <base URL>`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.testing.fakenemo import FakeNemo, FakeNemoServer, adk_event, sse
from bot.testing.fakenemo.state import Session, TurnScript


@dataclass
class BackendStats:
    """What the server saw; served as JSON by `/bench/stats`."""

    turns_started: int = 0
    turns_done: int = 0
    events_sent: int = 0
    streams_now: int = 0
    streams_max: int = 0
    max_lag: float = 0.0  # seconds an event went out after its scheduled time
    lag_total: float = 0.0
    cpu_start: float = field(default_factory=time.process_time)

    def as_json(self) -> dict[str, Any]:
        return {
            "turns_started": self.turns_started,
            "turns_done": self.turns_done,
            "events_sent": self.events_sent,
            "streams_max": self.streams_max,
            "max_lag": round(self.max_lag, 4),
            "mean_lag": round(self.lag_total / self.events_sent, 4) if self.events_sent else 0.0,
            "cpu_seconds": round(time.process_time() - self.cpu_start, 3),
        }


class ClockedTurns:
    """The `FakeNemo.turn_factory` of the bench: marker text on a fixed schedule, counted."""

    def __init__(self, events: int, interval: float) -> None:
        self.events = events
        self.interval = interval
        self.stats = BackendStats()

    def __call__(self, session: Session, message: str) -> TurnScript:
        return TurnScript(self._stream(len(session.messages)))

    async def _stream(self, turn: int) -> AsyncIterator[bytes]:
        stats = self.stats
        stats.turns_started += 1
        stats.streams_now += 1
        stats.streams_max = max(stats.streams_max, stats.streams_now)
        invocation = "e-" + uuid.uuid4().hex[:12]
        deltas: list[str] = []
        start = time.monotonic()
        try:
            for i in range(self.events + 1):
                due = start + (i + 1) * self.interval
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                lag = max(0.0, time.monotonic() - due)
                stats.max_lag = max(stats.max_lag, lag)
                stats.lag_total += lag
                stats.events_sent += 1
                if i < self.events:
                    delta = f"t{turn}e{i}@{time.time():.6f} "
                    deltas.append(delta)
                    yield sse(adk_event([{"text": delta}], partial=True, invocationId=invocation))
                else:  # the whole text, which replaces the deltas, with its own marker
                    final = "".join(deltas) + f"t{turn}end@{time.time():.6f}"
                    yield sse(adk_event([{"text": final}], invocationId=invocation, turnComplete=True))
            stats.turns_done += 1
        finally:
            stats.streams_now -= 1


def bench_server(events: int, interval: float, *, port: int = 0) -> FakeNemoServer:
    """The kit's server with clocked turns and the `/bench/stats` route."""
    turns = ClockedTurns(events, interval)
    fake = FakeNemo(mp4_bytes=b"")  # no renders in this bench
    fake.turn_factory = turns

    async def bench_stats(request: Request) -> Response:
        return JSONResponse(turns.stats.as_json())

    return FakeNemoServer(fake, port=port, extra_routes=[Route("/bench/stats", bench_stats, methods=["GET"])])


def main(argv: list[str] | None = None) -> None:
    """Serve on 127.0.0.1 (a free port unless --port); the first stdout line is `url <base URL>`."""
    about = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.engine.backend", description=about)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--interval-ms", type=float, default=40.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = bench_server(args.events, args.interval_ms / 1000, port=args.port)
    server.run(on_listening=lambda url: print(f"url {url}", flush=True))


if __name__ == "__main__":
    main()
