"""The beat grid a bed reports, and the arrangement arithmetic (tempo nudge, bars, sections)."""

from __future__ import annotations

import bisect
import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class BeatGrid:
    """Tempo, beats and bars of a piece of audio, in seconds from its start.

    For generated beds the times are the ground truth (where kick/snare/chord attacks are), the last
    beat and downbeat is the final hit (`final_hit_s`), and `sections` covers 0..`duration_s`
    (intro, body parts such as verse/chorus/build/drop, outro - the outro includes the final hit
    and its tail). For analysed audio `sections` is one ("track", 0, duration) entry.
    """

    tempo_bpm: float
    beats: list[float]
    downbeats: list[float]
    beats_per_bar: int
    sections: list[tuple[str, float, float]] = field(default_factory=list)
    duration_s: float = 0.0
    final_hit_s: float | None = None

    @property
    def beat_s(self) -> float:
        return 60.0 / self.tempo_bpm

    def nearest_beat(self, t: float) -> float:
        """The beat closest to `t` (t itself when there are no beats)."""
        if not self.beats:
            return t
        i = bisect.bisect_left(self.beats, t)
        near = [self.beats[j] for j in (i - 1, i) if 0 <= j < len(self.beats)]
        return min(near, key=lambda b: abs(b - t))

    def beats_between(self, start: float, end: float) -> list[float]:
        lo, hi = bisect.bisect_left(self.beats, start), bisect.bisect_right(self.beats, end)
        return self.beats[lo:hi]

    def section_at(self, t: float) -> str:
        for name, start, end in self.sections:
            if start <= t < end:
                return name
        return self.sections[-1][0] if self.sections else ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BeatGrid:
        return cls(tempo_bpm=float(data["tempo_bpm"]), beats=[float(b) for b in data["beats"]],
                   downbeats=[float(b) for b in data["downbeats"]], beats_per_bar=int(data["beats_per_bar"]),
                   sections=[(str(n), float(a), float(b)) for n, a, b in data.get("sections", [])],
                   duration_s=float(data.get("duration_s", 0.0)),
                   final_hit_s=None if data.get("final_hit_s") is None else float(data["final_hit_s"]))


@dataclass(frozen=True)
class Section:
    name: str  # intro, verse, chorus, bridge, build, drop, break, outro ...
    start_bar: int
    bars: int
    energy: float  # 0..1, how many layers play


@dataclass(frozen=True)
class Fit:
    tempo: float
    bar_beats: tuple[int, ...]  # beats in each bar (the last one may be short)
    tail_s: float

    @property
    def beat_s(self) -> float:
        return 60.0 / self.tempo

    @property
    def total_beats(self) -> int:
        return sum(self.bar_beats)

    @property
    def final_hit_s(self) -> float:
        return self.total_beats * self.beat_s


def fit_tempo(duration_s: float, nominal_bpm: float, beats_per_bar: int, tail_pref_s: float,
              tail_range_s: tuple[float, float], nudge: float = 0.04) -> Fit:
    """Bars, tempo and tail so that `bars * beats / tempo + tail == duration` exactly.

    The tempo stays within `nudge` of the nominal one where any solution exists (then 2x, then 4x
    that); whole bars are preferred, a last bar of half length is allowed at a cost, bar counts that
    are multiples of 4 (then 2) are preferred, and the tail stays near its preferred length.
    """
    lo_tail, hi_tail = tail_range_s
    hi_tail = max(lo_tail, min(hi_tail, duration_s * 0.5))
    lo_tail = min(lo_tail, hi_tail)
    tails = [lo_tail + (hi_tail - lo_tail) * k / 24 for k in range(25)]
    half = beats_per_bar // 2 if beats_per_bar % 2 == 0 else beats_per_bar
    for width in (nudge, 2 * nudge, 4 * nudge, 1.0):
        best: tuple[float, Fit] | None = None
        max_beats = int(duration_s * nominal_bpm * (1 + width) / 60.0) + 2
        for beats in range(1, max_beats + 1):
            whole, rest = divmod(beats, beats_per_bar)
            if rest not in (0, half):
                continue
            bars = whole + (1 if rest else 0)
            structure = (3.0 if rest else 0.0) + (0.0 if bars % 4 == 0 else 0.25 if bars % 2 == 0 else 0.5)
            if bars < 1:
                continue
            for tail in tails:
                music = duration_s - tail
                if music <= 0:
                    continue
                tempo = beats * 60.0 / music
                dev = math.log(tempo / nominal_bpm)
                if abs(dev) > math.log1p(width):
                    continue
                tail_cost = ((tail - tail_pref_s) / max(0.25, hi_tail - lo_tail)) ** 2
                cost = (dev / nudge) ** 2 + 2.0 * tail_cost + structure
                if best is None or cost < best[0]:
                    bar_beats = (beats_per_bar,) * whole + ((rest,) if rest else ())
                    best = (cost, Fit(tempo, bar_beats, tail))
        if best is not None:
            return best[1]
    raise ValueError(f"cannot fit a bed of {duration_s:.2f} s")  # unreachable for duration > 0


def layout(bars: int, form: list[tuple[str, float, int]], bar_s: float, intro_energy: float = 0.4,
           outro_energy: float = 0.6) -> list[Section]:
    """Intro, body sections cycling through `form` ((name, energy, preferred bars)) and outro.

    The intro is short (social video: the first seconds matter): about 4 s of bars, 1..4 of them,
    none for very short beds. The outro is the last bar (two from 12 bars on) before the final
    hit. The body takes form entries until their preferred lengths cover it (at least two
    sections from 6 bars on) and shares the bars out in proportion, in whole pairs of bars where
    possible; the last body section takes the remainder.
    """
    intro = 0 if bars < 4 else max(1, min(4, round(4.0 / bar_s), bars // 4))
    outro = min(bars, 1 if bars < 12 else 2)
    body = bars - intro - outro
    sections: list[Section] = []
    if intro:
        sections.append(Section("intro", 0, intro, intro_energy))
    at = intro
    if body > 0:
        chosen: list[tuple[str, float, int]] = []
        while sum(p for _, _, p in chosen) < body or (body >= 6 and len(chosen) < 2):
            chosen.append(form[len(chosen) % len(form)])
        total = sum(p for _, _, p in chosen)
        sizes = [max(1, 2 * round(p * body / total / 2)) for _, _, p in chosen[:-1]]
        while sum(sizes) >= body and sizes:
            sizes.pop()
        sizes.append(body - sum(sizes))
        if len(sizes) > 1 and sizes[-1] < max(2, chosen[len(sizes) - 1][2] // 2):
            stub = sizes.pop()  # a stub joins the section before it
            sizes[-1] += stub
        for (name, energy, _), size in zip(chosen, sizes, strict=False):
            sections.append(Section(name, at, size, energy))
            at += size
    sections.append(Section("outro", at, bars - at, outro_energy))
    return sections
