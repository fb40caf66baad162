"""Ducking the music under the narration, and measuring it.

The renderer can either multiply the music by `duck_gain(...)` (numpy) or hand ffmpeg the same
curve as a `volume` filter expression (`ffmpeg_duck_filter(...)`). `ducking_margin_db` checks the
issue's rule: the voice stands at least 6 dB above the music it plays over.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .protocols import Samples, Timing

DEPTH_DB = -14.0
ATTACK_S = 0.12
RELEASE_S = 0.45


def _spans(phrases: Sequence[Timing], join_gap: float) -> list[tuple[float, float]]:
    """Phrase spans merged across short gaps (the music stays down between close phrases)."""
    out: list[tuple[float, float]] = []
    for _, s, e in sorted(phrases, key=lambda t: t[1]):
        if out and s - out[-1][1] <= join_gap:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def duck_gain(
    phrases: Sequence[Timing],
    duration: float,
    rate: int,
    *,
    depth_db: float = DEPTH_DB,
    attack: float = ATTACK_S,
    release: float = RELEASE_S,
    join_gap: float = 0.8,
) -> Samples:
    """Music gain per sample: 1 away from the voice, 10**(depth_db/20) under it, linear ramps around it.

    The ramp down starts `attack` seconds before each phrase so the first syllable is already clear.
    """
    n = round(duration * rate)
    t = np.arange(n) / rate
    low = 10 ** (depth_db / 20)
    duck = np.zeros(n, np.float32)  # 0 = full music, 1 = fully ducked
    for s, e in _spans(phrases, join_gap):
        up = np.clip((t - (s - attack)) / attack, 0.0, 1.0)
        down = np.clip(1.0 - (t - e) / release, 0.0, 1.0)
        duck = np.maximum(duck, np.minimum(up, down).astype(np.float32))
    return (1.0 - duck * (1.0 - low)).astype(np.float32)


def ffmpeg_duck_filter(
    phrases: Sequence[Timing],
    *,
    depth_db: float = DEPTH_DB,
    attack: float = ATTACK_S,
    release: float = RELEASE_S,
    join_gap: float = 0.8,
) -> str:
    """The same curve as an ffmpeg audio filter for the music stream, e.g. `[1:a]<this>[bed]`."""
    low = 10 ** (depth_db / 20)
    terms = []
    for s, e in _spans(phrases, join_gap):
        up = f"clip((t-{s - attack:.3f})/{attack:.3f},0,1)"
        down = f"clip(1-(t-{e:.3f})/{release:.3f},0,1)"
        terms.append(f"min({up},{down})")
    if not terms:
        return "anull"
    duck = terms[0]
    for term in terms[1:]:
        duck = f"max({duck},{term})"
    return f"volume='1-{1 - low:.4f}*{duck}':eval=frame"


def _db(x: Samples) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-12))


def ducking_margin_db(voice: Samples, music: Samples, phrases: Sequence[Timing], rate: int) -> float:
    """Voice level minus the (ducked) music level, both measured over the spoken phrases only."""
    mask = np.zeros(min(len(voice), len(music)), bool)
    for _, s, e in phrases:
        mask[int(s * rate) : int(e * rate)] = True
    if not mask.any():
        return float("inf")
    return _db(voice[: len(mask)][mask]) - _db(music[: len(mask)][mask])


def speech_vs_music_only_db(
    mix: Samples, phrases: Sequence[Timing], rate: int, *, margin: float = 0.5
) -> float:
    """In a finished mix: level over the spoken phrases minus level of the music-only parts."""
    n = len(mix)
    speech = np.zeros(n, bool)
    near = np.zeros(n, bool)
    for _, s, e in phrases:
        speech[int(s * rate) : int(e * rate)] = True
        near[max(0, int((s - margin) * rate)) : int((e + margin) * rate)] = True
    if not speech.any() or near.all():
        return float("inf")
    return _db(mix[speech]) - _db(mix[~near])
