"""Run the fake backend with uvicorn on 127.0.0.1 (a free port) in a background thread."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from tests.kit.fakenemo.app import BrokenOnPurpose, create_app
from tests.kit.fakenemo.state import FakeNemo


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
    def __init__(self, fake: FakeNemo) -> None:
        self.fake = fake
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.fake), http="h11", lifespan="off", log_config=None, log_level="warning",
            access_log=False, timeout_graceful_shutdown=1,
        )
        logging.getLogger("uvicorn.error").addFilter(_HideScriptedBreaks())
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="fake-nemo", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake NemoVideo server did not start")
            time.sleep(0.01)
        self.fake.url = f"http://127.0.0.1:{port}"
        return self.fake.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
