"""What a viewer would notice, measured on a rendered MP4: cuts, beats, loudness, text, filler.

- cuts: frames whose difference from the previous frame is a sharp peak (several times the
  typical difference around it) on a small grey version of the video;
- beats: the MP4's audio decoded and beat-tracked (`studio.render.beds.analyse`, an onset-envelope
  tracker that knows nothing of the plan);
- loudness: ffmpeg's `ebur128` filter with true peak, on the MP4 itself.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from common.ffmpeg import ffmpeg_exe
from studio.render import beds
from tests.fixtures_render import read_frames

FPS = 30


def small_gray(path: Path, width: int, height: int, w: int = 96) -> np.ndarray:
    h = round(height * w / width) // 2 * 2
    return read_frames(path, width, height, gray=True, scale=(w, h)).astype(np.float32)


def cut_frames(frames: np.ndarray) -> list[int]:
    """Frames that start a new picture: the mean absolute difference from the previous frame is
    a peak at least 4x the median difference of the half second around it, and large."""
    diff = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))
    cuts: list[int] = []
    for i, d in enumerate(diff):
        lo, hi = max(0, i - 8), min(len(diff), i + 9)
        around = np.concatenate([diff[lo:i], diff[i + 1 : hi]])
        base = float(np.median(around)) if len(around) else 0.0
        if d > 6.0 and d > 4.0 * max(base, 0.5) and d >= diff[max(0, i - 1) : i + 2].max():
            cuts.append(i + 1)
    return cuts


def audio_of(path: Path, rate: int = 48000) -> np.ndarray:
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(done.stdout, np.float32).reshape(-1, 2)


def tracked_beats(path: Path) -> list[float]:
    return list(beds.analyse(audio_of(path), 48000).beats)


def on_beat_share(cuts: list[int], beats: list[float], tolerance: float = 0.080) -> float:
    if not cuts:
        return 0.0
    b = np.array(beats)
    near = [float(np.min(np.abs(b - c / FPS))) <= tolerance for c in cuts]
    return sum(near) / len(near)


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's ebur128 filter."""
    done = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-map",
            "0:a",
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    log = done.stderr.decode("utf-8", "replace")
    summary = log[log.rindex("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return lufs, peak


def video_info(path: Path) -> str:
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, check=False)
    return done.stderr.decode("utf-8", "replace")


def duration_of(path: Path) -> float:
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", video_info(path)).groups()  # type: ignore[union-attr]
    return int(h) * 3600 + int(m) * 60 + float(s)


def frames_at(path: Path, indices: list[int], width: int, height: int) -> dict[int, np.ndarray]:
    """Only the frames at `indices` (RGB, full size), decoded in one pass."""
    wanted = sorted(set(indices))
    expr = "+".join(f"eq(n\\,{i})" for i in wanted)
    done = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-vf",
            f"select={expr}",
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    data = np.frombuffer(done.stdout, np.uint8).reshape(-1, height, width, 3)
    return dict(zip(wanted, data, strict=False))
