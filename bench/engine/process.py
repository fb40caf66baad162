"""What runs around a bench run: the backend's child process, the bot's RSS and CPU, log counting."""

from __future__ import annotations

import asyncio
import logging
import re
import resource
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


class BackendProcess:
    """`python -m bench.engine.backend` in a child process; `url` once it listens."""

    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc = proc
        self.url = url

    @classmethod
    async def start(cls, events: int, interval_ms: float) -> BackendProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.engine.backend", "--events", str(events),
            "--interval-ms", str(interval_ms), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        try:
            line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        except TimeoutError:
            line = ""
        if not line.startswith("url "):
            await cls(proc, "").stop()
            raise RuntimeError("the bench backend did not start")
        return cls(proc, line[4:])

    async def stats(self) -> dict[str, float]:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(f"{self.url}/bench/stats")
            return {k: float(v) for k, v in answer.json().items()}

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class WarningCounter(logging.Handler):
    """Counts WARNING and worse log records; keeps the first few distinct kinds of message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.samples: dict[str, str] = {}  # message with digits blurred → the first such message

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        text = f"{record.name}: {record.getMessage()}"[:200]
        kind = re.sub(r"\d+", "#", text)
        if len(self.samples) < 5 and kind not in self.samples:
            self.samples[kind] = text


class FirstFew(logging.Filter):
    """Lets the first `n` records through (the same warning from 200 users once is enough)."""

    def __init__(self, n: int = 5) -> None:
        super().__init__()
        self.left = n

    def filter(self, record: logging.LogRecord) -> bool:
        self.left -= 1
        return self.left >= 0


def rss_mb() -> float:
    """This process's resident set size now, in MB (from /proc; 0 where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class RssPeak:
    """Samples the RSS every 20 ms while running; `peak` is the largest seen."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb())
            await asyncio.sleep(0.02)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.peak = max(self.peak, rss_mb())
