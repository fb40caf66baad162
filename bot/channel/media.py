"""What platforms want to know about an MP4 before it is sent: size, length, a small thumbnail.

Uses the ffmpeg binary and probe of `common.ffmpeg` (there is no ffprobe); `thumbnail`
grabs one frame as a JPEG no larger than 320 px on its longer side and under 200 kB, as Telegram
asks for `sendVideo`. Everything runs as asyncio subprocesses with a time limit. A file that is
not a video (text, an image, audio only) raises `MediaError` with a sentence a log can carry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from pathlib import Path

from pydantic import BaseModel

from bot.channel.events import VideoFile
from common.ffmpeg import aprobe, ffmpeg_exe
from common.filetype import sniff_path

log = logging.getLogger(__name__)

__all__ = ["MediaError", "MediaInfo", "probe", "probe_video", "thumbnail"]

THUMB_MAX_SIDE = 320
THUMB_MAX_BYTES = 200 * 1024
TIMEOUT = 60.0  # seconds for one ffmpeg run

class MediaError(Exception):
    """The file is missing, not a video, or ffmpeg could not read it."""


class MediaInfo(BaseModel):
    """A video's display size (rotation applied), length and file size."""

    width: int
    height: int
    duration: float  # seconds
    size: int  # bytes
    codec: str | None = None
    has_audio: bool = False


async def _run(args: list[str]) -> tuple[int, str]:
    """Run ffmpeg (at most TIMEOUT seconds); return its exit code and stderr."""
    proc = await asyncio.create_subprocess_exec(
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(TIMEOUT):
            _, err = await proc.communicate()
    except BaseException:  # timed out or cancelled: never leave ffmpeg running
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise
    return proc.returncode or 0, err.decode("utf-8", "replace")


async def probe(path: Path) -> MediaInfo:
    """Width, height (as displayed), duration and size of a video file (MP4, MOV, WebM, MKV,
    AVI: recognised by content first, then read by ffmpeg)."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path.name}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise MediaError(f"{path.name} is empty")
    sniffed = await asyncio.to_thread(sniff_path, path)
    if sniffed is None:
        raise MediaError(f"{path.name} is not a video (unknown format)")
    if sniffed.kind != "video":
        raise MediaError(f"{path.name} is {'an image' if sniffed.kind == 'image' else 'audio'}, not a video")
    seen = await aprobe(path, within=TIMEOUT)
    if not seen.readable:
        raise MediaError(f"{path.name} is not a video (ffmpeg cannot read it)")
    if not seen.video:
        raise MediaError(f"{path.name} is not a video")
    if seen.still:
        raise MediaError(f"{path.name} is an image, not a video")
    if seen.width is None or seen.height is None:
        raise MediaError(f"{path.name}: no picture size in the video stream")
    duration = seen.duration or 0.0
    if duration <= 0:
        duration = await _count_seconds(path)
    return MediaInfo(width=seen.width, height=seen.height, duration=duration, size=size,
                     codec=seen.video_codec, has_audio=seen.audio)


async def _count_seconds(path: Path) -> float:
    """Decode the file to learn its length (for containers without a duration in the header)."""
    import imageio_ffmpeg

    try:
        async with asyncio.timeout(TIMEOUT):
            _, secs = await asyncio.to_thread(imageio_ffmpeg.count_frames_and_secs, str(path))
    except Exception as exc:
        raise MediaError(f"{path.name}: cannot tell how long the video is") from exc
    return float(secs)


async def thumbnail(path: Path, dest: Path, *, duration: float | None = None) -> Path:
    """Write a JPEG of one frame (about 1 s in, the middle of shorter videos) to `dest`."""
    path, dest = Path(path), Path(dest)
    if duration is None:
        duration = (await probe(path)).duration
    at = 1.0 if duration >= 2.0 else max(0.0, duration / 2)
    dest.parent.mkdir(parents=True, exist_ok=True)
    side = THUMB_MAX_SIDE
    scale = f"scale='min({side},iw)':'min({side},ih)':force_original_aspect_ratio=decrease"
    for quality in (4, 10, 20, 31):
        for seek in dict.fromkeys((at, 0.0)):  # a seek past the last frame gives nothing: retry at 0
            dest.unlink(missing_ok=True)
            args = ["-loglevel", "error", "-ss", f"{seek:.3f}", "-i", str(path), "-frames:v", "1"]
            try:
                await _run([*args, "-vf", scale, "-q:v", str(quality), "-f", "image2", "-y", str(dest)])
            except TimeoutError as exc:
                raise MediaError(f"{path.name}: ffmpeg took too long for a thumbnail") from exc
            if dest.is_file() and dest.stat().st_size > 0:
                break
        else:
            raise MediaError(f"{path.name}: no frame for a thumbnail")
        if dest.stat().st_size < THUMB_MAX_BYTES:
            return dest
    raise MediaError(f"{path.name}: thumbnail stays over {THUMB_MAX_BYTES // 1024} kB")


async def probe_video(path: Path, thumb_dir: Path) -> VideoFile:
    """Everything `Reply.send_video` needs; the thumbnail is left out when it cannot be made."""
    path = Path(path)
    info = await probe(path)
    thumb: Path | None
    try:
        thumb = await thumbnail(path, Path(thumb_dir) / f"{path.stem}.thumb.jpg", duration=info.duration)
    except MediaError as exc:
        log.warning("no thumbnail for %s: %s", path.name, exc)
        thumb = None
    fields = info.model_dump(include={"width", "height", "duration", "size"})
    return VideoFile(path=path, thumbnail=thumb, **fields)


def is_voice_note(path: Path) -> bool:
    """An Ogg file (Telegram voice notes, Opus/Vorbis): not an upload type, but convertible."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"OggS"
    except OSError:
        return False


async def voice_to_m4a(path: Path, dest_dir: Path) -> Path:
    """Convert an Ogg voice note into an AAC `.m4a` the backend accepts; MediaError when it fails."""
    await asyncio.to_thread(os.makedirs, dest_dir, exist_ok=True)
    dest = dest_dir / f"{path.stem}-{uuid.uuid4().hex[:8]}.m4a"
    code, err = await _run(["-i", str(path), "-vn", "-c:a", "aac", "-b:a", "128k", "-y", str(dest)])
    if code != 0 or not dest.is_file() or dest.stat().st_size == 0:
        dest.unlink(missing_ok=True)
        raise MediaError(f"{path.name} could not be converted: {err.strip().splitlines()[-1:]}")
    return dest
