"""Width, height and duration of an uploaded file.

Images: Pillow reads the header only (EXIF rotation swaps width and height, as a phone shows the
photo). Video and audio: `common.ffmpeg.aprobe`. A file that cannot be probed is still accepted (the
fields stay None): whether it renders is the renderer's business, and it fails that render with a
readable message.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from pydantic import BaseModel

from common.ffmpeg import aprobe

log = logging.getLogger(__name__)

_ROTATING_EXIF = {5, 6, 7, 8}


class MediaInfo(BaseModel):
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds

    @property
    def duration_ms(self) -> int | None:
        return None if self.duration is None else round(self.duration * 1000)


def _image_info(path: Path) -> MediaInfo:
    from PIL import Image

    try:
        with Image.open(path) as img:
            width, height = img.size
            try:
                orientation = img.getexif().get(274)
            except Exception:
                orientation = None
    except Exception as exc:
        log.info("image %s could not be probed: %s", path.name, type(exc).__name__)
        return MediaInfo()
    if orientation in _ROTATING_EXIF:
        width, height = height, width
    return MediaInfo(width=width, height=height)


async def probe(path: Path, kind: str) -> MediaInfo:
    if kind == "image":
        return await asyncio.to_thread(_image_info, path)
    seen = await aprobe(path)
    info = MediaInfo(duration=seen.duration)
    if kind != "audio":
        info.width, info.height = seen.width, seen.height
    return info
