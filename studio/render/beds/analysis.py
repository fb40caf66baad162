"""Beat tracking for arbitrary audio (numpy): tempo, beats and downbeats.

Pipeline (after Ellis 2007, "Beat tracking by dynamic programming", the algorithm behind librosa's
`beat_track`; re-implemented here):

1. Onset strength: log-mel spectrogram (64 bands, 46 ms window, 10 ms hop), spectral flux - the
   positive difference to the previous frame, the previous frame max-filtered across 3 bands to
   ignore vibrato ("superflux") - averaged over bands, plus `LOW_WEIGHT` times the average of the
   bands under 200 Hz (kick and bass mark the beat; off-beat hats and stabs should not win).
2. Tempo: autocorrelation of the onset envelope, weighted by a log-normal prior on the tempo
   (centre `PRIOR_BPM`, one octave wide), the peak refined by parabolic interpolation.
3. Beats: dynamic programming over frames: each frame's score is its Gaussian-smoothed onset
   strength plus the best predecessor's cumulative score, penalised by
   `tightness * log(interval / period)^2`; backtracking from the last strong frame.
4. Metrical level: the tracker is also run at half and double the period; a slow estimate
   (< 100 bpm) is doubled when its off-beats are nearly as strong as its beats (it was skipping
   real beats), a fast one (> 150 bpm) halved when every other beat is weak (it counted eighths).
5. Beats are extended by one period at either end while the envelope has a clear peak there (the
   first beat at 0 s, a final hit), then refined to the nearest onset-envelope peak (parabolic, within +-20 ms) and
   corrected for the envelope's latency (`LATENCY_S`, measured on generated beds).
6. Downbeats: for each phase of the bar, beats are scored by low-band onset strength (kick, bass),
   overall accent and the chroma change between the beat intervals around them (chord changes); the best phase
   (and 4 or 3 beats a bar, 4 unless 3 is clearly better) wins; a small bonus for the phase that
   puts the first beat on a downbeat breaks near-ties (most music starts on one).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .grid import BeatGrid
from .wav import to_mono

log = logging.getLogger(__name__)

FRAME_RATE = 100.0  # onset envelope frames per second
N_MELS = 64
PRIOR_BPM = 95.0
PRIOR_OCTAVES = 1.0
MIN_BPM, MAX_BPM = 50.0, 210.0
TIGHTNESS = 120.0
LOW_WEIGHT = 0.0  # extra weight of the flux under 200 Hz; 0: syncopated boom-bap kicks mislead it
FIRST_BEAT_BONUS = 0.25  # added to the phase that makes the first beat a downbeat
FASTER_IF = 0.8  # half the period when the off-beats are this strong relative to the beats
SLOWER_IF = 0.4  # double it when every other beat is this weak
LATENCY_S = 0.0  # calibrated offset added to refined beat times (see REPORT.md)


@dataclass(frozen=True)
class OnsetFeatures:
    envelope: npt.NDArray[np.float64]  # onset strength per frame
    low: npt.NDArray[np.float64]  # onset strength of the bands under ~200 Hz
    logmel: npt.NDArray[np.float32]  # (frames, bands)
    chroma: npt.NDArray[np.float32]  # (frames, 12) pitch-class energy, 250 Hz - 5 kHz
    frame_rate: float


def _mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> npt.NDArray[np.float32]:
    def mel(f: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)

    def inv(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = inv(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    fb = np.zeros((len(freqs), n_mels), dtype=np.float32)
    for m in range(n_mels):
        lo, c, hi = edges[m], edges[m + 1], edges[m + 2]
        up = (freqs - lo) / max(c - lo, 1e-9)
        down = (hi - freqs) / max(hi - c, 1e-9)
        fb[:, m] = np.maximum(0.0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return fb


def onset_features(samples: npt.ArrayLike, sample_rate: int) -> OnsetFeatures:
    x = np.asarray(samples, dtype=np.float32)
    mono = to_mono(x)
    sr = int(sample_rate)
    hop = sr / FRAME_RATE
    n_fft = 1 << int(round(math.log2(0.046 * sr)))
    pad = n_fft // 2
    padded = np.concatenate([np.zeros(pad, np.float32), mono, np.zeros(pad + n_fft, np.float32)])
    frames = int(len(mono) / hop) + 1
    starts = np.round(np.arange(frames) * hop).astype(np.int64)
    window = np.hanning(n_fft).astype(np.float32)
    fb = _mel_filterbank(sr, n_fft, N_MELS, 30.0, min(11000.0, sr / 2 - 100.0))
    cm = _chroma_map(sr, n_fft)
    logmel = np.empty((frames, N_MELS), dtype=np.float32)
    chroma = np.empty((frames, 12), dtype=np.float32)
    view = np.lib.stride_tricks.sliding_window_view(padded, n_fft)
    for a in range(0, frames, 1024):
        idx = starts[a:a + 1024]
        spec = (np.abs(np.fft.rfft(view[idx] * window, axis=1)) ** 2).astype(np.float32)
        logmel[a:a + len(idx)] = 10.0 * np.log10(np.maximum(spec @ fb, 1e-10))
        chroma[a:a + len(idx)] = np.sqrt(spec @ cm)
    top = float(logmel.max()) if logmel.size else 0.0
    np.maximum(logmel, top - 80.0, out=logmel)
    ref = np.maximum(np.maximum(logmel, np.roll(logmel, 1, axis=1)), np.roll(logmel, -1, axis=1))
    flux = np.zeros_like(logmel)
    flux[1:] = np.maximum(0.0, logmel[1:] - ref[:-1])
    if len(flux) > 2:  # the first frame against silence, capped so a cold start is not a huge spike
        first = np.maximum(0.0, logmel[0] - (top - 80.0))
        flux[0] = np.minimum(first, np.percentile(flux[1:], 99.5, axis=0))
    low_bands = int(np.searchsorted(_band_centres(sr, n_fft), 200.0))
    low = flux[:, : max(1, low_bands)].mean(axis=1).astype(np.float64)
    env = flux.mean(axis=1).astype(np.float64) + LOW_WEIGHT * low
    return OnsetFeatures(env, low, logmel, chroma, FRAME_RATE)


def _chroma_map(sr: int, n_fft: int) -> npt.NDArray[np.float32]:
    """(bins, 12): each FFT bin from 250 Hz to 5 kHz to its pitch class (triangular, one semitone wide)."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    out = np.zeros((len(freqs), 12), dtype=np.float32)
    use = (freqs >= 250.0) & (freqs <= 5000.0)
    midi = 69.0 + 12.0 * np.log2(np.maximum(freqs[use], 1.0) / 440.0)
    rows = np.flatnonzero(use)
    for pc in range(12):
        d = np.abs(((midi - pc + 6.0) % 12.0) - 6.0)
        out[rows, pc] = np.maximum(0.0, 1.0 - d)
    return out


def _band_centres(sr: int, n_fft: int) -> npt.NDArray[np.float64]:
    fb = _mel_filterbank(sr, n_fft, N_MELS, 30.0, min(11000.0, sr / 2 - 100.0))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    return np.asarray((freqs[:, None] * fb).sum(axis=0) / np.maximum(fb.sum(axis=0), 1e-9))


def _autocorrelation(env: npt.NDArray[np.float64], max_lag: int) -> npt.NDArray[np.float64]:
    x = env - env.mean()
    size = 1 << int(len(x) + max_lag).bit_length()
    spec = np.fft.rfft(x, size)
    ac = np.fft.irfft(spec * np.conj(spec), size)[: max_lag + 1]
    ac /= np.maximum(len(x) - np.arange(max_lag + 1), 1)  # unbiased
    return ac / (ac[0] if ac[0] > 0 else 1.0)


def estimate_period(env: npt.NDArray[np.float64], frame_rate: float) -> float:
    """Beat period in frames: prior-weighted autocorrelation peak, parabolically refined."""
    max_lag = int(frame_rate * 60.0 / MIN_BPM) + 2
    ac = _autocorrelation(env, max_lag)
    lags = np.arange(len(ac), dtype=np.float64)
    with np.errstate(divide="ignore"):
        bpm = 60.0 * frame_rate / np.maximum(lags, 1e-9)
    prior = np.exp(-0.5 * (np.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    valid = (bpm >= MIN_BPM) & (bpm <= MAX_BPM)
    score = np.where(valid, np.maximum(ac, 0.0) * prior, -np.inf)
    k = int(np.argmax(score))
    if 1 <= k < len(ac) - 1:
        a, b, c = ac[k - 1], ac[k], ac[k + 1]
        denom = a - 2 * b + c
        if denom < 0:
            return float(k + 0.5 * (a - c) / denom)
    return float(max(k, 1))


def track(env: npt.NDArray[np.float64], period: float, tightness: float = TIGHTNESS) -> npt.NDArray[np.int64]:
    """Beat frames by dynamic programming for a given period (frames)."""
    n = len(env)
    if n == 0 or period <= 1:
        return np.zeros(0, dtype=np.int64)
    std = float(env.std()) or 1.0
    norm = env / std
    half = int(round(period))
    k = np.arange(-half, half + 1, dtype=np.float64)
    local = np.convolve(norm, np.exp(-0.5 * (k * 32.0 / period) ** 2), mode="same")
    lo, hi = int(round(period / 2)), int(round(2 * period))
    offsets = np.arange(lo, hi + 1)
    penalty = -tightness * np.log(offsets / period) ** 2
    cum = np.zeros(n)
    back = np.full(n, -1, dtype=np.int64)
    started = False
    threshold = 0.01 * float(local.max())
    for i in range(n):
        first = i - offsets
        ok = first >= 0
        best_score, best_j = 0.0, -1
        if ok.any():
            cand = cum[first[ok]] + penalty[ok]
            m = int(np.argmax(cand))
            best_score, best_j = float(cand[m]), int(first[ok][m])
        if not started and local[i] < threshold:
            cum[i] = local[i]
            continue
        started = True
        if best_j >= 0 and best_score > 0:
            cum[i] = local[i] + best_score
            back[i] = best_j
        else:
            cum[i] = local[i]
    # last beat: the last local maximum of the cumulative score above half the median peak
    peaks = np.flatnonzero((cum[1:-1] > cum[:-2]) & (cum[1:-1] >= cum[2:])) + 1
    if len(peaks) == 0:
        return np.zeros(0, dtype=np.int64)
    good = peaks[cum[peaks] > 0.5 * np.median(cum[peaks])]
    i = int(good[-1]) if len(good) else int(peaks[-1])
    beats = [i]
    while back[beats[-1]] >= 0:
        beats.append(int(back[beats[-1]]))
    out = np.asarray(beats[::-1], dtype=np.int64)
    # trim weak beats at both ends (fade-ins, ring-outs)
    strength = local[out]
    cut = 0.5 * math.sqrt(float(np.mean(strength ** 2)))
    keep = np.flatnonzero(strength >= cut)
    if len(keep):
        out = out[keep[0]: keep[-1] + 1]
    return out


def _extend(env: npt.NDArray[np.float64], beats: npt.NDArray[np.int64], period: float) -> npt.NDArray[np.int64]:
    """Add beats one period before the first / after the last one while the envelope has a clear
    peak there (the DP's smoothing and trimming lose the first beat at 0 and a final hit)."""
    if len(beats) < 4:
        return beats
    typical = float(np.median([env[max(0, b - 2): b + 3].max() for b in beats]))
    out = [int(b) for b in beats]
    reach = max(2, int(round(period * 0.08)))
    for direction in (-1, 1):
        while True:
            guess = int(round((out[0] if direction < 0 else out[-1]) + direction * period))
            lo, hi = max(0, guess - reach), min(len(env) - 1, guess + reach)
            if hi < lo or (direction < 0 and guess < -reach) or (direction > 0 and guess > len(env) + reach):
                break
            i = lo + int(np.argmax(env[lo:hi + 1]))
            if env[i] < 0.3 * typical:
                break
            if direction < 0:
                out.insert(0, i)
            else:
                out.append(i)
    return np.asarray(out, dtype=np.int64)


def _contrast(env: npt.NDArray[np.float64], beats: npt.NDArray[np.int64]) -> float:
    """Mean onset strength half-way between beats / mean strength on the beats (both max over +-2 frames)."""
    if len(beats) < 3:
        return 0.0
    mids = ((beats[:-1] + beats[1:]) // 2).astype(np.int64)

    def strength(idx: npt.NDArray[np.int64]) -> float:
        vals = [env[max(0, i - 2): i + 3].max() for i in idx]
        return float(np.mean(vals))
    on = strength(beats)
    return strength(mids) / on if on > 0 else 0.0


def _refine(env: npt.NDArray[np.float64], beats: npt.NDArray[np.int64], frame_rate: float) -> npt.NDArray[np.float64]:
    out = np.empty(len(beats))
    reach = 2
    for k, b in enumerate(beats):
        lo, hi = max(1, b - reach), min(len(env) - 2, b + reach)
        if hi < lo:
            out[k] = b
            continue
        i = lo + int(np.argmax(env[lo:hi + 1]))
        a, c, d = env[i - 1], env[i], env[i + 1]
        denom = a - 2 * c + d
        shift = 0.5 * (a - d) / denom if denom < 0 else 0.0
        out[k] = i + float(np.clip(shift, -0.5, 0.5))
    return out / frame_rate + LATENCY_S


def _downbeat_phase(feat: OnsetFeatures, beat_frames: npt.NDArray[np.int64], per_bar: int) -> tuple[int, float]:
    """(phase, contrast) of the bar start among the beats for `per_bar` beats a bar."""
    if len(beat_frames) < 2 * per_bar:
        return 0, 0.0
    low = np.array([feat.low[max(0, b - 2): b + 3].max() for b in beat_frames])
    chroma = feat.chroma.astype(np.float64)
    cum = np.concatenate([np.zeros((1, 12)), np.cumsum(chroma, axis=0)])
    span = 2  # beats of harmony compared on either side of each beat
    change = np.zeros(len(beat_frames))
    for i in range(span, len(beat_frames) - span - 1):
        a, m, b = beat_frames[i - span], beat_frames[i], beat_frames[i + span]
        skip = m + (beat_frames[i + 1] - m) // 2  # the previous chord rings on into the first half beat
        before = (cum[m] - cum[a]) / max(1, m - a)
        after = (cum[b + (skip - m)] - cum[skip]) / max(1, b - m)
        change[i] = 1.0 - float(before @ after) / (float(np.linalg.norm(before) * np.linalg.norm(after)) + 1e-9)

    def z(v: npt.NDArray[np.float64], floor: float) -> npt.NDArray[np.float64]:
        """Robust z-score, clipped: a few huge values (the first notes after silence) must not decide;
        the spread has a floor so that a feature without information (no chord changes in a click
        track) is not blown up into noise."""
        med = float(np.median(v))
        mad = max(float(np.median(np.abs(v - med))) * 1.4826, floor)
        return np.clip((v - med) / mad, -3.0, 3.0)
    accent = np.array([feat.envelope[max(0, b - 2): b + 3].max() for b in beat_frames])
    score = z(np.log1p(low), 0.1) + 1.5 * z(change, 0.02) + 0.5 * z(np.log(accent + 1e-3), 0.1)
    phases = np.array([score[p::per_bar].mean() for p in range(per_bar)])
    phases[0] += FIRST_BEAT_BONUS  # music usually starts on a downbeat: the tie-breaker
    best = int(np.argmax(phases))
    return best, float(phases[best] - np.mean(np.delete(phases, best)))


def analyse(samples: npt.ArrayLike, sample_rate: int, *, beats_per_bar: int | None = None) -> BeatGrid:
    """Tempo, beats and downbeats of any audio ((n,) or (n, channels) float, any sample rate).

    `beats_per_bar` None estimates 4 or 3 (4 unless 3 is clearly better). Audio with no clear
    pulse gives few or no beats; the tempo is then the autocorrelation estimate.
    """
    x = np.asarray(samples, dtype=np.float32)
    duration = len(x) / float(sample_rate)
    feat = onset_features(x, sample_rate)
    env = feat.envelope
    if len(env) < 50 or not np.any(env > 0):
        return BeatGrid(120.0, [], [], beats_per_bar or 4, [("track", 0.0, duration)], duration)
    period = estimate_period(env, feat.frame_rate)
    candidates = {}
    for factor in (0.5, 1.0, 2.0):
        p = period * factor
        bpm = 60.0 * feat.frame_rate / p
        if MIN_BPM * 0.9 <= bpm <= MAX_BPM * 1.1:
            beats = track(env, p)
            candidates[factor] = (p, beats, _contrast(env, beats))
    chosen = 1.0
    bpm = 60.0 * feat.frame_rate / period
    # faster when the off-beats are as strong as the beats (the slower level skipped real beats);
    # slower only from a fast estimate whose every other beat is weak (it is counting eighths).
    if 0.5 in candidates and bpm < 100.0 and candidates[1.0][2] > FASTER_IF:
        chosen = 0.5
    elif 2.0 in candidates and bpm > 150.0 and candidates[2.0][2] < SLOWER_IF:
        chosen = 2.0
    period, beat_frames, _ = candidates[chosen]
    beat_frames = _extend(env, beat_frames, period)
    log.debug("tempo candidates %s -> x%.1f", {f: (round(60 * feat.frame_rate / c[0], 1), round(c[2], 2))
                                                 for f, c in candidates.items()}, chosen)
    times = _refine(env, beat_frames, feat.frame_rate)
    keep = (times >= 0) & (times <= duration)
    times, beat_frames = times[keep], beat_frames[keep]
    if len(times) >= 2:
        idx = np.arange(len(times))
        slope = float(np.polyfit(idx, times, 1)[0])
        tempo = 60.0 / slope if slope > 0 else 60.0 * feat.frame_rate / period
    else:
        tempo = 60.0 * feat.frame_rate / period
    if beats_per_bar is None:
        p4, c4 = _downbeat_phase(feat, beat_frames, 4)
        p3, c3 = _downbeat_phase(feat, beat_frames, 3)
        per_bar, phase = (3, p3) if c3 > 1.5 * c4 and c3 > 0.5 else (4, p4)
    else:
        per_bar = beats_per_bar
        phase, _ = _downbeat_phase(feat, beat_frames, per_bar)
    downbeats = [float(b) for b in times[phase::per_bar]]
    return BeatGrid(tempo_bpm=float(tempo), beats=[float(b) for b in times], downbeats=downbeats,
                    beats_per_bar=per_bar, sections=[("track", 0.0, duration)], duration_s=duration)


def f_measure(reference: list[float] | npt.ArrayLike, estimated: list[float] | npt.ArrayLike,
              tolerance: float = 0.07) -> float:
    """Beat F-measure: one-to-one matches within `tolerance` seconds (greedy, as mir_eval's beat F)."""
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    est = np.sort(np.asarray(estimated, dtype=np.float64))
    if len(ref) == 0 or len(est) == 0:
        return 0.0
    used = np.zeros(len(est), dtype=bool)
    hits = 0
    for r in ref:
        i = int(np.searchsorted(est, r))
        best, best_d = -1, tolerance + 1e-12
        for j in (i - 1, i, i + 1):
            if 0 <= j < len(est) and not used[j] and abs(est[j] - r) <= best_d:
                best, best_d = j, abs(est[j] - r)
        if best >= 0:
            used[best] = True
            hits += 1
    precision, recall = hits / len(est), hits / len(ref)
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
