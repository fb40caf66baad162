"""Quality measures for beds: short-loop detection (self-similarity of the body).

`loop_similarity` compares every 2-bar window of the body (intro and outro excluded) with the
windows `lag` beats later, for every lag from 1 beat up to (not including) 8 bars, and reports the
largest normalised cross-correlation found, in two views:

* `spectral` - Pearson correlation of log-mel spectrogram patches (64 bands x 10 ms frames, each
  band's mean over the body removed so the static timbre does not count). Hearing a loop means
  hearing the same notes and hits in the same places: this is the perceptual view. A literal
  repeat scores 1.0.
* `waveform` - Pearson correlation of the mono samples of the two windows, the best within +-3 ms
  of the nominal lag. A sample-exact copy (what tiling a loop produces) scores 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .analysis import onset_features
from .grid import BeatGrid


@dataclass(frozen=True)
class LoopSimilarity:
    spectral: float
    spectral_at: tuple[float, float]  # (window start s, lag s) of the spectral maximum
    waveform: float
    waveform_at: tuple[float, float]
    windows: int


def _pearson_rows(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1)) + 1e-12
    return np.asarray((a * b).sum(axis=1) / den)


def body_span(grid: BeatGrid) -> tuple[float, float]:
    starts = [a for name, a, _ in grid.sections if name not in ("intro", "outro")]
    ends = [b for name, _, b in grid.sections if name not in ("intro", "outro")]
    if not starts:
        return 0.0, grid.final_hit_s or grid.duration_s
    return min(starts), max(ends)


def loop_similarity(samples: npt.ArrayLike, sample_rate: int, grid: BeatGrid, *, window_bars: int = 2,
                    max_lag_bars: int = 8, span: tuple[float, float] | None = None) -> LoopSimilarity:
    x = np.asarray(samples, dtype=np.float32)
    mono = x.mean(axis=1) if x.ndim == 2 else x
    beat = 60.0 / grid.tempo_bpm
    start, end = span if span is not None else body_span(grid)
    win = window_bars * grid.beats_per_bar * beat
    feat = onset_features(mono, sample_rate)
    fr = feat.frame_rate
    mel = feat.logmel.astype(np.float64)
    a, b = int(start * fr), int(end * fr)
    mel = mel - mel[a:b].mean(axis=0)
    w_frames = round(win * fr)
    w_samples = round(win * sample_rate)
    best_s, at_s = -1.0, (0.0, 0.0)
    best_w, at_w = -1.0, (0.0, 0.0)
    windows = 0
    shift = int(0.003 * sample_rate)
    starts = np.arange(start, end - win - beat + 1e-6, beat)
    for lag_beats in range(1, max_lag_bars * grid.beats_per_bar):
        lag = lag_beats * beat
        t0s = starts[starts + lag + win <= end + 1e-6]
        if len(t0s) == 0:
            continue
        i0 = np.round(t0s * fr).astype(int)
        i1 = np.round((t0s + lag) * fr).astype(int)
        pa = np.stack([mel[i:i + w_frames].ravel() for i in i0])
        pb = np.stack([mel[i:i + w_frames].ravel() for i in i1])
        r = _pearson_rows(pa, pb)
        k = int(np.argmax(r))
        windows += len(r)
        if r[k] > best_s:
            best_s, at_s = float(r[k]), (float(t0s[k]), lag)
        s0 = np.round(t0s * sample_rate).astype(int)
        s1 = np.round((t0s + lag) * sample_rate).astype(int)
        wa = np.stack([mono[i:i + w_samples] for i in s0]).astype(np.float64)
        for d in range(-shift, shift + 1, max(1, shift // 6)):
            lo = np.clip(s1 + d, 0, len(mono) - w_samples)
            wb = np.stack([mono[i:i + w_samples] for i in lo]).astype(np.float64)
            rw = _pearson_rows(wa, wb)
            kw = int(np.argmax(rw))
            if rw[kw] > best_w:
                best_w, at_w = float(rw[kw]), (float(t0s[kw]), lag + d / sample_rate)
    return LoopSimilarity(best_s, at_s, best_w, at_w, windows)
