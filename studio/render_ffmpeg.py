"""Running the imageio-ffmpeg binary: probing inputs (`ffmpeg -i`, there is no ffprobe) and the one
render run, with progress read from `-progress pipe:1` (out_time against the video's duration)."""

from __future__ import annotations

import logging
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from pydantic import BaseModel

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 30.0
_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (.*)")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: ")
_SIZE = re.compile(r"[ ,](\d{2,5})x(\d{2,5})[ ,\[]")


class FfmpegFailed(Exception):
    """ffmpeg exited with an error; `detail` holds the end of its log (for the operator's log only)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class Probe(BaseModel):
    video: bool = False
    audio: bool = False
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds


@cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def parse_probe(text: str) -> Probe:
    """Streams and duration from the stderr of `ffmpeg -i FILE`."""
    probe = Probe()
    if m := _DURATION.search(text):
        probe.duration = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    if m := _VIDEO.search(text):
        probe.video = True
        if size := _SIZE.search(" " + m[1] + " "):
            probe.width, probe.height = int(size[1]), int(size[2])
    probe.audio = bool(_AUDIO.search(text))
    return probe


def probe(path: Path) -> Probe:
    """What `ffmpeg -i` sees in a media file (nothing at all when it cannot read it)."""
    try:
        done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                              capture_output=True, timeout=PROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("probe of %s failed: %r", path.name, exc)
        return Probe()
    return parse_probe(done.stderr.decode("utf-8", "replace"))


class _Progress:
    """Turns `-progress` key=value lines into percentages for the callback (never raising into ffmpeg)."""

    def __init__(self, duration: float, callback: Callable[[float], None] | None) -> None:
        self.duration = max(duration, 1e-3)
        self.callback = callback
        self.last = -1.0

    def line(self, raw: bytes) -> None:
        key, _, value = raw.decode("ascii", "replace").strip().partition("=")
        if key != "out_time_us" or not value.lstrip("-").isdigit():
            return
        pct = max(0.0, min(99.0, int(value) / 1e6 / self.duration * 100))
        if pct >= self.last + 0.5:
            self.report(pct)

    def report(self, pct: float) -> None:
        self.last = pct
        if self.callback is not None:
            try:
                self.callback(pct)
            except Exception:
                log.exception("progress callback failed")


def run_ffmpeg(args: Sequence[str], *, duration: float, pass_fds: Sequence[int] = (),
               progress: Callable[[float], None] | None = None, timeout: float = 600.0,
               started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> None:
    """Run ffmpeg with `args` (everything after the binary), reporting progress 0..99 as it goes.

    `started` is called with the process once it runs (the caller starts its frame writers then).
    Raises FfmpegFailed on a non-zero exit or when `timeout` seconds pass.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
           "-progress", "pipe:1", *args]
    meter = _Progress(duration, progress)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                                pass_fds=tuple(pass_fds))
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        began = time.monotonic()
        try:
            if started is not None:
                started(proc)
            assert proc.stdout is not None
            for raw in proc.stdout:
                meter.line(raw)
            code = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        errors.seek(0)
        detail = errors.read()[-4000:].decode("utf-8", "replace")
    elapsed = time.monotonic() - began
    if code != 0:
        if elapsed >= timeout:
            raise FfmpegFailed("the render took too long and was stopped", detail)
        raise FfmpegFailed(f"ffmpeg exited with code {code}", detail)
    log.debug("ffmpeg finished in %.1f s", elapsed)
