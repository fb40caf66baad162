"""The ffmpeg binary shipped by `imageio-ffmpeg`, and the one probe of a media file.

There is no ffprobe in that wheel: `ffmpeg -i FILE` prints the container, its duration and every
stream on stderr, and `parse_probe` reads that text. Every part of videobot that needs to know what
is inside a file (the bot before it sends a video, the studio on upload and before a render, the
tests) goes through `probe` / `aprobe`; each runs ffmpeg with a time limit and never raises for a
file ffmpeg cannot read (`MediaProbe.readable` is then False).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import subprocess
from functools import cache
from pathlib import Path

from pydantic import BaseModel

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 30.0  # seconds for one `ffmpeg -i`

_INPUT = re.compile(r"^Input #0, ([^,\n]+(?:,[^,\n ]+)*), from", re.MULTILINE)
_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_STREAM = re.compile(r"^\s*Stream #\d+:\d+.*$", re.MULTILINE)
_SIZE = re.compile(r"[ ,](\d{1,5})x(\d{1,5})(?=[ ,\[]|$)")
_VIDEO_CODEC = re.compile(r"Video:\s*([A-Za-z0-9_]+)")
_AUDIO_CODEC = re.compile(r"Audio:\s*([A-Za-z0-9_]+)")
_ROTATION = re.compile(r"(?:rotation of|rotate\s*:)\s*(-?\d+(?:\.\d+)?)")
STILL_CODECS = frozenset(
    {"mjpeg", "png", "bmp", "webp", "tiff", "jpeg2000", "gif", "ansi", "bintext", "xbin"}
)


@cache
def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary (found once: finding it touches the disk)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


class MediaProbe(BaseModel):
    """What `ffmpeg -i` sees in a file. Sizes are as displayed (a 90° rotation tag swaps them)."""

    readable: bool = False  # ffmpeg found at least one stream
    container: str = ""  # ffmpeg's demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float | None = None  # seconds, from the container header
    video: bool = False
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    audio: bool = False
    audio_codec: str | None = None

    @property
    def still(self) -> bool:
        """A picture rather than a moving video (a JPEG, a PNG, a GIF read as an image)."""
        fmt = self.container
        return self.video_codec in STILL_CODECS or fmt == "image2" or fmt.endswith("_pipe")

    @property
    def duration_ms(self) -> int | None:
        return None if self.duration is None else round(self.duration * 1000)


def parse_probe(text: str) -> MediaProbe:
    """The streams, sizes and duration in the stderr of `ffmpeg -i FILE`."""
    info = MediaProbe()
    streams = list(_STREAM.finditer(text))
    info.readable = bool(streams)
    if m := _INPUT.search(text):
        info.container = m.group(1)
    if m := _DURATION.search(text):
        info.duration = round(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)), 3)
    video = next((s for s in streams if "Video:" in s.group(0)), None)
    if video is not None:
        info.video = True
        if codec := _VIDEO_CODEC.search(video.group(0)):
            info.video_codec = codec.group(1).lower()
        if size := _SIZE.search(video.group(0)):
            info.width, info.height = int(size.group(1)), int(size.group(2))
            following = next((s.start() for s in streams if s.start() > video.start()), len(text))
            rotation = _ROTATION.search(text, video.end(), following)
            if rotation and round(abs(float(rotation.group(1)))) % 180 == 90:
                info.width, info.height = info.height, info.width
    audio = next((s for s in streams if "Audio:" in s.group(0)), None)
    if audio is not None:
        info.audio = True
        if codec := _AUDIO_CODEC.search(audio.group(0)):
            info.audio_codec = codec.group(1).lower()
    return info


def _args(path: Path) -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]


def probe(path: Path, *, timeout: float = PROBE_TIMEOUT) -> MediaProbe:
    """What ffmpeg sees in a media file (an unreadable file gives `readable=False`)."""
    try:
        done = subprocess.run(_args(Path(path)), capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("probe of %s failed: %s", Path(path).name, type(exc).__name__)
        return MediaProbe()
    return parse_probe(done.stderr.decode("utf-8", "replace"))


async def aprobe(path: Path, *, within: float = PROBE_TIMEOUT) -> MediaProbe:
    """`probe` as an asyncio subprocess; ffmpeg is killed when the time is up or the caller cancels."""
    proc = await asyncio.create_subprocess_exec(
        *_args(Path(path)), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(within):
            _, err = await proc.communicate()
    except TimeoutError:
        log.warning("probing %s timed out", Path(path).name)
        return MediaProbe()
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    return parse_probe(err.decode("utf-8", "replace"))
