"""Serve a `FakeNemo` with uvicorn on 127.0.0.1: in a background thread (tests), or in the
foreground of a process of its own (`run`, the engine benchmark's backend)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence

import uvicorn
from starlette.routing import Route

from bot.testing.fakenemo.app import BrokenOnPurpose, create_app
from bot.testing.fakenemo.state import FakeNemo


class _HideScriptedBreaks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, BrokenOnPurpose):
                return False
            if isinstance(exc, BaseExceptionGroup):
                if any(isinstance(e, BrokenOnPurpose) for e in exc.exceptions):
                    return False
            exc = exc.__cause__ or exc.__context__
        return True


class FakeNemoServer:
    """`start()` → the base URL (also set as `fake.url`); `stop()`. `port=0`: a free port."""

    def __init__(
        self, fake: FakeNemo, *, port: int = 0, backlog: int = 2048, extra_routes: Sequence[Route] = ()
    ) -> None:
        self.fake = fake
        self._port = port
        self._backlog = backlog
        self._routes = extra_routes
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _bind(self) -> tuple[uvicorn.Server, socket.socket]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        sock.listen(self._backlog)
        config = uvicorn.Config(
            create_app(self.fake, self._routes), http="h11", loop="asyncio", lifespan="off",
            log_config=None, log_level="warning", access_log=False, timeout_graceful_shutdown=1,
            backlog=self._backlog,
            timeout_keep_alive=75,  # like nginx: uvicorn's 5 s races httpx's 5 s keep-alive expiry under load
        )
        logging.getLogger("uvicorn.error").addFilter(_HideScriptedBreaks())
        self.fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return uvicorn.Server(config), sock

    def start(self) -> str:
        """Serve in a background thread; returns once the server listens."""
        self._server, sock = self._bind()
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="fake-nemo", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake NemoVideo server did not start")
            time.sleep(0.01)
        return self.fake.url

    def run(self, on_listening: Callable[[str], None] | None = None) -> None:
        """Serve in this thread until the process is told to stop (SIGINT / SIGTERM);
        `on_listening(url)` is called once the socket is bound."""
        self._server, sock = self._bind()
        if on_listening is not None:
            on_listening(self.fake.url)
        self._server.run(sockets=[sock])

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
