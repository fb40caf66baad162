"""Quality measures for beds: short-loop detection (self-similarity of the body).

`loop_similarity` compares every 2-bar window of the body (intro and outro excluded) with the
window `lag` later, for every lag of a whole number of bars from 1 up to (not including) 8 bars,
and reports the largest normalised cross-correlation found, in two views (lags of a beat or two
are left out by default: steady grooves are self-similar at those, which is not a loop):

* `spectral` - normalised correlation (cosine) of log-mel spectrogram patches (64 bands x 10 ms
  frames, each band's mean over the body removed so the static timbre does not count). Hearing a loop means
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
from .wav import to_mono


@dataclass(frozen=True)
class LoopSimilarity:
    spectral: float
    spectral_at: tuple[float, float]  # (window start s, lag s) of the spectral maximum
    waveform: float
    waveform_at: tuple[float, float]
    windows: int


def _window_cosines(x: npt.NDArray[np.float64], lag: int, width: int, lo: int, hi: int
                    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Cosine similarity of x[t:t+width] and x[t+lag:t+lag+width] (rows flattened) for every start
    t in [lo, hi - lag - width], through running sums of per-row products: O(n) per lag."""
    starts = np.arange(lo, hi - lag - width + 1)
    if len(starts) == 0:
        return np.zeros(0), starts
    seg = x[lo:hi]
    prod = (seg[:-lag] * seg[lag:]).reshape(len(seg) - lag, -1).sum(axis=1)
    energy = (seg * seg).reshape(len(seg), -1).sum(axis=1)
    cp = np.concatenate([[0.0], np.cumsum(prod)])
    ce = np.concatenate([[0.0], np.cumsum(energy)])
    i = starts - lo
    num = cp[i + width] - cp[i]
    ea = ce[i + width] - ce[i]
    eb = ce[i + lag + width] - ce[i + lag]
    return num / (np.sqrt(ea * eb) + 1e-12), starts


def body_span(grid: BeatGrid) -> tuple[float, float]:
    starts = [a for name, a, _ in grid.sections if name not in ("intro", "outro")]
    ends = [b for name, _, b in grid.sections if name not in ("intro", "outro")]
    if not starts:
        return 0.0, grid.final_hit_s or grid.duration_s
    return min(starts), max(ends)


def loop_similarity(samples: npt.ArrayLike, sample_rate: int, grid: BeatGrid, *, window_bars: int = 2,
                    max_lag_bars: int = 8, lag_step_beats: int | None = None,
                    span: tuple[float, float] | None = None) -> LoopSimilarity:
    """The largest similarity between a `window_bars` window of the body and the window `lag`
    later, over every window start (10 ms steps / 1/6000 s steps) and every lag that is a multiple
    of `lag_step_beats` (default: one bar; +-20 ms for the spectral view, +-1 ms for the waveform
    view) below `max_lag_bars` bars."""
    x = np.asarray(samples, dtype=np.float32)
    mono = to_mono(x)
    beat = 60.0 / grid.tempo_bpm
    start, end = span if span is not None else body_span(grid)
    win = window_bars * grid.beats_per_bar * beat
    feat = onset_features(mono, sample_rate)
    fr = feat.frame_rate
    mel = feat.logmel.astype(np.float64)
    a, b = int(round(start * fr)), min(len(mel), int(round(end * fr)))
    mel = mel - mel[a:b].mean(axis=0)
    dec = 8
    n4 = len(mono) // dec
    low = mono[: n4 * dec].reshape(n4, dec).mean(axis=1).astype(np.float64)
    lsr = sample_rate / dec
    la, lb = int(round(start * lsr)), min(len(low), int(round(end * lsr)))
    best_s, at_s, best_w, at_w, windows = -1.0, (0.0, 0.0), -1.0, (0.0, 0.0), 0
    step = lag_step_beats or grid.beats_per_bar
    for lag_beats in range(step, max_lag_bars * grid.beats_per_bar, step):
        lag = lag_beats * beat
        for d in range(-2, 3):
            r, t = _window_cosines(mel, int(round(lag * fr)) + d, int(round(win * fr)), a, b)
            if len(r):
                windows += len(r)
                k = int(np.argmax(r))
                if r[k] > best_s:
                    best_s, at_s = float(r[k]), (t[k] / fr, (int(round(lag * fr)) + d) / fr)
        reach = int(round(0.001 * lsr))
        for d in range(-reach, reach + 1):
            r, t = _window_cosines(low, int(round(lag * lsr)) + d, int(round(win * lsr)), la, lb)
            if len(r):
                k = int(np.argmax(r))
                if r[k] > best_w:
                    best_w, at_w = float(r[k]), (t[k] / lsr, (int(round(lag * lsr)) + d) / lsr)
    return LoopSimilarity(best_s, at_s, best_w, at_w, windows)
