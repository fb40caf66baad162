"""Synthesised instruments: drums, tuned percussion, keys, plucked strings, basses and sustained tones.

Every sound is a mono float32 array rendered once and kept in a byte-bounded LRU cache (`CACHE`),
keyed by everything that shapes it (kind, pitch, variant, sample rate). Cached arrays are read-only
and shared: the mixer only reads them. Randomness (noise) comes from generators seeded with a CRC of
the cache key, never from Python's salted `hash`, so renders are identical across processes.

Decaying instruments (piano, pluck, marimba, bass ...) are rendered to their natural length and cut
with a release ramp by the mixer. Sustained instruments (pads, strings, leads) are rendered as
seamless loops (`LOOP_S` long, every partial on a 1/LOOP_S Hz grid) in a dark and a bright version;
a note tiles the loop to its length, crossfades dark->bright for movement and applies its envelope.
"""

from __future__ import annotations

import logging
import math
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Mono = npt.NDArray[np.float32]
TWO_PI = 2.0 * math.pi
LOOP_S = 2.0  # sustained-tone loop length: partials are quantised to 0.5 Hz (< 3.5 cents above C3)


class SoundCache:
    """An LRU of read-only arrays bounded by total bytes."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self._items: OrderedDict[Hashable, Mono] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, build: Callable[[], npt.NDArray[np.floating]]) -> Mono:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
            self.hits += 1
            return item
        self.misses += 1
        arr = np.ascontiguousarray(build(), dtype=np.float32)
        arr.setflags(write=False)
        self._items[key] = arr
        self.used += arr.nbytes
        while self.used > self.budget and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self.used -= old.nbytes
        return arr

    def clear(self) -> None:
        self._items.clear()
        self.used = 0


CACHE = SoundCache(96 << 20)


def clear_cache() -> None:
    """Drop every cached sound (e.g. before a worker sleeps)."""
    CACHE.clear()


def hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _rng(*key: object) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _t(n: int, sr: int) -> npt.NDArray[np.float64]:
    return np.arange(n, dtype=np.float64) / sr


def _sin(freq: float, t: npt.NDArray[np.float64], phase: float = 0.0) -> Mono:
    return np.sin(np.mod(TWO_PI * freq * t + phase, TWO_PI).astype(np.float32))


def _exp_env(t: npt.NDArray[np.float64], decay: float) -> Mono:
    return np.exp((-t / decay).astype(np.float32))


def _attack(env: Mono, sr: int, seconds: float) -> Mono:
    a = min(len(env), max(1, int(seconds * sr)))
    env[:a] *= np.sin(0.5 * np.pi * np.arange(a, dtype=np.float32) / a)
    return env


def bandshape(x: npt.NDArray[np.floating], sr: int, lo: float | None = None, hi: float | None = None,
              order: int = 2) -> npt.NDArray[np.float64]:
    """Zero-phase Butterworth-magnitude band shaping in the frequency domain (for one-off renders)."""
    n = len(x)
    size = 1 << max(1, (n - 1).bit_length())
    spec = np.fft.rfft(x, size)
    f = np.fft.rfftfreq(size, 1.0 / sr)
    h = np.ones_like(f)
    if hi is not None:
        h /= np.sqrt(1.0 + (f / hi) ** (2 * order))
    if lo is not None:
        r = (f / lo) ** (2 * order)
        h *= np.sqrt(r / (1.0 + r))
    return np.fft.irfft(spec * h, size)[:n]


def _noise(n: int, *key: object) -> npt.NDArray[np.float64]:
    return _rng(*key).standard_normal(n)


def _norm(x: npt.NDArray[Any], peak: float = 1.0) -> npt.NDArray[Any]:
    m = float(np.max(np.abs(x))) if len(x) else 0.0
    return x * (peak / m) if m > 0 else x


# ---------------------------------------------------------------------------------------------- drums

@dataclass(frozen=True)
class _Kick:
    f_start: float
    f_end: float
    sweep: float
    decay: float
    click: float
    length: float
    drive: float
    lowpass: float | None = None


KICKS: dict[str, _Kick] = {
    "punch": _Kick(160.0, 52.0, 0.035, 0.22, 0.35, 0.45, 2.0),
    "soft": _Kick(110.0, 50.0, 0.045, 0.26, 0.08, 0.5, 1.3, 2500.0),
    "boom": _Kick(150.0, 44.0, 0.05, 0.55, 0.25, 1.1, 2.5),
    "edm": _Kick(180.0, 48.0, 0.04, 0.26, 1.0, 0.55, 2.4),
    "felt": _Kick(95.0, 58.0, 0.03, 0.14, 0.02, 0.35, 1.0, 900.0),
    "stomp": _Kick(120.0, 62.0, 0.03, 0.16, 0.25, 0.4, 1.6, 3000.0),
    "taiko": _Kick(115.0, 56.0, 0.08, 0.7, 0.5, 1.6, 1.8, 1800.0),
}


def _kick(sr: int, variant: str) -> npt.NDArray[np.floating]:
    p = KICKS[variant]
    n = int(p.length * sr)
    t = _t(n, sr)
    freq = p.f_end + (p.f_start - p.f_end) * np.exp(-t / p.sweep)
    body = np.sin(TWO_PI * np.cumsum(freq) / sr) * np.exp(-t / p.decay)
    click = np.diff(_noise(n + 1, "kick", variant)) * np.exp(-t / 0.0025) * p.click
    y = np.tanh(p.drive * (body + click)) / math.tanh(p.drive)
    if variant == "taiko":  # a skin slap and a low thump of noise
        y += 0.5 * bandshape(_noise(n, "taiko"), sr, 80.0, 700.0) * np.exp(-t / 0.06)
    if p.lowpass:
        y = bandshape(y, sr, None, p.lowpass)
    y *= np.minimum(1.0, t / 0.0008 + 0.05)  # 0.8 ms de-click at the start
    fade = min(n, int(0.02 * sr))
    y[n - fade:] *= np.linspace(1.0, 0.0, fade)
    return _norm(y)


def _snare(sr: int, variant: str, take: int) -> npt.NDArray[np.floating]:
    dark = variant == "lofi"
    n = int((0.45 if dark else 0.35) * sr)
    t = _t(n, sr)
    tone = 0.55 * np.sin(TWO_PI * 185.0 * t) * np.exp(-t / 0.05) + 0.3 * np.sin(TWO_PI * 330.0 * t) * np.exp(-t / 0.03)
    noise = bandshape(_noise(n, "snare", variant, take), sr, 350.0, 5000.0 if dark else 9000.0)
    noise = _norm(noise) * np.exp(-t / (0.16 if dark else 0.11))
    y = tone + 0.9 * noise
    y *= np.minimum(1.0, t / 0.0005)
    return _norm(np.tanh(1.5 * y))


def _clap(sr: int, take: int) -> npt.NDArray[np.floating]:
    n = int(0.35 * sr)
    t = _t(n, sr)
    noise = _norm(bandshape(_noise(n, "clap", take), sr, 900.0, 6500.0))
    env = np.zeros(n)
    for k, at in enumerate((0.0, 0.009, 0.019)):
        dt = np.maximum(0.0, t - at)
        env += (t >= at) * np.exp(-dt / 0.004) * (0.8 + 0.1 * k)
    dt = np.maximum(0.0, t - 0.026)
    env += (t >= 0.026) * np.exp(-dt / 0.09)
    return _norm(noise * env)


def _hat(sr: int, open_: bool, take: int) -> npt.NDArray[np.floating]:
    n = int((0.45 if open_ else 0.09) * sr)
    t = _t(n, sr)
    noise = _norm(bandshape(_noise(n, "hat", open_, take), sr, 6500.0, 15000.0, 3))
    metal = np.zeros(n)
    for k, f in enumerate((317.0, 454.0, 563.0, 702.0, 830.0)):  # 808-style detuned square waves
        metal += np.sign(np.sin(TWO_PI * f * t + k))
    metal = _norm(bandshape(metal, sr, 7000.0, None, 3))
    y = (0.75 * noise + 0.35 * metal) * np.exp(-t / (0.16 if open_ else 0.025))
    return _norm(y * np.minimum(1.0, t / 0.0004))


def _shaker(sr: int, take: int) -> npt.NDArray[np.floating]:
    n = int(0.12 * sr)
    t = _t(n, sr)
    noise = _norm(bandshape(_noise(n, "shaker", take), sr, 4500.0, 12000.0, 3))
    env = np.minimum(1.0, t / 0.01) * np.exp(-np.maximum(0.0, t - 0.01) / 0.035)
    return _norm(noise * env)


_METAL_RATIOS = (1.0, 1.483, 1.932, 2.546, 2.630, 3.897, 4.325, 5.167)


def _cymbal(sr: int, kind: str) -> npt.NDArray[np.floating]:
    ride = kind == "ride"
    n = int((1.6 if ride else 2.6) * sr)
    t = _t(n, sr)
    base = 455.0 if ride else 390.0
    rng = _rng("cymbal", kind)
    metal = np.zeros(n)
    for k, r in enumerate(_METAL_RATIOS):
        metal += np.sin(TWO_PI * base * r * t + rng.uniform(0, TWO_PI)) * np.exp(-t / (0.9 - 0.06 * k)) / (1 + 0.3 * k)
    noise = _norm(bandshape(_noise(n, "cymbal", kind), sr, 3500.0 if ride else 2500.0, 14000.0))
    if ride:
        y = 0.35 * _norm(metal) * np.exp(-t / 0.7) + 0.5 * noise * np.exp(-t / 0.35)
        y += 0.4 * noise * np.exp(-t / 0.008)  # the stick's ping
    else:
        y = 0.3 * _norm(metal) * np.exp(-t / 0.9) + 0.8 * noise * np.exp(-t / 0.8)
    y = bandshape(y, sr, 1500.0, None)
    return _norm(y * np.minimum(1.0, t / 0.0006))


def _brush(sr: int, swish: bool, take: int) -> npt.NDArray[np.floating]:
    n = int((0.35 if swish else 0.16) * sr)
    t = _t(n, sr)
    noise = _norm(bandshape(_noise(n, "brush", swish, take), sr, 1800.0, 9000.0))
    if swish:
        env = np.minimum(1.0, t / 0.07) ** 2 * np.exp(-np.maximum(0.0, t - 0.07) / 0.08)
    else:
        env = np.minimum(1.0, t / 0.0015) * np.exp(-t / 0.045)
    return _norm(noise * env)


def _tom(sr: int, midi: float) -> npt.NDArray[np.floating]:
    n = int(0.6 * sr)
    t = _t(n, sr)
    f = hz(midi)
    freq = f * (1.0 + 0.5 * np.exp(-t / 0.03))
    body = np.sin(TWO_PI * np.cumsum(freq) / sr) * np.exp(-t / 0.28)
    noise = bandshape(_noise(n, "tom", midi), sr, 200.0, 3000.0) * np.exp(-t / 0.03)
    return _norm(np.tanh(1.6 * (body + 0.25 * _norm(noise))) * np.minimum(1.0, t / 0.0008))


def _snap(sr: int, take: int) -> npt.NDArray[np.floating]:
    n = int(0.12 * sr)
    t = _t(n, sr)
    noise = _norm(bandshape(_noise(n, "snap", take), sr, 1400.0, 5000.0))
    y = noise * np.exp(-t / 0.012) + 0.4 * np.sin(TWO_PI * 2100.0 * t) * np.exp(-t / 0.01)
    return _norm(y)


def _woodblock(sr: int, high: bool) -> npt.NDArray[np.floating]:
    n = int(0.15 * sr)
    t = _t(n, sr)
    f = 1150.0 if high else 820.0
    y = np.sin(TWO_PI * f * t) * np.exp(-t / 0.035) + 0.4 * np.sin(TWO_PI * f * 2.41 * t) * np.exp(-t / 0.015)
    return _norm(y * np.minimum(1.0, t / 0.0004))


def _riser(sr: int, seconds: float) -> npt.NDArray[np.floating]:
    """Noise swelling and brightening over `seconds` (ends abruptly at the next downbeat)."""
    n = int(seconds * sr)
    t = _t(n, sr) / max(seconds, 1e-3)
    dark = _norm(bandshape(_noise(n, "riser", "lo", n), sr, 200.0, 1500.0))
    bright = _norm(bandshape(_noise(n, "riser", "hi", n), sr, 2500.0, 12000.0))
    y = (dark * (1.0 - t) + bright * t) * t ** 2.0
    return _norm(y)


def _impact(sr: int) -> npt.NDArray[np.floating]:
    n = int(3.0 * sr)
    t = _t(n, sr)
    freq = 38.0 + 90.0 * np.exp(-t / 0.08)
    boom = np.sin(TWO_PI * np.cumsum(freq) / sr) * np.exp(-t / 0.9)
    noise = _norm(bandshape(_noise(n, "impact"), sr, 60.0, 3000.0)) * np.exp(-t / 0.35)
    y = np.tanh(2.0 * (boom + 0.4 * noise)) * np.minimum(1.0, t / 0.001)
    return _norm(y)


def drum(kind: str, sr: int, take: int = 0) -> Mono:
    """A drum sound: kick:<variant>, snare:<variant>, clap, hat, openhat, shaker, ride, crash, brush,
    swish, tom:<midi>, snap, block:hi|lo, impact. `take` picks one of a few noise variants (round robin)."""
    base, _, arg = kind.partition(":")
    take = take % 4
    key = ("drum", kind, take if base in {"snare", "clap", "hat", "openhat", "shaker", "brush", "swish", "snap"}
           else 0, sr)

    def build() -> npt.NDArray[np.floating]:
        match base:
            case "kick":
                return _kick(sr, arg or "punch")
            case "snare":
                return _snare(sr, arg or "tight", take)
            case "clap":
                return _clap(sr, take)
            case "hat":
                return _hat(sr, False, take)
            case "openhat":
                return _hat(sr, True, take)
            case "shaker":
                return _shaker(sr, take)
            case "ride" | "crash":
                return _cymbal(sr, base)
            case "brush":
                return _brush(sr, False, take)
            case "swish":
                return _brush(sr, True, take)
            case "tom":
                return _tom(sr, float(arg or 50))
            case "snap":
                return _snap(sr, take)
            case "block":
                return _woodblock(sr, arg == "hi")
            case "impact":
                return _impact(sr)
        raise ValueError(f"unknown drum {kind!r}")

    return CACHE.get(key, build)


def riser(sr: int, seconds: float) -> Mono:
    return CACHE.get(("riser", round(seconds, 3), sr), lambda: _riser(sr, seconds))


# --------------------------------------------------------------------------------- tuned, decaying

def _burst(sr: int, n: int, seconds: float, lo: float, hi: float, decay: float, *key: object) -> Mono:
    """A short band-limited noise burst (an attack transient) padded with zeros to `n` samples."""
    m = min(n, int(seconds * sr))
    out = np.zeros(n, dtype=np.float32)
    t = _t(m, sr)
    out[:m] = _norm(bandshape(_noise(m, *key), sr, lo, hi)) * np.exp(-t / decay)
    return out


def _partials_sum(sr: int, n: int, f0: float, partials: Sequence[tuple[float, float, float]],
                  max_hz: float) -> Mono:
    """Sum of exponentially decaying sines (ratio, amplitude, decay seconds) at f0, skipping those above
    `max_hz`. Integer ratios share one phase ramp (k * theta in float32), others get their own."""
    t64 = _t(n, sr)
    t = t64.astype(np.float32)
    theta = np.mod(TWO_PI * f0 * t64, TWO_PI).astype(np.float32)
    out = np.zeros(n, dtype=np.float32)
    for k, (ratio, amp, decay) in enumerate(partials):
        f = f0 * ratio
        if f >= max_hz or amp == 0.0:
            continue
        m = min(n, int(8.0 * decay * sr) + 1)  # e^-8: a partial is gone after 8 time constants
        if float(ratio).is_integer():
            s = np.sin(theta[:m] * np.float32(ratio) + np.float32(0.7 * k))
        else:
            s = _sin(f, t64[:m], 0.7 * k)
        s *= np.exp(t[:m] * np.float32(-1.0 / decay))
        s *= np.float32(amp)
        out[:m] += s
    return out


def _piano(sr: int, midi: int, felt: bool) -> npt.NDArray[np.floating]:
    f0 = hz(midi)
    base_decay = float(np.interp(midi, [36, 60, 84, 100], [3.2, 1.9, 0.9, 0.45]))
    seconds = min(4.0, base_decay * 1.8 + 0.3)
    n = int(seconds * sr)
    count = 7 if felt else 12
    partials = []
    for k in range(1, count + 1):
        amp = (1.0 / k ** (1.25 if felt else 0.85)) * (0.55 + 0.45 * abs(math.sin(math.pi * k * 0.137)))
        decay = base_decay / (1.0 + (0.45 if felt else 0.28) * (k - 1))
        partials.append((float(k), amp, decay))
    tone = _partials_sum(sr, n, f0, partials, 9000.0 if felt else 15000.0)
    # a second string a little sharp beats against the first on the low partials
    tone += 0.5 * _partials_sum(sr, n, f0 * 1.0007, partials[:3], 9000.0)
    t = _t(n, sr).astype(np.float32)
    tone *= np.float32(0.65) * np.exp(t * np.float32(-1.0 / (0.35 * base_decay))) + np.float32(0.35)
    hammer = _burst(sr, n, 0.03, 400.0, 2500.0 if felt else 6000.0, 0.004, "hammer", midi)
    y = tone + np.float32(0.04 if felt else 0.12) * hammer
    _attack(y, sr, 0.006 if felt else 0.002)
    fade = int(0.05 * sr)
    y[n - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return _norm(y)


def _rhodes(sr: int, midi: int) -> npt.NDArray[np.floating]:
    """Electric piano: a 1:1 FM pair whose index decays (bright bark to mellow), plus a tine ping."""
    f0 = hz(midi)
    decay = float(np.interp(midi, [36, 60, 84], [3.0, 1.8, 0.9]))
    seconds = min(3.5, decay * 1.7 + 0.2)
    n = int(seconds * sr)
    t64 = _t(n, sr)
    t = t64.astype(np.float32)
    index = np.float32(1.6) * np.exp(t * np.float32(-1.0 / 0.25)) + np.float32(0.25)
    phase = np.mod(TWO_PI * f0 * t64, TWO_PI).astype(np.float32)
    y = np.sin(phase + index * np.sin(phase)) * np.exp(t * np.float32(-1.0 / decay))
    if f0 * 7 < 16000:
        y += np.float32(0.25) * np.sin(phase * np.float32(7.0)) * np.exp(t * np.float32(-1.0 / 0.03))
    y *= np.minimum(np.float32(1.0), t / np.float32(0.002))
    fade = int(0.05 * sr)
    y[n - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return _norm(y)


def _mallet(sr: int, midi: int, kind: str) -> npt.NDArray[np.floating]:
    f0 = hz(midi)
    if kind == "marimba":
        decay = float(np.interp(midi, [48, 72, 96], [0.9, 0.45, 0.2]))
        partials = [(1.0, 1.0, decay), (3.93, 0.25, decay * 0.18), (9.2, 0.06, 0.02)]
        seconds = decay * 3.0
    elif kind == "glock":
        partials = [(1.0, 1.0, 1.2), (2.76, 0.35, 0.35), (5.40, 0.2, 0.12), (8.93, 0.1, 0.05)]
        seconds = 2.6
    elif kind == "vibes":
        partials = [(1.0, 1.0, 2.0), (4.0, 0.22, 0.35), (10.0, 0.04, 0.05)]
        seconds = 3.0
    else:  # bell: a soft celesta-like tone
        partials = [(1.0, 1.0, 1.6), (2.0, 0.18, 0.6), (3.01, 0.12, 0.3), (4.17, 0.05, 0.15)]
        seconds = 2.4
    n = int(seconds * sr)
    t = _t(n, sr)
    y = _partials_sum(sr, n, f0, partials, 16000.0).astype(np.float64)
    if kind == "vibes":  # motor tremolo, 5.5 Hz
        y *= 1.0 - 0.25 * (1.0 - np.cos(TWO_PI * 5.5 * t)) / 2
    y = y + 0.08 * _burst(sr, n, 0.02, 800.0, 6000.0, 0.002, "mallet", kind, midi)
    y *= np.minimum(1.0, t / 0.0008)
    fade = int(0.05 * sr)
    y[n - fade:] *= np.linspace(1.0, 0.0, fade)
    return _norm(y)


def _pluck(sr: int, midi: int, kind: str) -> npt.NDArray[np.floating]:
    """Saw-like synth pluck whose upper partials die first (a closing filter)."""
    f0 = hz(midi)
    decay, count, tilt = {"pluck": (0.45, 18, 1.0), "pizz": (0.28, 10, 1.3), "keys": (1.2, 10, 1.5),
                          "synthbass": (0.7, 9, 1.3)}[kind]
    n = int(min(2.5, decay * 4.0) * sr)
    partials = [(float(k), 1.0 / k ** tilt, decay / (1.0 + 0.35 * (k - 1))) for k in range(1, count + 1)]
    y = _partials_sum(sr, n, f0, partials, 14000.0).astype(np.float64)
    t = _t(n, sr)
    if kind == "pizz":  # the finger's thump on the string
        y += 0.15 * _burst(sr, n, 0.04, 150.0, 1500.0, 0.006, "pizz", midi)
    # a soft-edged synth bass leaves the beat to the kick
    y *= np.minimum(1.0, t / (0.02 if kind == "synthbass" else 0.0015))
    fade = int(0.04 * sr)
    y[n - fade:] *= np.linspace(1.0, 0.0, fade)
    return _norm(y)


def _guitar(sr: int, midi: int, bright: float) -> npt.NDArray[np.floating]:
    """Karplus-Strong string, block-vectorised (each period depends only on the previous one),
    resampled afterwards to the exact pitch."""
    f0 = hz(midi)
    exact = sr / f0 - 0.5  # the two-point average adds half a sample of delay
    period = max(8, int(exact))
    seconds = float(np.interp(midi, [40, 64, 88], [3.0, 2.2, 1.2]))
    n = int(seconds * sr * period / exact) + period + 2
    excite = _noise(period, "ks", midi)
    excite = bandshape(np.tile(excite, 4), sr, 80.0, 2000.0 + 6000.0 * bright)[:period]
    excite -= excite.mean()
    y = np.zeros(n + period + 1)
    y[: period + 1] = np.concatenate([excite, excite[:1]])
    loss = 0.5 * (0.996 + 0.0035 * min(1.0, midi / 90.0))
    blocks = (n + period) // period
    for k in range(1, blocks):
        lo = k * period + 1
        hi = min(lo + period, len(y))
        y[lo:hi] = loss * (y[lo - period:hi - period] + y[lo - period - 1:hi - period - 1])
    y = y[: n]
    # resample: played `period + 0.5` samples per cycle, we want `exact + 0.5`
    ratio = (period + 0.5) / (exact + 0.5)
    out_n = int(seconds * sr)
    pos = np.arange(out_n) * ratio
    y = np.interp(pos, np.arange(len(y)), y)
    body = bandshape(y, sr, 90.0, 5000.0 + 4000.0 * bright)
    t = _t(out_n, sr)
    body *= np.minimum(1.0, t / 0.0015)
    fade = int(0.08 * sr)
    body[out_n - fade:] *= np.linspace(1.0, 0.0, fade)
    return _norm(body)


def _bass(sr: int, midi: int, kind: str) -> npt.NDArray[np.floating]:
    f0 = hz(midi)
    if kind == "upright":
        n = int(2.2 * sr)
        partials = [(1.0, 1.0, 1.1), (2.0, 0.55, 0.5), (3.0, 0.3, 0.25), (4.0, 0.15, 0.12), (5.0, 0.08, 0.08)]
        y = _partials_sum(sr, n, f0, partials, 8000.0).astype(np.float64)
        y += 0.25 * _burst(sr, n, 0.06, 100.0, 900.0, 0.01, "upright", midi)
    elif kind == "sub":
        n = int(2.5 * sr)
        partials = [(1.0, 1.0, 2.5), (2.0, 0.22, 0.8), (3.0, 0.06, 0.3)]
        y = _partials_sum(sr, n, f0, partials, 8000.0).astype(np.float64)
    elif kind == "synthbass":
        return _pluck(sr, midi, "synthbass")
    else:  # finger: electric bass, round
        n = int(2.5 * sr)
        partials = [(1.0, 1.0, 1.6), (2.0, 0.5, 0.7), (3.0, 0.3, 0.35), (4.0, 0.16, 0.2), (6.0, 0.06, 0.1)]
        y = _partials_sum(sr, n, f0, partials, 8000.0).astype(np.float64)
    t = _t(len(y), sr)
    y *= np.minimum(1.0, t / 0.003)
    fade = int(0.05 * sr)
    y[len(y) - fade:] *= np.linspace(1.0, 0.0, fade)
    return _norm(np.tanh(1.4 * _norm(y)))


TONED = {"piano", "felt", "rhodes", "marimba", "glock", "vibes", "bell", "pluck", "pizz", "keys", "guitar",
         "guitar_soft", "upright", "sub", "synthbass", "finger"}


def note(kind: str, midi: int, sr: int) -> Mono:
    """A decaying tuned note (full natural length; the mixer cuts it)."""
    key = ("note", kind, int(midi), sr)

    def build() -> npt.NDArray[np.floating]:
        match kind:
            case "piano":
                return _piano(sr, midi, False)
            case "felt":
                return _piano(sr, midi, True)
            case "rhodes":
                return _rhodes(sr, midi)
            case "marimba" | "glock" | "vibes" | "bell":
                return _mallet(sr, midi, kind)
            case "pluck" | "pizz" | "keys":
                return _pluck(sr, midi, kind)
            case "guitar":
                return _guitar(sr, midi, 0.7)
            case "guitar_soft":
                return _guitar(sr, midi, 0.25)
            case "upright" | "sub" | "synthbass" | "finger":
                return _bass(sr, midi, kind)
        raise ValueError(f"unknown instrument {kind!r}")

    return CACHE.get(key, build)


# ------------------------------------------------------------------------------------- sustained

@dataclass(frozen=True)
class _Sustain:
    detune_cents: tuple[float, ...]
    partials: int
    dark_tilt: float  # amplitude 1/k**tilt * exp(-k/rolloff)
    dark_rolloff: float
    bright_tilt: float
    bright_rolloff: float
    vibrato_hz: float = 0.0
    vibrato_depth: float = 0.0  # fraction of the frequency
    odd_only: bool = False


SUSTAINS: dict[str, _Sustain] = {
    "pad": _Sustain((-6.0, 0.0, 7.0), 10, 2.0, 3.0, 1.3, 7.0),
    "supersaw": _Sustain((-14.0, -5.0, 4.0, 13.0), 24, 1.0, 4.0, 1.0, 14.0),
    "strings": _Sustain((-7.0, 0.0, 8.0), 16, 1.2, 4.0, 1.0, 9.0, 5.0, 0.0025),
    "brass": _Sustain((-4.0, 4.0), 16, 1.4, 3.0, 0.9, 9.0, 4.667, 0.0015),
    "whistle": _Sustain((0.0,), 3, 3.0, 1.0, 2.5, 2.0, 5.333, 0.006),
    "organ": _Sustain((-3.0, 3.0), 6, 1.5, 2.0, 1.0, 4.0, 0.0, 0.0, True),
}


def _sustain_loops(sr: int, midi: int, kind: str) -> npt.NDArray[np.float32]:
    """Dark and bright loops built in the frequency domain: every partial of every (detuned) voice
    sits on an FFT bin of the LOOP_S-long loop, so one inverse FFT per version renders any number of
    partials and the loop is seamless; vibrato is a periodic time warp with a whole number of
    cycles per loop (shared by the voices; their detuning keeps the ensemble moving)."""
    spec = SUSTAINS[kind]
    n = int(round(LOOP_S * sr))
    bins = n // 2 + 1
    f0 = hz(midi)
    rng = _rng("sustain", kind, midi)
    max_bin = int(min(0.45 * sr, 14000.0) * LOOP_S)
    spectrum = np.zeros((2, bins), dtype=np.complex128)
    for cents in spec.detune_cents:
        base = max(1, int(round(f0 * 2.0 ** (cents / 1200.0) * LOOP_S)))
        ks = np.arange(1, spec.partials + 1)
        if spec.odd_only:
            ks = ks[(ks % 2 == 1) | (ks <= 2)]
        ks = ks[ks * base < min(max_bin, bins)]
        phases = np.exp(1j * rng.uniform(0.0, TWO_PI, len(ks))) * (n / 2)
        for row, (tilt, rolloff) in enumerate(((spec.dark_tilt, spec.dark_rolloff),
                                               (spec.bright_tilt, spec.bright_rolloff))):
            spectrum[row, ks * base] += np.exp(-ks / rolloff) / ks ** tilt * phases
    out = np.fft.irfft(spectrum, n, axis=1)
    if spec.vibrato_hz:
        cycles = max(1, round(spec.vibrato_hz * LOOP_S))
        t = np.arange(n, dtype=np.float64)
        w = TWO_PI * cycles / n
        pos = np.mod(t + (spec.vibrato_depth / w) * np.sin(w * t), n)
        i0 = pos.astype(np.int64)
        frac = pos - i0
        ext = np.concatenate([out, out[:, :1]], axis=1)
        out = ext[:, i0] * (1.0 - frac) + ext[:, i0 + 1] * frac
    scale = 1.0 / max(float(np.max(np.abs(out))), 1e-9)
    out[0] *= 1.3
    return (out * scale).astype(np.float32)


def sustain_loops(kind: str, midi: int, sr: int) -> npt.NDArray[np.float32]:
    """(2, n) seamless loops of a sustained tone: row 0 dark, row 1 bright."""
    return CACHE.get(("sustain", kind, int(midi), sr), lambda: _sustain_loops(sr, midi, kind))


def sustained(kind: str, midi: int, sr: int, seconds: float, *, attack: float, release: float,
              bright_from: float = 0.3, bright_to: float = 0.6, swell: float = 0.0,
              offset: int = 0) -> Mono:
    """A sustained note `seconds` long plus `release`: the dark/bright loops tiled, crossfaded
    linearly from `bright_from` to `bright_to`, attack/release ramps, an optional mid-note swell
    (0..1, raises the middle by that fraction). `offset` starts the loop elsewhere (less phasing
    between repeated notes)."""
    loops = sustain_loops(kind, midi, sr)
    hold = max(1, int(seconds * sr))
    rel = max(1, int(release * sr))
    n = hold + rel
    period = loops.shape[1]
    offset %= period
    reps = -(-(n + offset) // period)
    dark = np.tile(loops[0], reps)[offset:offset + n]
    bright = np.tile(loops[1], reps)[offset:offset + n]
    mix = np.linspace(bright_from, bright_to, n, dtype=np.float32)
    y = dark + (bright - dark) * mix
    env = np.ones(n, dtype=np.float32)
    a = min(hold, max(1, int(attack * sr)))
    env[:a] = np.sin(0.5 * np.pi * np.arange(a, dtype=np.float32) / a) ** 2
    env[hold:] = np.cos(0.5 * np.pi * np.arange(rel, dtype=np.float32) / rel) ** 2
    if swell:
        env *= (1.0 + swell * np.sin(np.pi * np.arange(n, dtype=np.float32) / n)).astype(np.float32)
    return (y * env).astype(np.float32)
