"""Photos checked where they enter: the size from the header first, then a real decode in a child process.

Shared by the bot (every file a user sends, before it is uploaded: `common.mediacheck`) and the
studio (every file it receives, `studio.api.uploads` / `studio.api.probe`): one checker, so both sides
judge a photo alike.

Two steps, so that no image is ever decoded before its size is known, and never in the calling
process at all:

1. `read_header(path)` (the calling process, a few KB read): the format and the pixel size from
   the file's own header: PNG's IHDR, JPEG's SOFn marker, GIF's logical screen, WebP's VP8/VP8L/VP8X chunk.
   A zero-filled 13300x13300 PNG of 688 KB is refused here, before a byte of it is inflated.
2. `ImageChecker.check(path, max_pixels)`: the image really decodes, in a child process
   (`python -m common.imagecheck`, kept running and reused) whose address space is capped
   (`RLIMIT_AS`) and which is killed when one check takes longer than `CHECK_SECONDS`. JPEGs are
   decoded at 1/8 scale (`Image.draft`: cheap, and a truncated file still fails), other formats
   in full (their size is already bounded by step 1). The child answers the upright size (EXIF
   orientation applied, as the renderer shows the photo).

The child's protocol: one JSON line per request on stdin (`{"path", "max_pixels"}`), one JSON line
per answer on stdout (`{"ok": true, "width", "height"}` or `{"ok": false, "reason": "damaged" |
"pixels" | "memory"}`).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0
HEADER_SCAN_BYTES = 4 * 1024 * 1024  # JPEG markers / PNG chunks read before giving up on a header
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class ImageHeader:
    format: Literal["png", "jpeg", "gif", "webp"]
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def read_header(path: Path) -> ImageHeader | None:
    """The format and size an image declares, from its header only; None when there is none."""
    try:
        with open(path, "rb") as fh:
            return _header(fh)
    except OSError:
        return None


def header_of(data: bytes) -> ImageHeader | None:
    """`read_header` of an image in memory (a picture the backend sent)."""
    return _header(io.BytesIO(data))


def _header(fh: BinaryIO) -> ImageHeader | None:
    head = fh.read(32)
    if head.startswith(_PNG_SIGNATURE):
        return _png(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg(fh)
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return ImageHeader("gif", width, height) if width and height else None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        fh.seek(0)
        return _webp(fh.read(64))
    return None


def _png(head: bytes) -> ImageHeader | None:
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return ImageHeader("png", width, height) if width and height else None


def _jpeg(fh: BinaryIO) -> ImageHeader | None:
    fh.seek(2)
    while fh.tell() < HEADER_SCAN_BYTES:
        byte = fh.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            continue  # stray bytes between segments: keep looking for a marker
        marker = fh.read(1)
        while marker == b"\xff":  # fill bytes
            marker = fh.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in (0x01, 0xD8) or 0xD0 <= code <= 0xD7:
            continue  # markers without a length
        if code in (0xD9, 0xDA):
            return None  # end of image, or image data, before any frame header
        raw = fh.read(2)
        if len(raw) < 2:
            return None
        length = struct.unpack(">H", raw)[0]
        if length < 2:
            return None
        if code in _SOF:
            body = fh.read(5)
            if len(body) < 5:
                return None
            height, width = struct.unpack(">HH", body[1:5])
            return ImageHeader("jpeg", width, height) if width and height else None
        fh.seek(length - 2, 1)
    return None


def _webp(head: bytes) -> ImageHeader | None:
    chunk, body = head[12:16], head[20:]
    if chunk == b"VP8X" and len(body) >= 10:
        width = 1 + int.from_bytes(body[4:7], "little")
        height = 1 + int.from_bytes(body[7:10], "little")
        return ImageHeader("webp", width, height)
    if chunk == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return ImageHeader("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        width, height = width & 0x3FFF, height & 0x3FFF
        return ImageHeader("webp", width, height) if width and height else None
    return None


class CheckResult(BaseModel):
    ok: bool
    reason: Literal["damaged", "pixels", "memory", "timeout"] | None = None
    width: int | None = None  # upright (EXIF orientation applied)
    height: int | None = None


def _memory_limit(max_pixels: int) -> int:
    """The child's address-space cap: room for a full RGBA decode of the largest allowed image."""
    return max(768 * 1024 * 1024, 12 * max_pixels + 512 * 1024 * 1024)


class _Child:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        await self.proc.stdin.drain()
        line = await self.proc.stdout.readline()
        if not line:
            raise EOFError("the image checker ended")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        with contextlib.suppress(Exception):
            await self.proc.wait()


class ImageChecker:
    """Up to `size` checker processes, started on first use and reused; one check at a time each."""

    def __init__(self, size: int = 2, *, timeout: float = CHECK_SECONDS) -> None:
        self.size = max(1, size)
        self.timeout = timeout
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._slots = asyncio.Semaphore(self.size)
        self._closed = False

    async def _spawn(self, max_pixels: int) -> _Child:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "common.imagecheck", str(_memory_limit(max_pixels)),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        return _Child(proc)

    async def check(self, path: Path, max_pixels: int) -> CheckResult:
        """Decode `path` in a checker process; never raises for a bad image."""
        async with self._slots:
            child = self._idle.pop() if self._idle else await self._spawn(max_pixels)
            self._busy.add(child)
            healthy = False
            try:
                async with asyncio.timeout(self.timeout):
                    answer = await child.ask({"path": str(path), "max_pixels": max_pixels})
                healthy = True
                return CheckResult.model_validate(answer)
            except TimeoutError:
                log.warning("image check of %s took over %.0f s; stopped", path.name, self.timeout)
                return CheckResult(ok=False, reason="timeout")
            except (EOFError, OSError, ValueError) as exc:
                log.warning("image checker failed on %s: %s", path.name, type(exc).__name__)
                return CheckResult(ok=False, reason="damaged")
            finally:
                self._busy.discard(child)
                if healthy and not self._closed:
                    self._idle.append(child)
                else:
                    await child.kill()

    async def aclose(self) -> None:
        self._closed = True
        children, self._idle = [*self._idle, *self._busy], []
        for child in children:
            await child.kill()


# --- the child process ---------------------------------------------------------------------------

def _decode(path: str, max_pixels: int) -> dict[str, Any]:
    import warnings

    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                if width * height > max_pixels:
                    return {"ok": False, "reason": "pixels"}
                if img.format == "JPEG":
                    img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                img.load()
                orientation = img.getexif().get(274, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return {"ok": False, "reason": "pixels"}
    except MemoryError:
        return {"ok": False, "reason": "memory"}
    except Exception:
        return {"ok": False, "reason": "damaged"}
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return {"ok": True, "width": width, "height": height}


def main(argv: list[str]) -> int:
    import gc
    import resource

    if argv:
        limit = int(argv[0])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from PIL import Image  # noqa: F401 (loaded before the first request)

    for line in sys.stdin.buffer:
        request = json.loads(line)
        answer = _decode(str(request["path"]), int(request["max_pixels"]))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        gc.collect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
