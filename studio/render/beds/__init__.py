"""Generated music beds for promo videos, beat analysis and loudness mastering (numpy only).

    samples, grid = generate("upbeat", 30.0, seed=7)     # (n, 2) float32 at 48 kHz, BeatGrid
    grid = analyse(user_samples, 44100)                  # tempo, beats, downbeats of any audio
    final = master(mix, target_lufs=-14, ceiling_dbtp=-1) # gain + true-peak limiter

`generate` arranges intro / body sections / outro for exactly `duration_s`: the tempo is nudged
(by at most ~4 % in general) so that a whole number of bars ends on a final chord/hit whose short
ring-out fades to silence exactly at the end. Beds come out at about -16 LUFS with sample peaks
under -1 dBFS; `master` takes the final mix to -14 LUFS / -1 dBTP (with a codec margin).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .analysis import analyse
from .compose import BED_LUFS, render
from .encode import Encoded, encode_aac
from .grid import BeatGrid
from .instruments import clear_cache
from .loudness import integrated_lufs, master, true_peak_dbtp
from .mixdown import duck_gain, mix
from .moods import MOODS as _MOOD_SPECS
from .wav import read_wav, write_wav

log = logging.getLogger(__name__)

__all__ = ["BED_LUFS", "MOODS", "BeatGrid", "Encoded", "MoodInfo", "analyse", "clear_cache", "duck_gain",
           "encode_aac", "generate", "integrated_lufs", "master", "mix", "read_wav", "true_peak_dbtp", "write_wav"]


@dataclass(frozen=True)
class MoodInfo:
    name: str
    zh: str  # Chinese display name
    tempo_bpm: tuple[float, float]
    character: str


MOODS: dict[str, MoodInfo] = {m.name: MoodInfo(m.name, m.zh, m.tempo, m.character) for m in _MOOD_SPECS.values()}


def generate(mood: str, duration_s: float, *, seed: int = 0,
             sample_rate: int = 48000) -> tuple[npt.NDArray[np.float32], BeatGrid]:
    """A bed of `mood` exactly `duration_s` long: float32 (n, 2) samples and its beat grid.

    Deterministic: the same mood, seed, duration and sample rate give the same samples. The seed
    picks the nominal tempo inside the mood's range, the key, the progressions and all variations.
    Raises ValueError for an unknown mood or a duration of 0.5 s or less.
    """
    return render(mood, duration_s, seed, sample_rate)
