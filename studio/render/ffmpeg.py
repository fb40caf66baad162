"""The one encoding ffmpeg run of a render, with progress read from `-progress pipe:1` (out_time
against the video's duration), a timeout, and a stop hook: a watcher kills ffmpeg as soon as
`should_stop()` answers True. Inputs are probed with `common.ffmpeg.probe`.

Every child the renderer starts (this encoder, clip decoders, the soundtrack's process) is started
with `CHILD_OPTIONS`: on Linux it asks the kernel (prctl PR_SET_PDEATHSIG) to SIGKILL the child when
the thread that started it dies, so a worker that crashes or is killed never leaves an ffmpeg
encoding on. The signal follows the *starting thread*: each child here is started and waited for
by the same thread (clip decoders live no longer than the frame thread that reads them)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from common.ffmpeg import MediaProbe, ffmpeg_exe, probe

__all__ = [
    "CHILD_OPTIONS",
    "FfmpegFailed",
    "FfmpegStopped",
    "MediaProbe",
    "child_options",
    "ffmpeg_exe",
    "probe",
    "run_ffmpeg",
]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _pdeathsig_preexec() -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child die with its parent (Linux only; None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def preexec() -> None:  # runs in the forked child, before exec: nothing that allocates much
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the prctl took hold
            os._exit(1)

    return preexec


def child_options() -> dict[str, Any]:
    """Keyword arguments for `subprocess.Popen` of a child that must not outlive the render."""
    preexec = _pdeathsig_preexec()
    return {"preexec_fn": preexec} if preexec is not None else {}


CHILD_OPTIONS: dict[str, Any] = child_options()


class FfmpegFailed(Exception):
    """ffmpeg exited with an error; `detail` holds the end of its log (for the operator's log only)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class FfmpegStopped(FfmpegFailed):
    """ffmpeg was killed because the render was cancelled or took too long."""

    def __init__(self, message: str, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


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


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration: float,
    pass_fds: Sequence[int] = (),
    progress: Callable[[float], None] | None = None,
    timeout: float = 600.0,
    started: Callable[[subprocess.Popen[bytes]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Run ffmpeg with `args` (everything after the binary), reporting progress 0..99 as it goes.

    `started` is called with the process once it runs (the caller starts its frame writers then).
    Raises FfmpegFailed on a non-zero exit, FfmpegStopped when `timeout` seconds pass or
    `should_stop()` turns True (ffmpeg is killed and waited for before this returns).
    """
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        *args,
    ]
    meter = _Progress(duration, progress)
    stop = {"why": ""}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            pass_fds=tuple(pass_fds),
            **CHILD_OPTIONS,
        )
        done = threading.Event()
        began = time.monotonic()

        def watch() -> None:
            while not done.wait(0.05):
                if time.monotonic() - began >= timeout:
                    stop["why"] = "timeout"
                elif should_stop is not None and should_stop():
                    stop["why"] = "cancelled"
                if stop["why"]:
                    proc.kill()
                    return

        watcher = threading.Thread(target=watch, daemon=True, name="ffmpeg-watch")
        watcher.start()
        try:
            if started is not None:
                started(proc)
            assert proc.stdout is not None
            for raw in proc.stdout:
                meter.line(raw)
            code = proc.wait()
        finally:
            done.set()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            watcher.join()
            if proc.stdout is not None:
                proc.stdout.close()
        errors.seek(0)
        detail = errors.read()[-4000:].decode("utf-8", "replace")
    elapsed = time.monotonic() - began
    if stop["why"]:
        raise FfmpegStopped(
            "the render took too long and was stopped"
            if stop["why"] == "timeout"
            else "the render was cancelled",
            stop["why"] == "timeout",
        )
    if code != 0:
        raise FfmpegFailed(f"ffmpeg exited with code {code}", detail)
    log.debug("ffmpeg finished in %.1f s", elapsed)
