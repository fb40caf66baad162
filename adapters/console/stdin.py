"""Standard input, one line at a time, without blocking the event loop."""

from __future__ import annotations

import asyncio
import os
import threading


class LineReader:
    """Lines from a file descriptor, read on request by a helper thread (works for pipes, TTYs
    and regular files; a thread blocked on a read never holds up the exit)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self._eof = False

    async def readline(self) -> str | None:
        while b"\n" not in self._buffer and not self._eof:
            chunk = await self._read()
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
        if not self._buffer:
            return None
        line, _, rest = self._buffer.partition(b"\n")
        self._buffer = rest
        return line.decode("utf-8", errors="replace").rstrip("\r")

    async def _read(self) -> bytes:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()

        def work() -> None:
            try:
                data = os.read(self._fd, 65536)
            except OSError:
                data = b""
            loop.call_soon_threadsafe(_resolve, future, data)

        threading.Thread(target=work, name="stdin", daemon=True).start()
        return await future


def _resolve(future: asyncio.Future[bytes], data: bytes) -> None:
    if not future.done():
        future.set_result(data)
