"""Running the studio: `videobot studio [--host HOST] [--port PORT]`, and `StudioServer` in-process.

`StudioServer(settings).start()` serves the app with uvicorn inside the current event loop and
returns its base URL. It binds 127.0.0.1 on a free port when `settings.port` is 0 or when the
studio is embedded (`embedded=True`: a bot process starting its own backend); otherwise
`settings.host:settings.port`, unless `host`/`port` are given. It never touches signal handlers
(the process that embeds it owns them).

`videobot studio` (default 127.0.0.1:8700) uses REDIS_URL, or joins the embedded Redis under the
data dir when REDIS_URL is unset (`common.embedded_redis.EmbeddedRedis`: shared safely with a bot
using the same data dir; the last process to leave stops it), and stops on SIGINT / SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from typing import Any

import redis.asyncio as aioredis
import uvicorn

from common.embedded_redis import EmbeddedRedis
from common.logs import configure_logging
from studio.api.app import create_app
from studio.settings import ConfigError, StudioSettings

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # the host process owns its signals
        yield


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class StudioServer:
    def __init__(
        self,
        settings: StudioSettings,
        *,
        embedded: bool = False,
        host: str | None = None,
        port: int | None = None,
        redis: aioredis.Redis | None = None,
        **app_options: Any,
    ) -> None:
        """`app_options` go to `studio.api.app.create_app` (director, renderer, dispatcher, ...)."""
        self.settings = settings
        free = settings.port == 0 or embedded
        self.host = host or ("127.0.0.1" if free and port is None else settings.host)
        self.port = port if port is not None else (0 if free else settings.port)
        self.redis = redis
        self._own_redis = redis is None
        self.app_options = app_options
        self.url = ""
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None

    async def start(self) -> str:
        """Serve in the background; returns the base URL once it accepts connections."""
        if self.redis is None:
            if not self.settings.redis_url:
                raise ConfigError("the studio needs REDIS_URL (or an embedded Redis started by the caller)")
            self.redis = aioredis.Redis.from_url(self.settings.redis_url)
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        app = create_app(self.settings, self.redis, **self.app_options)
        self._sock = _bind(self.host, self.port)
        port = self._sock.getsockname()[1]
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                timeout_graceful_shutdown=3, ws="none")
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]), name="studio")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the studio stopped during start-up")
            await asyncio.sleep(0.01)
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else ("[::1]" if self.host == "::" else self.host)
        self.url = f"http://{shown}:{port}"
        log.info("studio serving on %s", self.url)
        return self.url

    @property
    def public_url(self) -> str:
        """Where users' links point: VIDEOBOT_STUDIO_PUBLIC_URL, else the address it serves on."""
        return self.settings.public_url or self.url

    def request_stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    async def wait(self) -> None:
        """Until the server stops (after `request_stop`, or a fatal error)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        self.request_stop()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 10)
            except TimeoutError:
                if self._server is not None:
                    self._server.force_exit = True
                await self._task
            self._task = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._own_redis and self.redis is not None:
            await self.redis.aclose()
            self.redis = None


async def _serve(settings: StudioSettings, host: str, port: int) -> int:
    embedded: EmbeddedRedis | None = None
    if not settings.redis_url:
        embedded = EmbeddedRedis(settings.data_dir)
        settings.redis_url = await asyncio.to_thread(embedded.start)
    server = StudioServer(settings, host=host, port=port)
    loop = asyncio.get_running_loop()
    try:
        url = await server.start()
        print(f"studio listening on {url}", flush=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.request_stop)
        await server.wait()
    finally:
        await server.stop()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="videobot studio", description="Run the self-hosted NemoVideo-compatible backend.")
    parser.add_argument("--host", help="address to listen on (default: VIDEOBOT_STUDIO_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: VIDEOBOT_STUDIO_PORT, 8700; 0: free port)")
    args = parser.parse_args(argv)
    try:
        settings = StudioSettings.load()
    except ConfigError as exc:
        print(f"videobot studio: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json_lines=settings.log_json)
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    try:
        return asyncio.run(_serve(settings, host, port))
    except OSError as exc:
        print(f"videobot studio: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"videobot studio: {exc}", file=sys.stderr)
        return 2
