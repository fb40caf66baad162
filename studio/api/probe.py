"""Every uploaded file verified on receipt: it really decodes, and it is within the limits.

- Photos (`common.imagecheck`): the pixel size read from the header and checked against
  `max_image_megapixels` BEFORE anything is decoded; then a real decode in a checker process
  (a JPEG at 1/8 scale), whose answer is the upright width and height.
- Clips and audio: `common.ffmpeg.aprobe` (readable, a video resp. audio stream, a positive
  duration within `max_media_seconds`, a video frame within the pixel limit), then the first
  frame (video) or first second (audio) really decoded by ffmpeg.

A file that fails raises the ApiError naming it: 4003 damaged or incomplete, 4004 too many pixels,
4005 too long. A file sniffed as a video whose only stream is sound is kept as audio.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from common.ffmpeg import aprobe
from common.filetype import MediaKind
from common.imagecheck import ImageChecker, read_header
from common.mediacheck import decodes
from studio.api import errors

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Limits:
    max_pixels: int
    max_seconds: float

    @property
    def megapixels(self) -> float:
        return self.max_pixels / 1_000_000


class MediaInfo(BaseModel):
    kind: MediaKind
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds

    @property
    def duration_ms(self) -> int | None:
        return None if self.duration is None else round(self.duration * 1000)


async def verify(path: Path, kind: MediaKind, name: str, limits: Limits, checker: ImageChecker) -> MediaInfo:
    """What the file holds, once it is known to be usable; raises ApiError 4003 / 4004 / 4005."""
    if kind == "image":
        return await _image(path, name, limits, checker)
    return await _media(path, kind, name, limits)


async def _image(path: Path, name: str, limits: Limits, checker: ImageChecker) -> MediaInfo:
    header = await asyncio.to_thread(read_header, path)
    if header is None:
        log.info("upload %s: no readable image header", name)
        raise errors.file_damaged(name)
    if header.pixels > limits.max_pixels:
        log.info("upload %s: %dx%d pixels refused before decoding", name, header.width, header.height)
        raise errors.too_many_pixels(name, header.width, header.height, limits.megapixels)
    result = await checker.check(path, limits.max_pixels)
    if result.ok and result.width and result.height:
        return MediaInfo(kind="image", width=result.width, height=result.height)
    log.info("upload %s: image check failed (%s)", name, result.reason)
    if result.reason in ("pixels", "memory"):
        raise errors.too_many_pixels(name, header.width, header.height, limits.megapixels)
    raise errors.file_damaged(name)


async def _media(path: Path, kind: MediaKind, name: str, limits: Limits) -> MediaInfo:
    seen = await aprobe(path)
    if kind == "video" and not seen.video and seen.audio:
        kind = "audio"  # an .mp4 holding only sound
    has_stream = seen.video if kind == "video" else seen.audio
    if not seen.readable or not has_stream or not seen.duration or seen.duration <= 0:
        log.info("upload %s: probe found no usable %s stream", name, kind)
        raise errors.file_damaged(name)
    if seen.duration > limits.max_seconds:
        raise errors.media_too_long(name, seen.duration, limits.max_seconds)
    info = MediaInfo(kind=kind, duration=seen.duration)
    if kind == "video":
        if not seen.width or not seen.height:
            raise errors.file_damaged(name)
        if seen.width * seen.height > limits.max_pixels:
            raise errors.too_many_pixels(name, seen.width, seen.height, limits.megapixels)
        info.width, info.height = seen.width, seen.height
    if not await decodes(path, kind):
        log.info("upload %s: its first %s does not decode", name, "frame" if kind == "video" else "second")
        raise errors.file_damaged(name)
    return info
