"""Buses, balancing, send effects (convolution reverb, ping-pong echo), side-chain pump and the
bed's final bus processing. Buses are (2, n) float32 arrays; sounds are added by slices."""

from __future__ import annotations

import logging
import math
import zlib
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

from .instruments import Mono, bandshape
from .loudness import _fast_len

log = logging.getLogger(__name__)

Stereo = npt.NDArray[np.float32]


_RAMPS: dict[int, npt.NDArray[np.float32]] = {}


def _release_ramp(n: int) -> npt.NDArray[np.float32]:
    """cos^2 fade from 1 to 0 over n samples (cached: note releases reuse a handful of lengths)."""
    ramp = _RAMPS.get(n)
    if ramp is None:
        if len(_RAMPS) > 256:
            _RAMPS.clear()
        ramp = (np.cos(0.5 * np.pi * np.arange(n, dtype=np.float32) / n) ** 2).astype(np.float32)
        ramp.setflags(write=False)
        _RAMPS[n] = ramp
    return ramp


class Mixer:
    """Stereo buses of `n` samples plus a margin for ring-out (cut off at the end)."""

    def __init__(self, n: int, sample_rate: int, margin_s: float = 0.5) -> None:
        self.n = n
        self.sr = sample_rate
        self.size = n + int(margin_s * sample_rate)
        self.buses: dict[str, Stereo] = {}

    def bus(self, name: str) -> Stereo:
        if name not in self.buses:
            self.buses[name] = np.zeros((2, self.size), dtype=np.float32)
        return self.buses[name]

    def add(self, bus: str, at_s: float, sound: Mono, gain: float, pan: float = 0.0, *,
            hold_s: float | None = None, release_s: float = 0.05) -> None:
        """Add `sound` at `at_s` seconds; with `hold_s` it is cut after that long with a release ramp."""
        start = int(round(at_s * self.sr))
        if start >= self.size or gain == 0.0:
            return
        length = len(sound)
        hold = length
        if hold_s is not None:
            hold = max(1, int(hold_s * self.sr))
            length = min(length, hold + max(1, int(release_s * self.sr)))
        seg = sound[:length] * np.float32(gain)
        if hold < length:
            seg[hold:] *= _release_ramp(length - hold)
        if start < 0:
            seg = seg[-start:]
            start = 0
        stop = min(self.size, start + len(seg))
        if stop <= start:
            return
        seg = seg[: stop - start]
        angle = (min(1.0, max(-1.0, pan)) + 1.0) * math.pi / 4.0
        out = self.bus(bus)
        out[0, start:stop] += seg * np.float32(math.cos(angle) * math.sqrt(2.0))
        out[1, start:stop] += seg * np.float32(math.sin(angle) * math.sqrt(2.0))

    def add_stereo(self, bus: str, at_s: float, left: Mono, right: Mono, gain: float) -> None:
        start = max(0, int(round(at_s * self.sr)))
        stop = min(self.size, start + len(left))
        if stop > start:
            out = self.bus(bus)
            out[0, start:stop] += left[: stop - start] * np.float32(gain)
            out[1, start:stop] += right[: stop - start] * np.float32(gain)


def active_rms_db(x: Stereo, sr: int, block_s: float = 0.1) -> float:
    """RMS (dBFS) over the blocks where the bus plays (within 50 dB of its loudest block)."""
    block = int(block_s * sr)
    count = x.shape[1] // block
    if count == 0:
        return -120.0
    frames = x[:, : count * block].reshape(2, count, block)[:, :, ::4]  # every 4th sample is plenty
    power = np.einsum("cbk,cbk->b", frames, frames, dtype=np.float64) / (2 * frames.shape[2])
    if not np.any(power > 0):
        return -120.0
    active = power[power > power.max() * 1e-5]
    return 10.0 * math.log10(float(active.mean()) + 1e-30)


_IR_CACHE: OrderedDict[tuple[str, int, int], npt.NDArray[np.complex128]] = OrderedDict()

REVERBS: dict[str, tuple[float, float, float]] = {  # rt60 s, pre-delay s, high-frequency damping
    "room": (0.7, 0.008, 0.55),
    "plate": (1.5, 0.012, 0.7),
    "hall": (2.6, 0.022, 0.5),
}


def _impulse(kind: str, sr: int) -> npt.NDArray[np.float64]:
    """Stereo exponentially decaying noise, darker as it decays, with a few early reflections."""
    rt60, pre, damp = REVERBS[kind]
    n = int((rt60 * 1.1 + pre) * sr)
    t = np.arange(n) / sr
    rng = np.random.default_rng(zlib.crc32(f"ir:{kind}:{sr}".encode()))
    out = np.zeros((2, n))
    for c in range(2):
        noise = rng.standard_normal(n)
        low = bandshape(noise, sr, None, 800.0)
        high = noise - low
        late = low * np.exp(-6.9 * t / rt60) + high * np.exp(-6.9 * t / (rt60 * damp))
        late *= np.minimum(1.0, np.maximum(0.0, t - pre) / 0.03)  # diffuse build-up after pre-delay
        for k in range(6):  # early reflections
            at = int((pre + 0.004 + 0.007 * k + rng.uniform(0, 0.004)) * sr)
            late[at] += rng.choice([-1.0, 1.0]) * 2.5 * (0.8 ** k)
        late[: int(pre * sr)] = 0.0
        out[c] = late
    return out / math.sqrt(float((out ** 2).sum()) / 2.0)


def reverb(send: npt.NDArray[np.float32], sr: int, kind: str) -> Stereo:
    """Stereo return of the mono `send` through the `kind` impulse response.

    The convolution runs at half the sample rate (pairs averaged, then linearly interpolated back):
    a reverb tail has little above 10 kHz, and it halves the FFT work."""
    n = len(send)
    half_sr = sr // 2
    m = n // 2 + 1
    low = np.zeros(m, dtype=np.float64)
    low[: n // 2] = send[0:2 * (n // 2):2]
    low[: n // 2] += send[1:2 * (n // 2):2]
    low *= 0.5
    size = _fast_len(m + int((REVERBS[kind][0] * 1.1 + 0.05) * half_sr))
    key = (kind, half_sr, size)
    spec = _IR_CACHE.get(key)
    if spec is None:
        spec = np.fft.rfft(_impulse(kind, half_sr), size, axis=1)
        _IR_CACHE[key] = spec
        while len(_IR_CACHE) > 3:
            _IR_CACHE.popitem(last=False)
    x = np.fft.rfft(low, size)
    out = np.empty((2, n), dtype=np.float32)
    for c in range(2):  # back to the full rate: linear interpolation between the half-rate samples
        wet = np.fft.irfft(x * spec[c], size)[:m].astype(np.float32)
        out[c, 0::2] = wet[: (n + 1) // 2]
        out[c, 1::2] = 0.5 * (wet[: n // 2] + wet[1: n // 2 + 1])
    return out


def echo(x: Stereo, sr: int, delay_s: float, feedback: float, repeats: int = 4) -> Stereo:
    """Ping-pong echo (wet only): repeats alternate sides and fade by `feedback`."""
    d = int(delay_s * sr)
    mono = x.mean(axis=0)
    out = np.zeros_like(x)
    g = 1.0
    for k in range(1, repeats + 1):
        g *= feedback
        shift = k * d
        if shift >= x.shape[1]:
            break
        out[k % 2, shift:] += mono[: x.shape[1] - shift] * np.float32(g)
    return out


def pump(n: int, sr: int, beat_times: list[float], beat_s: float, depth: float,
         recover: float = 0.45) -> npt.NDArray[np.float32]:
    """Side-chain style gain: dips by `depth` at each time and recovers over `recover` of a beat."""
    g = np.ones(n, dtype=np.float32)
    width = max(1, int(recover * beat_s * sr))
    shape = (1.0 - depth * (1.0 - np.linspace(0.0, 1.0, width, dtype=np.float32)) ** 2).astype(np.float32)
    for t in beat_times:
        i = int(round(t * sr))
        if 0 <= i < n:
            j = min(n, i + width)
            g[i:j] = np.minimum(g[i:j], shape[: j - i])
    return g


def soft_clip(x: npt.NDArray[np.floating], threshold: float) -> npt.NDArray[np.floating]:
    """Identity below `threshold`, a tanh knee above it (never exceeds threshold + (1 - threshold))."""
    out = x.copy()
    over = np.abs(x) > threshold
    if np.any(over):
        knee = 1.0 - threshold
        v = x[over]
        out[over] = np.sign(v) * (threshold + knee * np.tanh((np.abs(v) - threshold) / knee))
    return out
