"""Mixing a bed under clip audio / voice-over: a speech-driven ducking gain, the sum and the master.

Order (what the renderer should do):  bed -> duck(bed, voice) -> + clip audio -> master -> encode.

`duck_gain` follows the voice's short-term level (10 ms frames, band-limited to the speech range):
where the voice is active the bed goes down by `depth_db` (6-12 dB keeps speech on top, as the
platform guides ask); the gain starts falling `attack_ms` *before* speech (the whole clip is known,
so the look-ahead is free), holds through short pauses between words (`hold_ms`) and comes back
over `release_ms`. Ramps are linear in dB, computed as running minima (vectorised).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import numpy.typing as npt

from .loudness import master
from .wav import to_mono

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.floating]


def _mono(x: FloatArray) -> npt.NDArray[np.float32]:
    a = np.asarray(x, dtype=np.float32)
    return to_mono(a)


def speech_activity(voice: FloatArray, sample_rate: int, *, frame_ms: float = 10.0,
                    threshold_db: float = -24.0, floor_dbfs: float = -50.0) -> npt.NDArray[np.bool_]:
    """Per frame: is the voice active? Level of the 200 Hz-4 kHz band (FFT-filtered) in 30 ms
    windows every `frame_ms`, active within `threshold_db` of the voice's loud level (95th
    percentile) and above `floor_dbfs`."""
    x = _mono(voice).astype(np.float64)
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=bool)
    size = 1 << int(n - 1).bit_length()
    spec = np.fft.rfft(x, size)
    f = np.fft.rfftfreq(size, 1.0 / sample_rate)
    spec[(f < 200.0) | (f > 4000.0)] = 0.0
    band = np.fft.irfft(spec, size)[:n]
    hop = max(1, int(sample_rate * frame_ms / 1000.0))
    win = 3 * hop
    cum = np.concatenate([[0.0], np.cumsum(band * band)])
    starts = np.arange(0, n, hop)
    stops = np.minimum(n, starts + win)
    power = (cum[stops] - cum[starts]) / np.maximum(1, stops - starts)
    level = 10.0 * np.log10(np.maximum(power, 1e-12))
    loud = float(np.percentile(level, 95))
    return (level > loud + threshold_db) & (level > floor_dbfs)


def duck_gain(voice: FloatArray, sample_rate: int, n: int | None = None, *, depth_db: float = 9.0,
              attack_ms: float = 60.0, hold_ms: float = 250.0, release_ms: float = 400.0,
              frame_ms: float = 10.0) -> npt.NDArray[np.float32]:
    """Per-sample linear gain for the bed under `voice` (same start; `n` samples, default the voice's)."""
    active = speech_activity(voice, sample_rate, frame_ms=frame_ms)
    total = len(_mono(voice)) if n is None else n
    if not np.any(active):
        return np.ones(total, dtype=np.float32)
    hold = max(0, int(round(hold_ms / frame_ms)))
    if hold:  # bridge pauses shorter than the hold
        idx = np.flatnonzero(active)
        gaps = np.diff(idx)
        for a, g in zip(idx[:-1], gaps, strict=True):
            if 1 < g <= hold:
                active[a:a + g] = True
    target = np.where(active, -abs(depth_db), 0.0)
    k = np.arange(len(target), dtype=np.float64)
    fall = abs(depth_db) / max(1.0, attack_ms / frame_ms)
    rise = abs(depth_db) / max(1.0, release_ms / frame_ms)
    released = np.minimum.accumulate(target - rise * k) + rise * k
    attacked = np.minimum.accumulate((target + fall * k)[::-1])[::-1] - fall * k
    gain_db = np.minimum(released, attacked)
    centres = (k + 0.5) * frame_ms / 1000.0
    t = np.arange(total, dtype=np.float64) / sample_rate
    return np.power(10.0, np.interp(t, centres, gain_db) / 20.0).astype(np.float32)


def mix(bed: FloatArray, clip_audio: FloatArray | None = None, *, sample_rate: int = 48000,
        bed_gain_db: float = 0.0, duck_db: float = 9.0, target_lufs: float = -14.0, ceiling_dbtp: float = -1.0,
        codec_margin_db: float = 1.0) -> npt.NDArray[np.float32]:
    """The final programme: bed (ducked under `clip_audio` if given) + clip audio, mastered.

    Both are (n, 2) float at `sample_rate`, aligned at 0 (pad/trim the clip audio to the bed). The
    clip audio is used as it is (normalise speech beforehand if needed, e.g. to about -16 LUFS so
    that it sits above a -16 LUFS bed ducked by 9 dB).
    """
    music = np.asarray(bed, dtype=np.float32) * np.float32(10.0 ** (bed_gain_db / 20.0))
    if clip_audio is not None:
        clip = np.asarray(clip_audio, dtype=np.float32)
        if clip.ndim == 1:
            clip = np.repeat(clip[:, None], 2, axis=1)
        clip = clip[: len(music)]
        if len(clip) < len(music):
            clip = np.concatenate([clip, np.zeros((len(music) - len(clip), 2), np.float32)])
        music = music * duck_gain(clip, sample_rate, len(music), depth_db=duck_db)[:, None] + clip
    out = master(music, target_lufs, ceiling_dbtp, sample_rate=sample_rate, codec_margin_db=codec_margin_db)
    log.debug("mix: %d samples, %s clip audio", len(out), "with" if clip_audio is not None else "no")
    return out


def level_difference_db(voice: FloatArray, bed: FloatArray, sample_rate: int) -> float:
    """How far the voice sits above the bed where the voice is active (dB, energy over active frames)."""
    active = speech_activity(voice, sample_rate)
    hop = int(sample_rate * 0.01)
    v, b = _mono(voice).astype(np.float64), _mono(bed).astype(np.float64)
    m = min(len(v), len(b), len(active) * hop)
    frames = np.repeat(active, hop)[:m]
    if not np.any(frames):
        return math.inf
    ev = float(np.mean(v[:m][frames] ** 2))
    eb = float(np.mean(b[:m][frames] ** 2)) + 1e-20
    return 10.0 * math.log10(ev / eb)
