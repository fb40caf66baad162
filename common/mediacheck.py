"""One verdict per file: is it a photo, clip or audio file we can use, and within the limits?

    checker = ImageChecker()                           # common.imagecheck: decodes in a child process
    verdict = await verify_file(path, MediaLimits(max_pixels=50_000_000, max_seconds=600), checker)
    verdict.ok / verdict.kind / verdict.problem / verdict.width, .height, .duration

- The type by content (`common.filetype`), never by name: else `UNSUPPORTED`.
- Photos: the pixel size read from the header and checked against the limit BEFORE anything is
  decoded (a decompression bomb is refused here, `PIXELS`); then a real decode in the checker's
  child process (a truncated or garbage file: `DAMAGED`).
- Clips and audio: `common.ffmpeg.aprobe` (readable, a stream of their kind, a positive duration
  within `max_seconds` else `TOO_LONG`, a video frame within the pixel limit), then the first
  frame (video) or first second (audio) decoded by ffmpeg. A file sniffed as a video whose only
  stream is sound is kept as audio.

The bot runs it on every file a user sends, before a byte is uploaded. It is the studio's rule
(`studio/api/probe.py`) without the studio's error envelope, so the studio can adopt it and both
sides judge a file alike; the verdict is data, each caller words it in its own way.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from common.ffmpeg import aprobe, ffmpeg_exe
from common.filetype import MediaKind, sniff_path
from common.imagecheck import ImageChecker, read_header

log = logging.getLogger(__name__)

DECODE_SECONDS = 30.0


class Problem(enum.StrEnum):
    UNSUPPORTED = "unsupported"  # not a photo, clip or audio file we know (by content)
    DAMAGED = "damaged"  # no header, does not decode, no usable stream, no duration
    PIXELS = "pixels"  # a photo or video frame over the pixel limit
    TOO_LONG = "too_long"  # a clip or audio file over the length limit


@dataclass(frozen=True)
class MediaLimits:
    max_pixels: int
    max_seconds: float

    @property
    def megapixels(self) -> float:
        return self.max_pixels / 1_000_000


class Verdict(BaseModel):
    """What a file is and whether it is usable; `width`/`height` are the declared size of a photo
    refused for its pixels, `duration` the length of a clip refused for it."""

    kind: MediaKind | None = None
    problem: Problem | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds

    @property
    def ok(self) -> bool:
        return self.problem is None and self.kind is not None


async def verify_file(path: Path, limits: MediaLimits, checker: ImageChecker) -> Verdict:
    """The verdict on one file on local disk; never raises for a bad file (a missing one raises OSError)."""
    sniffed = await asyncio.to_thread(sniff_path, Path(path))
    if sniffed is None:
        return Verdict(problem=Problem.UNSUPPORTED)
    if sniffed.kind == "image":
        return await _image(Path(path), limits, checker)
    return await _media(Path(path), sniffed.kind, limits)


async def _image(path: Path, limits: MediaLimits, checker: ImageChecker) -> Verdict:
    header = await asyncio.to_thread(read_header, path)
    if header is None:
        log.info("%s: no readable image header", path.name)
        return Verdict(kind="image", problem=Problem.DAMAGED)
    if header.pixels > limits.max_pixels:
        log.info("%s: %dx%d pixels refused before decoding", path.name, header.width, header.height)
        return Verdict(kind="image", problem=Problem.PIXELS, width=header.width, height=header.height)
    result = await checker.check(path, limits.max_pixels)
    if result.ok and result.width and result.height:
        return Verdict(kind="image", width=result.width, height=result.height)
    log.info("%s: image check failed (%s)", path.name, result.reason)
    if result.reason in ("pixels", "memory"):
        return Verdict(kind="image", problem=Problem.PIXELS, width=header.width, height=header.height)
    return Verdict(kind="image", problem=Problem.DAMAGED)


async def _media(path: Path, kind: MediaKind, limits: MediaLimits) -> Verdict:
    seen = await aprobe(path)
    if kind == "video" and not seen.video and seen.audio:
        kind = "audio"  # an .mp4 holding only sound
    has_stream = seen.video if kind == "video" else seen.audio
    if not seen.readable or not has_stream or not seen.duration or seen.duration <= 0:
        log.info("%s: probe found no usable %s stream", path.name, kind)
        return Verdict(kind=kind, problem=Problem.DAMAGED)
    if seen.duration > limits.max_seconds:
        return Verdict(kind=kind, problem=Problem.TOO_LONG, duration=seen.duration)
    verdict = Verdict(kind=kind, duration=seen.duration)
    if kind == "video":
        if not seen.width or not seen.height:
            return Verdict(kind=kind, problem=Problem.DAMAGED)
        verdict.width, verdict.height = seen.width, seen.height
        if seen.width * seen.height > limits.max_pixels:
            verdict.problem = Problem.PIXELS
            return verdict
    if not await decodes(path, kind):
        log.info("%s: its first %s does not decode", path.name, "frame" if kind == "video" else "second")
        return Verdict(kind=kind, problem=Problem.DAMAGED)
    return verdict


async def decodes(path: Path, kind: MediaKind) -> bool:
    """ffmpeg decodes the first video frame, or the first second of sound, without an error (the bot's
    check before upload and the studio's on receipt, `studio.api.probe`)."""
    select = ["-map", "0:v:0", "-frames:v", "1"] if kind == "video" else ["-map", "0:a:0", "-t", "1"]
    proc = await asyncio.create_subprocess_exec(
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), *select,
        "-f", "null", "-", stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(DECODE_SECONDS):
            return await proc.wait() == 0
    except TimeoutError:
        return False
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
