"""16-bit PCM WAV writing and reading (stdlib `wave` + numpy)."""

from __future__ import annotations

import logging
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)


def to_mono(samples: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """The channel average as float32 (column by column: numpy reduces a 2-wide axis slowly)."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        return x
    out = x[:, 0].copy()
    for c in range(1, x.shape[1]):
        out += x[:, c]
    if x.shape[1] > 1:
        out *= np.float32(1.0 / x.shape[1])
    return out


def to_pcm16(samples: npt.ArrayLike) -> bytes:
    """Float samples in -1..1 as little-endian int16 bytes (clipped, rounded)."""
    x = np.asarray(samples, dtype=np.float32)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2").tobytes()


def write_wav(path: str | Path, samples: npt.ArrayLike, sample_rate: int = 48000) -> Path:
    """Write float samples (shape (n,) or (n, channels), -1..1) as a 16-bit PCM WAV; returns the path."""
    path = Path(path)
    x = np.asarray(samples, dtype=np.float32)
    channels = 1 if x.ndim == 1 else int(x.shape[1])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(int(sample_rate))
        out.writeframes(to_pcm16(x))
    log.debug("wrote %s: %d frames, %d ch, %d Hz", path.name, len(x), channels, sample_rate)
    return path


def read_wav(path: str | Path) -> tuple[npt.NDArray[np.float32], int]:
    """A 16-bit PCM WAV as float32 (n, channels) and its sample rate."""
    with wave.open(str(Path(path)), "rb") as src:
        if src.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is supported")
        channels, rate = src.getnchannels(), src.getframerate()
        data = np.frombuffer(src.readframes(src.getnframes()), dtype="<i2")
    return (data.reshape(-1, channels).astype(np.float32) / 32768.0), rate
