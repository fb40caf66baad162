"""Decode any audio/video file (Ogg/Opus voice notes, MP3, M4A, WAV, MP4) to mono float32 at a given rate.

Uses the ffmpeg binary of `imageio-ffmpeg` (never a system ffmpeg), falling back to PyAV (which
faster-whisper brings) when imageio-ffmpeg is absent.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import numpy as np

from .protocols import Samples

log = logging.getLogger(__name__)

MAX_SECONDS = 15 * 60


class DecodeError(RuntimeError):
    pass


def ffmpeg_exe() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def decode(path: Path, sample_rate: int = 16000, *, max_seconds: float = MAX_SECONDS) -> Samples:
    """Mono float32 samples in [-1, 1] at `sample_rate`, at most `max_seconds` long."""
    path = Path(path)
    if not path.is_file():
        raise DecodeError(f"{path}: no such file")
    exe = ffmpeg_exe()
    if exe is not None:
        cmd = [
            exe,
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-t",
            f"{max_seconds:.3f}",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(sample_rate),
            "-f",
            "f32le",
            "-acodec",
            "pcm_f32le",
            "pipe:1",
        ]
        proc = subprocess.run(cmd, capture_output=True, check=False)
        if proc.returncode != 0:
            raise DecodeError(
                f"{path.name}: ffmpeg could not decode it: {proc.stderr.decode(errors='replace')[-300:]}"
            )
        return np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)
    try:
        from faster_whisper.audio import decode_audio
    except ImportError as exc:
        raise DecodeError("no decoder: install imageio-ffmpeg (or faster-whisper for PyAV)") from exc
    try:
        samples = np.asarray(decode_audio(str(path), sampling_rate=sample_rate), dtype=np.float32)
    except Exception as exc:  # PyAV raises many types
        raise DecodeError(f"{path.name}: PyAV could not decode it: {exc}") from exc
    return samples[: int(max_seconds * sample_rate)]


def encode(src: Path, dst: Path, *, codec_args: tuple[str, ...] = ()) -> Path:
    """Convert with ffmpeg, format from dst's suffix (.ogg with ('-c:a', 'libopus')). Tests and tools."""
    exe = ffmpeg_exe()
    if exe is None:
        raise DecodeError("imageio-ffmpeg is not installed")
    cmd = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src), *codec_args, str(dst)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise DecodeError(f"ffmpeg failed: {proc.stderr.decode(errors='replace')[-300:]}")
    return Path(dst)


def resample(samples: Samples, src_rate: int, dst_rate: int) -> Samples:
    """Linear-interpolation resampling (good enough for analysis and ASR input, not for playback)."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32)
    n = round(len(samples) * dst_rate / src_rate)
    x = np.linspace(0.0, len(samples) - 1, n)
    return np.interp(x, np.arange(len(samples)), samples).astype(np.float32)
