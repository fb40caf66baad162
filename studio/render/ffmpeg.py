"""The one ffmpeg run of a render, with progress read from `-progress pipe:1` (out_time against the
video's duration). Inputs are probed with `common.ffmpeg.probe`."""

from __future__ import annotations

import logging
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence

from common.ffmpeg import MediaProbe, ffmpeg_exe, probe

__all__ = ["FfmpegFailed", "MediaProbe", "ffmpeg_exe", "probe", "run_ffmpeg"]

log = logging.getLogger(__name__)

class FfmpegFailed(Exception):
    """ffmpeg exited with an error; `detail` holds the end of its log (for the operator's log only)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


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
