"""`videobot demo` (what `make demo` runs), as a real subprocess on a fresh data dir."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from common.ffmpeg import ffmpeg_exe, probe

pytestmark = pytest.mark.slow

FFMPEG = ffmpeg_exe()


def _frame(video: Path, t: float, size: tuple[int, int] = (320, 180)) -> np.ndarray:
    raw = subprocess.run(
        [FFMPEG, "-loglevel", "error", "-ss", str(t), "-i", str(video), "-frames:v", "1",
         "-vf", f"scale={size[0]}:{size[1]}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3).astype(np.float32)


# `make demo` asks for 30 s; the same conversation asking for 12 renders in under half the time
SECONDS = 12


def at(fraction: float) -> float:
    """A moment of the promo, as a fraction of its length."""
    return fraction * SECONDS


def test_demo_ends_with_a_1080p_promo_of_the_asked_length_whose_frames_move(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "NEMO_API_URL", "NEMO_TOKEN"}}
    env["VIDEOBOT_DATA_DIR"] = str(tmp_path / "data")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--out", str(out), "--seconds", str(SECONDS)],
        capture_output=True, text=True, env=env, timeout=240, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    videos = list(out.glob("*.mp4"))
    assert len(videos) == 1
    video = videos[0]
    assert str(video) in done.stdout.replace("\n", "") or video.name in done.stdout
    assert "1920x1080" in done.stdout and f"{SECONDS:.1f} s" in done.stdout
    # the closing lines: where the video is and what to try next; no link that dies with the demo
    assert "open it with any player" in done.stdout and "Next: run videobot chat" in done.stdout
    assert "127.0.0.1" not in done.stdout and "unix://" not in done.stdout
    assert "backend: the built-in studio" in done.stdout

    info = probe(video)
    assert info.video_codec == "h264" and (info.width, info.height) == (1920, 1080), info
    assert info.audio_codec == "aac"
    assert info.duration is not None and abs(info.duration - SECONDS) < 0.1
    # what the probe does not model: the profile, the pixel format and the frame rate
    stderr = subprocess.run([FFMPEG, "-hide_banner", "-i", str(video)], capture_output=True, text=True).stderr
    assert re.search(r"Video: h264 \(High\).*yuv420p.*1920x1080.*30 fps", stderr), stderr

    frames = [_frame(video, at(f)) for f in (0.5 / 30, 2 / 30, 9 / 30, 18 / 30, 27 / 30)]  # 2 in shot 1
    for f in frames:
        assert f.std() > 10, "a frame is blank"
    # the photos move: consecutive samples differ, including two moments inside the first shot
    for a, b in itertools.pairwise(frames):
        assert np.abs(a - b).mean() > 1.0
    # the user's photos are on screen: the pink, blue and yellow bottles each appear (the renderer
    # lays them out as it sees fit: alone, side by side or beside a text panel)
    shots = np.stack([_frame(video, t).astype(int) for t in np.linspace(0.5, SECONDS - 0.5, 12)])
    for colour in ((244, 114, 182), (56, 189, 248), (250, 204, 21)):
        share = (np.abs(shots - colour).max(axis=-1) < 40).mean(axis=(1, 2))
        assert share.max() > 0.03, colour
