"""Generated music beds: lo-fi, upbeat and calm loops synthesised with numpy, written as WAV.

A bed is a few bars of one mood (chords, bass, a little melody and, except for "calm", drums) made
once as a loop and repeated to the asked length. Everything random comes from
`numpy.random.default_rng(seed)`, so the same mood, seed and length give the same samples; the
seed picks the key, the melody and small variations of the groove. The mix is normalised to a peak
of 0.8, so it never clips; the renderer applies the draft's volume and fades.
"""

from __future__ import annotations

import logging
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SAMPLE_RATE = 48000
MOODS = ("lofi", "upbeat", "calm")
PEAK = 0.8

Signal = np.ndarray


@dataclass(frozen=True)
class _Mood:
    bpm: float
    chords: tuple[tuple[int, ...], ...]  # MIDI notes of each bar's chord, key of C
    drums: bool
    swing: float


_MOODS: dict[str, _Mood] = {
    "lofi": _Mood(80, ((53, 57, 60, 64), (52, 55, 59, 62), (50, 53, 57, 60), (48, 52, 55, 59)), True, 0.18),
    "upbeat": _Mood(118, ((48, 52, 55, 60), (43, 47, 50, 55), (45, 48, 52, 57), (41, 45, 48, 53)), True, 0.0),
    "calm": _Mood(64, ((48, 55, 59, 62, 64), (45, 52, 55, 59, 60), (41, 48, 52, 55, 57),
                       (43, 50, 52, 55, 59)), False, 0.0),
}


def _hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69) / 12))


@lru_cache(maxsize=256)
def _tone(freq: float, seconds: float, partials: tuple[float, ...], attack: float, decay: float,
          detune: float = 0.0) -> Signal:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave_ = np.zeros_like(t)
    for k, amp in enumerate(partials, start=1):
        wave_ += amp * np.sin(2 * np.pi * freq * k * t)
        if detune:
            wave_ += amp * 0.5 * np.sin(2 * np.pi * freq * k * (1 + detune) * t)
    env = np.minimum(1.0, t / max(attack, 1e-3)) * np.exp(-t / decay)
    release = min(len(t), int(0.05 * SAMPLE_RATE))
    env[len(t) - release:] *= np.linspace(1, 0, release)
    out = (wave_ * env).astype(np.float32)
    out.setflags(write=False)  # cached and shared: never modified in place
    return out


def _kick() -> Signal:
    t = np.arange(int(0.35 * SAMPLE_RATE)) / SAMPLE_RATE
    freq = 45 + 75 * np.exp(-t / 0.04)
    return np.sin(2 * np.pi * np.cumsum(freq) / SAMPLE_RATE) * np.exp(-t / 0.12)


def _noise_hit(rng: np.random.Generator, seconds: float, decay: float, bright: bool) -> Signal:
    n = int(seconds * SAMPLE_RATE)
    noise = rng.standard_normal(n + 1)
    noise = np.diff(noise) if bright else (noise[1:] + noise[:-1]) / 2
    return noise * np.exp(-np.arange(n) / SAMPLE_RATE / decay) * 0.5


class _Track:
    def __init__(self, seconds: float) -> None:
        self.left = np.zeros(int(seconds * SAMPLE_RATE) + SAMPLE_RATE * 4, np.float32)
        self.right = np.zeros_like(self.left)

    def add(self, at: float, sound: Signal, gain: float, pan: float = 0.0) -> None:
        i = int(at * SAMPLE_RATE)
        sound = sound[: max(0, len(self.left) - i)]
        self.left[i:i + len(sound)] += sound * gain * (1 - pan) / 2 * 2 ** 0.5
        self.right[i:i + len(sound)] += sound * gain * (1 + pan) / 2 * 2 ** 0.5


def _loop(mood: str, rng: np.random.Generator) -> Signal:
    spec = _MOODS[mood]
    key = int(rng.integers(-3, 4))
    beat = 60.0 / spec.bpm
    bars = 8
    seconds = bars * 4 * beat
    track = _Track(seconds)
    order = [0, 1, 2, 3, 0, 1, 2, 3] if rng.random() < 0.5 else [0, 1, 2, 3, 0, 3, 2, 1]
    for bar in range(bars):
        chord = [n + key for n in spec.chords[order[bar]]]
        start = bar * 4 * beat
        if mood == "calm":
            for n, note in enumerate(chord):
                pad = _tone(_hz(note), 4 * beat + 1.5, (1, 0.3, 0.1), 1.2, 6.0, detune=0.003)
                track.add(start, pad, 0.10, pan=-0.5 + n / max(1, len(chord) - 1))
            for step in rng.choice(8, size=3, replace=False):
                bell = _tone(_hz(float(rng.choice(chord[1:])) + 24), 2.5, (1, 0.2, 0.05), 0.005, 0.9)
                track.add(start + step * beat / 2, bell, 0.06, pan=float(rng.uniform(-0.6, 0.6)))
            track.add(start, _tone(_hz(chord[0] - 12), 4 * beat, (1, 0.15), 0.3, 3.0), 0.16)
            continue
        if mood == "lofi":
            for n, note in enumerate(chord):
                keys = _tone(_hz(note), 4 * beat, (1, 0.35, 0.08), 0.01, 1.6, detune=0.002)
                track.add(start + n * 0.012, keys, 0.09, pan=-0.3 + 0.2 * n)
            track.add(start, _tone(_hz(chord[0] - 12), 2 * beat, (1, 0.25), 0.01, 0.8), 0.28)
            track.add(start + 2.5 * beat, _tone(_hz(chord[0] - 12), 1.5 * beat, (1, 0.25), 0.01, 0.6), 0.22)
        else:
            for eighth in range(8):
                pluck_note = chord[int(rng.integers(1, len(chord)))] + 12.0
                pluck = _tone(_hz(pluck_note), 0.4, (1, 0.5, 0.33, 0.25, 0.2), 0.003, 0.12)
                track.add(start + eighth * beat / 2, pluck, 0.07, pan=0.4 if eighth % 2 else -0.4)
            for q in range(4):
                bass = _tone(_hz(chord[0] - 12), beat * 0.9, (1, 0.5, 0.2), 0.005, 0.35)
                track.add(start + q * beat + beat / 2, bass, 0.22)
        melody = [n + 12 for n in chord]
        for step in range(8):
            if rng.random() < (0.35 if mood == "lofi" else 0.45):
                lead = _tone(_hz(float(rng.choice(melody))), beat, (1, 0.2), 0.01, 0.4)
                track.add(start + step * beat / 2, lead, 0.07, pan=0.2)
        for q in range(4):
            at = start + q * beat
            if mood == "upbeat" or q in (0, 2) or (q == 3 and rng.random() < 0.3):
                track.add(at, _kick(), 0.55)
            if q in (1, 3):
                track.add(at, _noise_hit(rng, 0.25, 0.07 if mood == "upbeat" else 0.11, False), 0.35)
            for half in (0, 1):
                swing = spec.swing * beat if half else 0.0
                hat = _noise_hit(rng, 0.06, 0.015, True)
                track.add(at + half * beat / 2 + swing, hat, 0.10 if half else 0.14, pan=0.3)
    if mood == "lofi":  # vinyl: a soft hiss and sparse crackles
        n = int(seconds * SAMPLE_RATE)
        hiss = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same") * 0.006
        crackle = (rng.random(n) < 4e-4) * rng.standard_normal(n) * 0.08
        track.left[:n] += hiss + crackle
        track.right[:n] += hiss + np.roll(crackle, 97)
    n = int(seconds * SAMPLE_RATE)
    tail = len(track.left) - n  # ring-out beyond the loop wraps round to its start
    left, right = track.left[:n].copy(), track.right[:n].copy()
    left[:tail] += track.left[n:]
    right[:tail] += track.right[n:]
    return np.stack([left, right], axis=1)


def _normalised_loop(mood: str, seed: int) -> Signal:
    if mood not in _MOODS:
        raise ValueError(f"unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
    try:
        loop = _loop(mood, np.random.default_rng(seed))
    finally:
        _tone.cache_clear()  # a worker renders many videos: keep no tones between beds
    peak = float(np.max(np.abs(loop))) or 1.0
    return (loop * (PEAK / peak)).astype(np.float32)


def synthesize(mood: str, seconds: float, *, seed: int = 0) -> Signal:
    """`seconds` of the mood's bed as float32 stereo samples (shape (n, 2), peak 0.8) at 48 kHz."""
    loop = _normalised_loop(mood, seed)
    n = max(1, round(seconds * SAMPLE_RATE))
    return np.tile(loop, (n // len(loop) + 1, 1))[:n]


def _pcm(samples: Signal) -> bytes:
    return np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2").tobytes()


def write_wav(path: Path, samples: Signal) -> Path:
    """Write float samples in -1..1 (shape (n, 2)) as a 16-bit stereo WAV at 48 kHz."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(_pcm(samples))
    return path


def music_bed(mood: str, seconds: float, path: Path, *, seed: int = 0) -> Path:
    """Synthesise a bed and write it to `path` (WAV, the loop repeated to length); returns the path.
    The same samples as `synthesize`, without holding the whole bed in memory."""
    loop = _pcm(_normalised_loop(mood, seed))
    total = max(1, round(seconds * SAMPLE_RATE)) * 4  # bytes: 2 channels x 16 bit
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        while total > 0:
            wav.writeframes(loop[:total])
            total -= len(loop)
    log.debug("music bed %s (seed %d): %.1f s → %s", mood, seed, seconds, path.name)
    return path
