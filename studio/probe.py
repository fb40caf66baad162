"""Width, height and duration of an uploaded file.

Images: Pillow reads the header only (EXIF rotation swaps width and height, as a phone shows the
photo). Video and audio: the imageio-ffmpeg binary, `ffmpeg -i FILE` (its stderr lists duration
and streams). A file that cannot be probed is still accepted (the fields stay None): whether it
renders is the renderer's business, and it fails that render with a readable message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from pydantic import BaseModel

log = logging.getLogger(__name__)

_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #[^\n]*?Video:[^\n]*?[ ,](\d{2,5})x(\d{2,5})[ ,\n\[]")
_ROTATE = re.compile(r"(?:rotate\s*:\s*|rotation of\s*)(-?\d+(?:\.\d+)?)")
_ROTATING_EXIF = {5, 6, 7, 8}
PROBE_TIMEOUT = 30.0


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


def parse_ffmpeg_info(stderr: str) -> MediaInfo:
    """Duration and (first) video size from `ffmpeg -i` output."""
    info = MediaInfo()
    if m := _DURATION.search(stderr):
        hours, minutes, seconds = m.groups()
        info.duration = round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)
    if m := _VIDEO.search(stderr):
        info.width, info.height = int(m.group(1)), int(m.group(2))
        if (r := _ROTATE.search(stderr)) and round(abs(float(r.group(1)))) % 180 == 90:
            info.width, info.height = info.height, info.width
    return info


async def _ffmpeg_info(path: Path) -> MediaInfo:
    import imageio_ffmpeg

    proc = await asyncio.create_subprocess_exec(
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        log.warning("probing %s timed out", path.name)
        return MediaInfo()
    return parse_ffmpeg_info(err.decode("utf-8", "replace"))


async def probe(path: Path, kind: str) -> MediaInfo:
    if kind == "image":
        return await asyncio.to_thread(_image_info, path)
    info = await _ffmpeg_info(path)
    if kind == "audio":
        info.width = info.height = None
    return info
