"""The encoder's ffmpeg is a well-behaved child: its pipes are closed when it ends (the suite turns
an unclosed file into an error), and it dies with the worker that started it."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from studio.render.ffmpeg import FfmpegFailed, FfmpegStopped, run_ffmpeg

LONG_ENCODE = ["-re", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "600", "-f", "null", "-"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def test_a_finished_a_failed_and_a_stopped_encode_leave_no_pipe_open(tmp_path: Path) -> None:
    seen: list[float] = []
    short = ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.5", "-y", str(tmp_path / "a.wav")]
    run_ffmpeg(short, duration=0.5, progress=seen.append)
    assert (tmp_path / "a.wav").stat().st_size > 0
    with pytest.raises(FfmpegFailed):
        run_ffmpeg(["-i", str(tmp_path / "missing.wav"), "-f", "null", "-"], duration=1.0)
    began = time.monotonic()
    with pytest.raises(FfmpegStopped):
        run_ffmpeg(LONG_ENCODE, duration=600.0, should_stop=lambda: time.monotonic() - began > 0.3)
    gc.collect()  # an unclosed stdout would warn here, and the suite's filterwarnings make that fail


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_the_encoder_dies_with_the_worker_that_started_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "ffmpeg.pid"
    worker = textwrap.dedent(
        f"""
        from pathlib import Path
        from studio.render.ffmpeg import run_ffmpeg
        run_ffmpeg({LONG_ENCODE!r}, duration=600.0,
                   started=lambda proc: Path({str(pid_file)!r}).write_text(str(proc.pid)))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", worker], cwd=Path(__file__).resolve().parents[3])
    child = 0
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the worker never started its encoder"
            assert proc.poll() is None, "the worker died before starting its encoder"
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert _alive(child)
        proc.send_signal(signal.SIGKILL)  # the worker is killed: no finally, no cleanup runs
        proc.wait()
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "ffmpeg outlived the worker that started it"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if child and _alive(child):  # the failure case: do not leave an orphan encoding
            os.kill(child, signal.SIGKILL)
