"""The bench's backend: just what a chat turn needs from the NemoVideo API, streaming on a clock.

    POST /api/auth/anonymous-token                 a token per client id
    POST /api/tasks/me/with-session/nemo_agent     a session
    GET  /api/state/nemo_agent/me/<sid>/latest     a small fixed draft
    GET  /api/credits/balance/simple               a balance
    POST /run_sse                                  `events` ADK partial text events, one every
                                                   `interval` seconds, then the final whole text
    GET  /bench/stats                              what the server saw (streams, lag, CPU)

Each partial event's text is one marker `t<turn>e<i>@<unix time>` (the wall time it was handed to
the server), so whoever receives the text can tell how long it took to show. The events follow a
fixed schedule (start + i × interval), so a starved server shows as lag in `/bench/stats`, not as a
slower pace. Run it in its own process (`python -m bench.engine.backend`), so it does not share a
CPU core or an event loop with the bot under measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

log = logging.getLogger(__name__)

DRAFT: dict[str, Any] = {
    "t": [{"tt": 0, "sg": [{"st": 0, "d": 10000, "m": {"name": "city timelapse"}}]}],
    "d": 10000,
}


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


def sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def text_event(text: str, invocation: str, *, partial: bool) -> dict[str, Any]:
    """One ADK-form model text event (camelCase keys, null fields omitted)."""
    out: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "author": "nemo_agent",
        "invocationId": invocation,
        "id": uuid.uuid4().hex[:8],
        "timestamp": time.time(),
    }
    if partial:
        out["partial"] = True
    else:
        out["turnComplete"] = True
    return out


def create_app(events: int, interval: float) -> Starlette:
    """The bench backend: `events` partial events per turn, `interval` seconds apart."""
    stats = BackendStats()
    tokens: set[str] = set()
    sessions: dict[str, int] = {}  # session id → turns so far

    def ok(data: Any) -> JSONResponse:
        return JSONResponse({"code": 0, "message": "success", "data": data})

    def authorized(request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in tokens

    def token_error() -> JSONResponse:
        return JSONResponse({"code": 1001, "message": "Token invalid or expired", "data": None})

    async def anonymous_token(request: Request) -> Response:
        if not request.headers.get("x-client-id"):
            return JSONResponse({"code": 400, "message": "X-Client-Id header required"}, status_code=400)
        token = "nmv_usr_" + secrets.token_urlsafe(30)
        tokens.add(token)
        expires = datetime.now(UTC) + timedelta(days=7)
        return ok({"token": token, "user_id": "anon_" + uuid.uuid4().hex[:12],
                   "expires_at": expires.isoformat(), "credits": 100})

    async def create_session(request: Request) -> Response:
        if not authorized(request):
            return token_error()
        sid = str(10**17 + len(sessions))
        sessions[sid] = 0
        return ok({"task_id": "task_" + sid, "session_id": sid})

    async def state(request: Request) -> Response:
        if not authorized(request):
            return token_error()
        sid = request.path_params["sid"]
        if sid not in sessions:
            return JSONResponse({"detail": "Session not found"}, status_code=404)
        return ok({"session_id": sid, "task_id": "task_" + sid, "state": {"draft": DRAFT}})

    async def credits(request: Request) -> Response:
        if not authorized(request):
            return token_error()
        return ok({"available": 100, "frozen": 0, "total": 100})

    async def run_sse(request: Request) -> Response:
        if not authorized(request):
            return token_error()
        body = await request.json()
        sid = str(body.get("session_id", ""))
        if sid not in sessions:
            return JSONResponse({"detail": "Session not found"}, status_code=404)
        sessions[sid] += 1
        return StreamingResponse(_turn(sessions[sid]), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    async def _turn(turn: int) -> AsyncIterator[bytes]:
        stats.turns_started += 1
        stats.streams_now += 1
        stats.streams_max = max(stats.streams_max, stats.streams_now)
        invocation = "e-" + uuid.uuid4().hex[:12]
        deltas: list[str] = []
        start = time.monotonic()
        try:
            for i in range(events + 1):
                due = start + (i + 1) * interval
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                lag = max(0.0, time.monotonic() - due)
                stats.max_lag = max(stats.max_lag, lag)
                stats.lag_total += lag
                stats.events_sent += 1
                if i < events:
                    delta = f"t{turn}e{i}@{time.time():.6f} "
                    deltas.append(delta)
                    yield sse(text_event(delta, invocation, partial=True))
                else:  # the whole text, which replaces the deltas, with its own marker
                    final = "".join(deltas) + f"t{turn}end@{time.time():.6f}"
                    yield sse(text_event(final, invocation, partial=False))
            stats.turns_done += 1
        finally:
            stats.streams_now -= 1

    async def bench_stats(request: Request) -> Response:
        return JSONResponse(stats.as_json())

    return Starlette(routes=[
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/bench/stats", bench_stats, methods=["GET"]),
    ])


def main(argv: list[str] | None = None) -> None:
    """Serve on 127.0.0.1 (a free port unless --port); the first stdout line is `url <base URL>`."""
    about = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.engine.backend", description=about)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--interval-ms", type=float, default=40.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    config = uvicorn.Config(
        create_app(args.events, args.interval_ms / 1000), http="h11", loop="asyncio", lifespan="off",
        log_config=None, log_level="warning", access_log=False, timeout_graceful_shutdown=1, backlog=2048,
        timeout_keep_alive=75,  # like nginx: uvicorn's 5 s races httpx's 5 s keep-alive expiry under load
    )
    server = uvicorn.Server(config)
    print(f"url http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
