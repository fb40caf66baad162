"""Arrange and render a bed: bars and chords from the mood's form, then one writer per part.

Every writer varies what it plays bar by bar (pattern alternatives, fills every 4th/8th bar, ghost
notes, re-generated melody phrases, voicings led from the previous chord, pads whose brightness
follows the section), so no stretch repeats literally. Beat positions are exact: drums sit on the
grid (a jitter of ~1 ms), pitched parts get a few ms of human timing, the swing delays only
off-beat eighths.
"""

from __future__ import annotations

import logging
import math
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import instruments as ins
from .grid import BeatGrid, Fit, Section, fit_tempo, layout
from .loudness import integrated_lufs_fast, limiter_gain
from .mixer import Mixer, active_rms_db, echo, pump, reverb
from .moods import MOODS, Mood, Part
from .theory import MODES, Chord, bass_note, chord, nearest, voice

log = logging.getLogger(__name__)

BED_LUFS = -16.0  # generated beds leave 2 LU for the final master (and headroom for clip audio)
BED_PEAK_DBFS = -1.0
_REFERENCE_DB = -20.0  # active RMS the drum bus is balanced to; other buses are relative to it
STOP_BEATS = 0.5  # nothing starts in the last half beat before the final hit
VELOCITY = {"X": 1.0, "x": 0.78, "o": 0.55, "g": 0.3, "-": 0.18}


@dataclass(frozen=True)
class Bar:
    index: int
    start: float  # in beats from the start
    beats: int
    section: Section
    section_index: int
    pos: int  # bar number inside its section
    chords: tuple[tuple[float, float, Chord], ...]  # (offset, duration) in beats, chord
    last_in_section: bool


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


class Ctx:
    """Everything the writers share for one bed."""

    def __init__(self, mood: Mood, duration_s: float, seed: int, sr: int) -> None:
        self.mood = mood
        self.sr = sr
        self.seed = seed
        rng = np.random.default_rng([seed, _crc(mood.name)])
        lo, hi = mood.tempo
        nominal = lo + (hi - lo) * float(rng.random())
        tail_pref, tail_lo, tail_hi = mood.tail
        self.fit: Fit = fit_tempo(duration_s, nominal, mood.beats_per_bar, tail_pref, (tail_lo, tail_hi))
        self.beat_s = self.fit.beat_s
        self.sections = layout(len(self.fit.bar_beats), list(mood.form), mood.beats_per_bar * self.beat_s,
                               mood.intro_energy, mood.outro_energy)
        self.tonic = 48 + int(rng.choice(mood.keys))  # C3..B3: the reference octave for registers
        self.scale_pcs = tuple((self.tonic + s) % 12 for s in MODES[mood.mode])
        self.n = int(round(duration_s * sr))
        self.duration_s = duration_s
        self.mixer = Mixer(self.n, sr)
        self.kick_times: list[float] = []
        self.final_beat = float(self.fit.total_beats)
        self.final_chord = chord(mood.final_chord)
        self._progressions: dict[str, tuple[str, ...]] = {}
        self.rng = rng
        self.bars = self._bars()

    # --- arrangement
    def _progression(self, name: str) -> tuple[str, ...]:
        if name not in self._progressions:
            options = self.mood.progressions.get(name) or self.mood.progressions["verse" if "verse" in
                                                                                   self.mood.progressions else "intro"]
            self._progressions[name] = options[int(self.rng.integers(len(options)))]
        return self._progressions[name]

    def _bars(self) -> list[Bar]:
        bars: list[Bar] = []
        beat = 0.0
        for si, sec in enumerate(self.sections):
            prog = list(self._progression(sec.name))
            if sec.name == "outro":
                body = self._progression(self.mood.form[0][0])
                prog = (list(body) * 4 + prog)[-sec.bars:] if sec.bars > len(prog) else prog[-sec.bars:]
                if sec.bars == 1 and len(self._progression("outro")) >= 2:
                    prog = [" ".join(self._progression("outro")[-2:])]
            elif sec.bars > len(prog) and len(prog) == 4 and sec.bars >= 8 and self.rng.random() < 0.75:
                # the second pass of an 8-bar section turns around differently
                alt = self.mood.progressions.get(sec.name) or ()
                others = [p for p in alt if p != tuple(prog)]
                if others:
                    prog = prog + list(others[int(self.rng.integers(len(others)))])
            for pos in range(sec.bars):
                index = sec.start_bar + pos
                beats = self.fit.bar_beats[index]
                symbols = prog[pos % len(prog)].split()
                span = beats / len(symbols)
                chords = tuple((k * span, span, chord(s)) for k, s in enumerate(symbols))
                bars.append(Bar(index, beat, beats, sec, si, pos, chords, pos == sec.bars - 1))
                beat += beats
        return bars

    def chord_at(self, beat: float) -> Chord:
        for bar in self.bars:
            if bar.start <= beat < bar.start + bar.beats:
                for off, dur, ch in bar.chords:
                    if bar.start + off <= beat < bar.start + off + dur:
                        return ch
        return self.final_chord

    def next_chord(self, bar: Bar, k: int) -> Chord:
        if k + 1 < len(bar.chords):
            return bar.chords[k + 1][2]
        if bar.index + 1 < len(self.bars):
            return self.bars[bar.index + 1].chords[0][2]
        return self.final_chord

    # --- time
    def seconds(self, beat: float) -> float:
        whole = math.floor(beat)
        frac = beat - whole
        s = self.mood.swing
        if s and 0.0 < frac < 1.0:
            frac = frac * (0.5 + s) / 0.5 if frac <= 0.5 else 0.5 + s + (frac - 0.5) * (0.5 - s) / 0.5
        return (whole + frac) * self.beat_s

    def dynamics(self, beat: float) -> float:
        """A gentle crescendo through each body section: -1.5 dB at its start to +0.5 dB at its
        end, applied to every event, so sections breathe and no two bars sit at the same level."""
        for bar in self.bars:
            if bar.start <= beat < bar.start + bar.beats:
                sec = bar.section
                if sec.name in ("intro", "outro"):
                    return 1.0
                span = max(1e-9, sec.bars * self.mood.beats_per_bar)
                pos = (bar.pos * self.mood.beats_per_bar + beat - bar.start) / span
                return float(10.0 ** ((-1.5 + 2.0 * pos) / 20.0))
        return 1.0

    def part_rng(self, index: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, _crc(self.mood.name), 1000 + index])

    def scale(self, low: int, high: int) -> list[int]:
        return [n for n in range(low, high + 1) if n % 12 in self.scale_pcs]

    # --- playing
    def play(self, part: Part, midi: int, beat: float, dur_beats: float, vel: float, rng: np.random.Generator,
             *, pan: float = 0.0, jitter_ms: float = 4.0, attack: float | None = None,
             release: float | None = None, bright: tuple[float, float] = (0.3, 0.6), swell: float = 0.0) -> None:
        if beat < self.final_beat:  # a short break before the final hit makes it land
            if beat > self.final_beat - STOP_BEATS - 1e-6:
                return
            dur_beats = min(dur_beats, self.final_beat - STOP_BEATS - beat + 0.25)
        at = self.seconds(beat) + (float(rng.normal(0.0, jitter_ms * 1e-3)) if jitter_ms else 0.0)
        at = max(0.0, at) if beat == 0 else at
        hold = max(0.02, dur_beats * self.beat_s)
        kind = part.instrument
        gain = vel * float(rng.uniform(0.92, 1.05)) * self.dynamics(beat)
        if kind in ins.SUSTAINS:
            sound = ins.sustained(kind, midi, self.sr, hold, attack=attack if attack is not None else 0.03,
                                  release=release if release is not None else 0.25,
                                  bright_from=bright[0], bright_to=bright[1], swell=swell,
                                  offset=int(rng.integers(0, self.sr)))
            self.mixer.add(part.bus, at, sound, gain, part.pan + pan)
        else:
            self.mixer.add(part.bus, at, ins.note(kind, midi, self.sr), gain, part.pan + pan, hold_s=hold,
                           release_s=release if release is not None else 0.08)

    def tail_beats(self) -> float:
        return self.fit.tail_s / self.beat_s


# ------------------------------------------------------------------------------------------ drums

def write_drums(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    kit: dict[str, tuple[str, float, float]] = part.params["kit"]
    patterns = part.params["patterns"]
    fills = part.params.get("fills", {})
    crash_energy = float(part.params.get("crash_energy", 0.8))
    takes = dict.fromkeys(kit, 0)
    last_choice = -1

    def hit(letter: str, beat: float, vel: float, jitter: float = 1.0) -> None:
        kind, gain, pan = kit[letter]
        if gain <= 0 or ctx.final_beat - STOP_BEATS - 1e-6 < beat < ctx.final_beat:
            return
        at = ctx.seconds(beat) + float(rng.normal(0.0, jitter * 1e-3))
        takes[letter] += 1
        ctx.mixer.add(part.bus, max(0.0, at), ins.drum(kind, ctx.sr, takes[letter]), gain * vel * ctx.dynamics(beat),
                      pan + part.pan)
        if kind.startswith("kick") and vel >= 0.5:
            ctx.kick_times.append(ctx.seconds(beat))

    for bar in ctx.bars:
        e = bar.section.energy
        level = "high" if e >= 0.8 else "mid" if e >= 0.55 else "low"
        options = patterns[level]
        if len(options) == 1:
            choice = 0
        elif bar.pos % 2 == 0 or rng.random() < 0.2:  # a new pick every pair of bars, sometimes sooner
            choice = int(rng.integers(len(options)))
            if choice == last_choice and rng.random() < 0.5:
                choice = (choice + 1) % len(options)
        else:
            choice = last_choice if last_choice >= 0 else 0
        last_choice = choice
        pattern = dict(options[choice])
        for letter in list(pattern):  # mutations: a moved or added ghost note, a dropped weak hit
            if letter in "ks" and rng.random() < 0.3:
                steps_ = list(pattern[letter])
                spot = int(rng.integers(len(steps_)))
                if steps_[spot] == "." and spot % 4 != 0:
                    steps_[spot] = "g" if letter == "s" else "o"
                elif steps_[spot] in "og":
                    steps_[spot] = "."
                pattern[letter] = "".join(steps_)
        steps = bar.beats * 4
        is_final_bar = bar.index == len(ctx.bars) - 1
        nxt = ctx.bars[bar.index + 1].section if bar.index + 1 < len(ctx.bars) else None
        fill = None
        if bar.last_in_section and nxt is not None and nxt.name in ("drop",) and "build" in fills:
            fill = fills["build"]
        elif (bar.last_in_section or is_final_bar) and "big" in fills and bar.beats >= 4:
            fill = fills["big"] if rng.random() < 0.8 or "toms" not in fills else fills["toms"]
        elif bar.pos % 4 == 3 and "small" in fills and rng.random() < 0.85:
            fill = fills["small"]
        elif bar.pos % 8 == 7 and "big" in fills:
            fill = fills["big"]
        if fill is not None:
            width = min(len(next(iter(fill.values()))), steps)
            for letter in set(pattern) | set(fill):
                base = pattern.get(letter, "." * 16)
                base = (base * 2)[:steps]
                repl = fill.get(letter, "." * width)[-width:]
                pattern[letter] = base[: steps - width] + repl
        for letter, pat in pattern.items():
            if letter not in kit:
                continue
            ghostly = letter in "hzqpbr"
            for step in range(steps):
                ch = pat[step % len(pat)]
                if ch == ".":
                    if ghostly and rng.random() < 0.04:  # an extra ghost now and then
                        hit(letter, bar.start + step / 4, 0.22, 2.5)
                    continue
                vel = (0.3 if rng.random() < 0.5 else 0.0) if ch == "?" else VELOCITY.get(ch, 0.0)
                if vel == 0.0:
                    continue
                if ghostly:
                    if ch not in "Xx" and rng.random() < 0.08:
                        continue
                    vel *= float(rng.uniform(0.8, 1.08))
                else:
                    vel *= float(rng.uniform(0.93, 1.04))
                hit(letter, bar.start + step / 4, vel, 2.0 if ghostly else 0.8)
        if bar.pos == 0 and e >= crash_energy and bar.index > 0 and "x" in kit:
            hit("x", bar.start, 0.9)
    for letter in part.params.get("final", "k"):
        if letter in kit:
            hit(letter, ctx.final_beat, 1.0, 0.0)


# ------------------------------------------------------------------------------------------- bass

def _bass_line(ctx: Ctx, part: Part, bar: Bar, rng: np.random.Generator) -> list[tuple[float, float, int, float]]:
    """(beat offset in bar, duration, midi, velocity) of one bar."""
    style = part.params.get("style", "root8")
    lo, hi = part.register
    e = bar.section.energy
    out: list[tuple[float, float, int, float]] = []
    for k, (off, dur, ch) in enumerate(bar.chords):
        root = bass_note(ch, ctx.tonic, lo, lo + 11)
        fifth = root + 7 if root + 7 <= hi else root - 5
        octave = root + 12 if root + 12 <= hi else root
        nxt = bass_note(ctx.next_chord(bar, k), ctx.tonic, lo, lo + 11)
        approach = nxt + (1 if rng.random() < 0.5 else -1) if nxt != root else fifth
        if style == "pulse":
            if e >= 0.6 and dur >= 4:
                out += [(off, 2.0, root, 0.85), (off + 2, dur - 2, root if rng.random() < 0.6 else fifth, 0.6)]
            else:
                out.append((off, dur, root, 0.85))
        elif style in ("root8", "pop"):
            if e < 0.55:
                tmpl = "R.R.R.R." if rng.random() < 0.7 else "R...R.R."
            else:
                tmpl = str(rng.choice(["RRRRRRRR", "R.RRR.RR", "RRRRRROR", "R.RRRRFR", "RRR.RRRO"]))
            steps = int(dur * 2)
            for s in range(steps):
                c = tmpl[s % 8]
                if c == ".":
                    continue
                note_ = {"R": root, "O": octave, "F": fifth}[c]
                if s == steps - 1 and rng.random() < 0.35 and nxt != root:
                    note_ = approach
                out.append((off + s / 2, 0.42, note_, 1.0 if s % 2 == 0 else 0.8))
        elif style == "offbeat":
            for s in range(int(dur * 2)):
                if s % 2 == 1:
                    note_ = octave if (s == int(dur * 2) - 1 and rng.random() < 0.3) else root
                    out.append((off + s / 2, 0.4, note_, 0.95))
            if e >= 0.95 and rng.random() < 0.3:
                out.append((off + dur - 0.25, 0.2, root, 0.8))
        elif style == "boom":  # boom-bap: the root on 1, a note on 3 (or just before it), a push to the next bar
            pick = rng.random()
            figure: list[tuple[float, float, int, float]]
            if pick < 0.45:
                figure = [(0.0, 1.4, root, 1.0), (2.0, 1.0, fifth if rng.random() < 0.5 else root, 0.85),
                          (3.5, 0.45, root, 0.6)]
            elif pick < 0.75:
                figure = [(0.0, 0.9, root, 1.0), (1.75, 0.25, root, 0.5), (2.0, 1.5, fifth, 0.85)]
            else:
                figure = [(0.0, 2.4, root, 1.0), (2.75, 0.7, root, 0.75)]
            if rng.random() < 0.45:
                figure.append((dur - 0.25, 0.25, approach, 0.6))
            out += [(off + a, d, m, v) for a, d, m, v in figure if a < dur]
        elif style == "walking":
            if e < 0.5:
                out += [(off, min(2.0, dur), root, 0.9)] + ([(off + 2, dur - 2, fifth, 0.75)] if dur > 2 else [])
            else:
                tones = [root + i for i in ch.intervals[1:]] + [octave]
                steps = int(round(dur))
                prev = root
                for s in range(steps):
                    if s == 0:
                        note_ = root
                    elif s == steps - 1:
                        note_ = approach
                    else:
                        pool = [t for t in tones + ctx.scale(lo, hi) if abs(t - prev) <= 5 and lo <= t <= hi]
                        note_ = int(rng.choice(pool)) if pool else fifth
                    out.append((off + s, 0.92, note_, 1.0 if s == 0 else 0.85))
                    prev = note_
        elif style == "folk":
            out.append((off, min(1.8, dur), root, 1.0))
            if dur > 2:
                second = fifth if rng.random() < 0.7 else (octave if rng.random() < 0.5 else root + ch.intervals[1])
                out.append((off + 2, 1.6, second, 0.85))
                if rng.random() < 0.45 and nxt != root:
                    out.append((off + dur - 0.5, 0.45, approach, 0.7))
                elif rng.random() < 0.3:
                    out.append((off + 1.5, 0.45, root + 12 if root + 12 <= hi else fifth, 0.6))
        elif style == "bounce":
            seq = [root, octave, fifth, octave] if rng.random() < 0.5 else [root, fifth, octave, fifth]
            for s in range(int(round(dur))):
                out.append((off + s, 0.38, seq[s % 4], 1.0 if s % 2 == 0 else 0.8))
                if e >= 0.8 and s == int(round(dur)) - 1 and rng.random() < 0.5:
                    out.append((off + s + 0.5, 0.3, approach, 0.7))
        elif style == "cine":
            out.append((off, dur, root, 1.0))
            if e >= 0.8:
                for s in range(int(dur * 2)):
                    if s % 2 == 1:
                        out.append((off + s / 2, 0.4, octave, 0.45))
    return out


def write_bass(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    for bar in ctx.bars:
        if bar.section.energy < part.min_energy:
            continue
        for off, dur, midi, vel in _bass_line(ctx, part, bar, rng):
            ctx.play(part, midi, bar.start + off, dur, vel, rng, jitter_ms=2.0)
    root = bass_note(ctx.final_chord, ctx.tonic, part.register[0], part.register[0] + 11)
    ctx.play(part, root, ctx.final_beat, ctx.tail_beats(), 1.0, rng, jitter_ms=0.0, release=0.3)


# ---------------------------------------------------------------------------------------- harmony

def _brightness(ctx: Ctx, bar: Bar, off: float, dur: float) -> tuple[float, float]:
    """Pad brightness rising through each section, scaled by its energy (evolving pads)."""
    sec = bar.section
    a = (bar.pos + off / bar.beats) / max(1, sec.bars)
    b = (bar.pos + (off + dur) / bar.beats) / max(1, sec.bars)
    base = 0.1 + 0.5 * sec.energy
    return (min(1.0, base * (0.5 + 0.6 * a)), min(1.0, base * (0.5 + 0.6 * b)))


def write_pad(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    lo, hi = part.register
    prev: list[int] | None = None
    attack = float(part.params.get("attack", 0.5))
    spans: list[tuple[float, float, Chord, Bar]] = []
    for bar in ctx.bars:
        if bar.section.energy < part.min_energy:
            continue
        for off, dur, ch in bar.chords:
            start = bar.start + off
            if spans and spans[-1][2] == ch and abs(spans[-1][0] + spans[-1][1] - start) < 1e-6 \
                    and spans[-1][3].section_index == bar.section_index:
                s0, d0, c0, b0 = spans[-1]
                spans[-1] = (s0, d0 + dur, c0, b0)
            else:
                spans.append((start, dur, ch, bar))
    stab_bank = [[(0.0, 1.5), (1.5, 1.0), (2.5, 1.5)], [(0.0, 0.5), (0.75, 0.5), (1.5, 0.5), (2.5, 0.5), (3.0, 1.0)],
                 [(0.0, 4.0)], [(0.0, 0.5), (1.5, 1.0), (2.5, 0.5), (3.0, 1.0)]]
    stab = stab_bank[2]
    for start, dur, ch, bar in spans:
        notes = voice(ch, ctx.tonic, lo, hi, 4 if len(ch.intervals) > 3 else 3, prev)
        prev = notes
        br = _brightness(ctx, bar, start - bar.start, dur)
        vel = 0.55 + 0.45 * bar.section.energy
        if part.params.get("stabs") and bar.section.energy >= 0.95:  # rhythmic chords in the drop
            if bar.pos % 2 == 0:
                stab = stab_bank[int(rng.integers(len(stab_bank)))]
            for off, length in stab:
                if off >= dur:
                    continue
                for i, m in enumerate(notes):
                    ctx.play(part, m, start + off, min(length, dur - off) * 0.9, vel * (0.85 if i else 1.0), rng,
                             pan=0.5 * (i / max(1, len(notes) - 1) - 0.5), jitter_ms=2.0, attack=0.005,
                             release=0.12, bright=(br[1], br[1]))
            continue
        for i, m in enumerate(notes):
            ctx.play(part, m, start, dur, vel * (0.85 if i else 1.0), rng, pan=0.5 * (i / max(1, len(notes) - 1) - 0.5),
                     jitter_ms=6.0, attack=min(attack, dur * ctx.beat_s * 0.4), release=0.6, bright=br,
                     swell=0.15 if dur * ctx.beat_s > 3 else 0.0)
    notes = voice(ctx.final_chord, ctx.tonic, lo, hi, 4 if len(ctx.final_chord.intervals) > 3 else 3, prev)
    for m in notes:
        ctx.play(part, m, ctx.final_beat, ctx.tail_beats() * 0.6, 0.8, rng, jitter_ms=0.0, attack=0.01,
                 release=ctx.fit.tail_s * 0.4, bright=(0.6, 0.2))


_COMP: dict[str, dict[str, list[list[tuple[float, float, float]]]]] = {
    # (beat offset, duration in beats, velocity) per bar
    "lofi": {"low": [[(0, 2.5, 0.8), (2.5, 1.5, 0.6)], [(0, 3.5, 0.8)]],
             "mid": [[(0, 1.5, 0.85), (1.5, 1.0, 0.6), (3.0, 1.0, 0.65)], [(0, 2.0, 0.85), (2.5, 1.5, 0.7)],
                     [(0.0, 0.75, 0.8), (0.75, 1.75, 0.65), (3.5, 0.5, 0.55)]],
             "high": [[(0, 1.5, 0.9), (1.5, 0.5, 0.6), (2.0, 1.5, 0.75), (3.5, 0.5, 0.55)],
                      [(0, 0.75, 0.9), (1.5, 1.0, 0.7), (2.5, 1.5, 0.75)]]},
    "pop": {"low": [[(0, 4.0, 0.7)]],
            "mid": [[(0, 1.5, 0.8), (1.5, 1.0, 0.6), (2.5, 1.5, 0.7)], [(0, 2.0, 0.8), (2.0, 2.0, 0.65)]],
            "high": [[(0, 0.5, 0.85), (1.0, 0.5, 0.7), (1.5, 0.5, 0.6), (2.5, 0.5, 0.7), (3.0, 1.0, 0.7)],
                     [(0.5, 0.5, 0.7), (1.5, 0.5, 0.7), (2.5, 0.5, 0.7), (3.5, 0.5, 0.7)]]},
    "bounce": {"low": [[(0, 0.4, 0.85), (1, 0.3, 0.55), (2, 0.4, 0.8), (3, 0.3, 0.55)]],
               "mid": [[(0.5, 0.3, 0.7), (1.5, 0.3, 0.7), (2.5, 0.3, 0.7), (3.5, 0.3, 0.7)],
                       [(0, 0.3, 0.8), (0.5, 0.3, 0.6), (1.5, 0.3, 0.7), (2.5, 0.3, 0.7), (3.0, 0.3, 0.6)]],
               "high": [[(0, 0.3, 0.85), (0.5, 0.3, 0.6), (1.0, 0.3, 0.7), (1.5, 0.3, 0.6), (2.5, 0.3, 0.7),
                         (3.0, 0.3, 0.7), (3.5, 0.3, 0.6)],
                        [(0, 0.3, 0.85), (1.0, 0.3, 0.75), (1.5, 0.3, 0.6), (2.0, 0.3, 0.8), (2.75, 0.3, 0.6),
                         (3.5, 0.3, 0.7)]]},
}


def write_comp(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Rhythmic chord hits: lofi Rhodes, pop piano, bouncy marimba."""
    bank = _COMP[str(part.params.get("style", "pop"))]
    lo, hi = part.register
    count = int(part.params.get("voices", 4))
    prev: list[int] | None = None
    last = -1
    for bar in ctx.bars:
        e = bar.section.energy
        if e < part.min_energy:
            continue
        level = "high" if e >= 0.8 else "mid" if e >= 0.55 else "low"
        options = bank[level]
        pick = int(rng.integers(len(options)))
        if pick == last and len(options) > 1 and rng.random() < 0.6:
            pick = (pick + 1) % len(options)
        last = pick
        for off, dur, vel in options[pick]:
            if off >= bar.beats:
                continue
            beat = bar.start + off
            ch = ctx.chord_at(beat)
            notes = voice(ch, ctx.tonic, lo, hi, count, prev)
            prev = notes
            roll = float(rng.uniform(0.004, 0.014))  # a human spread between the fingers
            for i, m in enumerate(notes):
                ctx.play(part, m, beat + i * roll / ctx.beat_s, min(dur, bar.beats - off), vel, rng,
                         pan=0.3 * (i / max(1, len(notes) - 1) - 0.5), jitter_ms=2.0)
    notes = voice(ctx.final_chord, ctx.tonic, lo, hi, count, prev)
    for i, m in enumerate(notes):
        ctx.play(part, m, ctx.final_beat + i * 0.012 / ctx.beat_s, ctx.tail_beats(), 0.9, rng, jitter_ms=0.0)


_ARPS: list[list[int]] = [[0, 1, 2, 3], [0, 2, 1, 3], [3, 2, 1, 0], [0, 1, 2, 1, 3, 2, 1, 2], [0, 2, 3, 1],
                          [0, 1, 3, 2, 4, 3, 2, 1]]


def write_arp(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    lo, hi = part.register
    rate = int(part.params.get("rate", 2))
    prev: list[int] | None = None
    pattern = _ARPS[0]
    for bar in ctx.bars:
        e = bar.section.energy
        if e < part.min_energy:
            continue
        if bar.pos == 0 or (bar.pos % 2 == 0 and rng.random() < 0.6):
            pattern = _ARPS[int(rng.integers(len(_ARPS)))]
        per_beat = rate if e >= 0.8 or rate <= 2 else 2
        octave_up = bar.pos % 4 == 3 and rng.random() < 0.5
        for off, dur, ch in bar.chords:
            tones = voice(ch, ctx.tonic, lo, hi - 12, 3, prev)
            prev = tones
            tones = [*tones, tones[0] + 12, tones[1] + 12]
            steps = int(round(dur * per_beat))
            for s in range(steps):
                idx = pattern[s % len(pattern)]
                m = tones[idx % len(tones)] + (12 if octave_up and s >= steps // 2 else 0)
                if m > hi + 5:
                    m -= 12
                vel = 1.0 if s % per_beat == 0 else 0.62
                if s % per_beat != 0 and rng.random() < 0.06:
                    continue
                ctx.play(part, m, bar.start + off + s / per_beat, 0.9 / per_beat, vel, rng,
                         pan=0.35 * math.sin(s * 0.9), jitter_ms=2.0)
    root = voice(ctx.final_chord, ctx.tonic, lo, hi, 3, prev)
    ctx.play(part, root[-1], ctx.final_beat, ctx.tail_beats(), 0.9, rng, jitter_ms=0.0)


_STRUMS = {  # (eighth index, direction +1 down / -1 up, velocity)
    "mid": [[(0, 1, 1.0), (2, 1, 0.8), (3, -1, 0.55), (5, -1, 0.6), (6, 1, 0.8), (7, -1, 0.55)],
            [(0, 1, 1.0), (2, 1, 0.8), (4, 1, 0.9), (5, -1, 0.55), (6, 1, 0.75), (7, -1, 0.5)]],
    "high": [[(0, 1, 1.0), (1, -1, 0.5), (2, 1, 0.85), (3, -1, 0.55), (4, 1, 0.95), (5, -1, 0.55), (6, 1, 0.85),
              (7, -1, 0.6)],
             [(0, 1, 1.0), (2, 1, 0.85), (3, -1, 0.6), (4, 1, 0.95), (5, -1, 0.55), (6, 1, 0.8), (7, -1, 0.6)]],
}


def write_strum(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Steel-string guitar: finger-picking at low energy, strums otherwise."""
    lo, hi = part.register
    prev: list[int] | None = None
    for bar in ctx.bars:
        e = bar.section.energy
        if e < part.min_energy:
            continue
        high_shape = bar.pos >= bar.section.bars // 2 and bar.section.bars >= 4 and e >= 0.55
        for off, dur, ch in bar.chords:
            shape = voice(ch, ctx.tonic, lo + (19 if high_shape else 12), hi + (5 if high_shape else 0), 5, prev)
            prev = shape
            bass = bass_note(ch, ctx.tonic, lo, lo + 11)
            shape = [bass, *shape]
            if e < 0.55:  # travis-style picking: thumb on the beats, fingers between
                pick = [0, 3, 1, 4, 0, 5, 2, 4] if rng.random() < 0.5 else [0, 4, 2, 5, 1, 4, 3, 5]
                for s in range(int(dur * 2)):
                    idx = pick[s % len(pick)]
                    m = shape[min(idx, len(shape) - 1)]
                    if s % 4 == 2 and idx == 0:
                        m = bass_note(ch, ctx.tonic, lo, lo + 11, 2)
                    ctx.play(part, m, bar.start + off + s / 2, 1.5, 1.0 if s % 2 == 0 else 0.7, rng, jitter_ms=3.0)
                continue
            bank = _STRUMS["high" if e >= 0.8 else "mid"]
            strum = list(bank[int(rng.integers(len(bank)))])
            if rng.random() < 0.3:  # drop one off-beat strum, or add a push on the last 16th
                strum = [s_ for s_ in strum if not (s_[1] < 0 and rng.random() < 0.4)]
            for eighth, direction, vel in strum:
                if eighth / 2 >= dur:
                    continue
                beat = bar.start + off + eighth / 2
                strings = shape if direction > 0 else shape[::-1][:4]
                gap = (0.011 if direction > 0 else 0.007) * float(rng.uniform(0.8, 1.25))
                nxt = [t for t in [eighth2 for eighth2, _, _ in strum] if t > eighth]
                until = (min(nxt) / 2 if nxt else dur) - eighth / 2
                for i, m in enumerate(strings):
                    ctx.play(part, m, beat + i * gap / ctx.beat_s, until + 0.1, vel * (0.8 + 0.2 * (i == 0)), rng,
                             pan=0.25 * (i / 5 - 0.5) * direction, jitter_ms=1.5, release=0.06)
    shape = [bass_note(ctx.final_chord, ctx.tonic, lo, lo + 11),
             *voice(ctx.final_chord, ctx.tonic, lo + 12, hi, 5, prev)]
    for i, m in enumerate(shape):
        ctx.play(part, m, ctx.final_beat + i * 0.018 / ctx.beat_s, ctx.tail_beats(), 1.0, rng, jitter_ms=0.0)


def write_broken(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Calm felt piano: left hand on the beats, right hand broken chords in eighths (beats accented)."""
    lo, hi = part.register
    prev: list[int] | None = None
    patterns = [[0, 1, 2, 1, 3, 2, 1, 2], [0, 2, 1, 3, 2, 1, 3, 2], [0, 1, 2, 3, 2, 1, 2, 1], [0, 2, 3, 2, 1, 2, 3, 1]]
    pattern = patterns[0]
    for bar in ctx.bars:
        e = bar.section.energy
        if bar.pos % 2 == 0:
            pattern = patterns[int(rng.integers(len(patterns)))]
        for off, dur, ch in bar.chords:
            right = voice(ch, ctx.tonic, lo + 12, hi, 4, prev)
            prev = right
            left = bass_note(ch, ctx.tonic, lo - 12, lo - 1)
            ctx.play(part, left, bar.start + off, dur, 0.9, rng, jitter_ms=2.0)
            if dur > 2 and e >= 0.5:
                ctx.play(part, left + 7, bar.start + off + 2, dur - 2, 0.6, rng, jitter_ms=2.0)
            per_beat = 2 if e >= 0.45 else 1
            for s in range(int(dur * per_beat)):
                idx = pattern[s % len(pattern)] if per_beat == 2 else [0, 2, 1, 3][s % 4]
                m = right[idx % len(right)]
                on_beat = s % per_beat == 0
                vel = (0.95 if s == 0 else 0.85) if on_beat else 0.32
                ctx.play(part, m, bar.start + off + s / per_beat, 2.0 / per_beat, vel, rng, jitter_ms=3.0)
    right = voice(ctx.final_chord, ctx.tonic, lo + 12, hi, 4, prev)
    left = bass_note(ctx.final_chord, ctx.tonic, lo - 12, lo - 1)
    for i, m in enumerate([left, *right]):
        ctx.play(part, m, ctx.final_beat + i * 0.02 / ctx.beat_s, ctx.tail_beats(), 0.9, rng, jitter_ms=0.0)


def write_pulse8(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Inspiring repeated eighth-note piano chords, accents on the beats."""
    lo, hi = part.register
    prev: list[int] | None = None
    for bar in ctx.bars:
        e = bar.section.energy
        per_beat = 2 if e >= 0.5 else 1
        rest_last = bar.pos % 2 == 1 and rng.random() < 0.5
        lift = 12 if bar.section.bars >= 8 and bar.pos >= bar.section.bars // 2 and e >= 0.8 else 0
        for off, dur, ch in bar.chords:
            notes = voice(ch, ctx.tonic, lo + lift, hi + lift, 3, prev)
            prev = notes
            top_alt = rng.random() < 0.5
            for s in range(int(dur * per_beat)):
                beat = bar.start + off + s / per_beat
                if rest_last and beat >= bar.start + bar.beats - 0.5:
                    continue
                chord_notes = notes if not (top_alt and s % 2) else [*notes[:-1], notes[-1] + (2 if s % 4 == 1 else 0)]
                chord_notes = [m for m in chord_notes if m % 12 in ch.pitch_classes or m in notes]
                vel = 0.95 if s % per_beat == 0 else 0.55
                for m in chord_notes:
                    ctx.play(part, m, beat, 0.85 / per_beat, vel, rng, jitter_ms=2.0)
            ctx.play(part, bass_note(ch, ctx.tonic, lo - 12, lo - 1), bar.start + off, dur, 0.7, rng, jitter_ms=2.0)
    notes = voice(ctx.final_chord, ctx.tonic, lo, hi, 4, prev)
    for m in [bass_note(ctx.final_chord, ctx.tonic, lo - 12, lo - 1), *notes]:
        ctx.play(part, m, ctx.final_beat, ctx.tail_beats(), 0.95, rng, jitter_ms=0.0)


def write_ostinato(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Staccato string ostinato (cinematic), pizzicato figure (playful)."""
    lo, _ = part.register
    figures = [[0, 0, 2, 0, 3, 0, 2, 0], [0, 2, 3, 2, 0, 2, 3, 4], [0, 0, 3, 0, 2, 0, 3, 2], [0, 1, 2, 3, 2, 1, 0, 1]]
    figure = figures[0]
    for bar in ctx.bars:
        e = bar.section.energy
        if e < part.min_energy:
            continue
        if bar.pos % 4 == 0 or rng.random() < 0.15:
            figure = figures[int(rng.integers(len(figures)))]
        per_beat = 4 if e >= 0.95 else 2
        for off, dur, ch in bar.chords:
            root = bass_note(ch, ctx.tonic, lo, lo + 11)
            third = root + ch.intervals[1]
            tones = [root, third, root + 7, root + 12, third + 12]
            for s in range(int(dur * per_beat)):
                idx = figure[(s if per_beat == 2 else s // 2 + (s % 2) * 0) % len(figure)]
                if per_beat == 4 and s % 2 == 1:
                    idx = 0
                m = tones[idx]
                vel = 1.0 if s % per_beat == 0 else 0.6
                ctx.play(part, m, bar.start + off + s / per_beat, 0.6 / per_beat, vel, rng, jitter_ms=2.0)
    root = bass_note(ctx.final_chord, ctx.tonic, lo, lo + 11)
    for m in (root, root + 12):
        ctx.play(part, m, ctx.final_beat, 0.5, 1.0, rng, jitter_ms=0.0)


_JAZZ = [[(0.0, 1.5, 0.8), (1.5, 1.0, 0.65)], [(1.5, 1.0, 0.7), (3.5, 0.5, 0.6)], [(0.0, 0.6, 0.8), (2.5, 1.0, 0.7)],
         [(0.5, 1.0, 0.65), (2.0, 1.0, 0.7), (3.5, 0.5, 0.55)], [(0.0, 2.0, 0.75), (3.0, 0.5, 0.6)]]


def write_jazz(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Piano comping with rootless voicings (the bass has the root), Charleston-like rhythms."""
    lo, hi = part.register
    prev: list[int] | None = None
    last = -1
    for bar in ctx.bars:
        pick = int(rng.integers(len(_JAZZ)))
        if pick == last:
            pick = (pick + 1) % len(_JAZZ)
        last = pick
        for off, dur, vel in _JAZZ[pick]:
            if off >= bar.beats:
                continue
            beat = bar.start + off
            ch = ctx.chord_at(beat)
            rootless = Chord(ch.symbol, ch.root, ch.intervals[1:] + ((14,) if len(ch.intervals) < 5 else ()))
            notes = voice(rootless, ctx.tonic, lo, hi, 4, prev)
            prev = notes
            roll = float(rng.uniform(0.003, 0.01))
            for i, m in enumerate(notes):
                ctx.play(part, m, beat + i * roll / ctx.beat_s, min(dur, bar.beats - off), vel, rng,
                         pan=0.3 * (i / 3 - 0.5), jitter_ms=3.0)
    notes = voice(ctx.final_chord, ctx.tonic, lo, hi + 5, 5, prev)
    for i, m in enumerate(notes):
        ctx.play(part, m, ctx.final_beat + i * 0.025 / ctx.beat_s, ctx.tail_beats(), 0.85, rng, jitter_ms=0.0)


# ----------------------------------------------------------------------------------------- melody

_RHYTHMS: dict[str, list[list[tuple[int, int]]]] = {  # (onset, duration) in sixteenths over two bars
    "sparse": [[(0, 6), (6, 2), (8, 8), (20, 4), (24, 8)], [(2, 2), (4, 4), (10, 6), (16, 8), (28, 4)],
               [(0, 4), (4, 4), (8, 12), (22, 2), (24, 8)], [(6, 2), (8, 6), (14, 2), (16, 12)]],
    "8ths": [[(0, 2), (2, 2), (4, 4), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2), (22, 2), (24, 8)],
             [(0, 3), (3, 1), (4, 2), (6, 2), (8, 8), (16, 2), (18, 2), (20, 4), (24, 4), (28, 4)],
             [(2, 2), (4, 2), (6, 2), (8, 4), (12, 4), (18, 2), (20, 2), (22, 2), (24, 8)],
             [(0, 4), (4, 2), (6, 2), (8, 2), (10, 6), (16, 3), (19, 1), (20, 4), (24, 6), (30, 2)]],
    "16ths": [[(0, 2), (3, 2), (6, 2), (8, 2), (10, 2), (12, 3), (16, 2), (19, 2), (22, 2), (24, 4), (28, 2), (30, 2)],
              [(0, 3), (3, 3), (6, 2), (10, 2), (12, 4), (16, 3), (19, 3), (22, 2), (24, 2), (26, 2), (28, 4)],
              [(0, 2), (2, 1), (3, 3), (6, 2), (8, 4), (14, 2), (16, 2), (18, 2), (20, 2), (22, 2), (24, 8)]],
    "long": [[(0, 8), (8, 8), (16, 16)], [(0, 12), (12, 4), (16, 16)], [(0, 4), (4, 4), (8, 8), (16, 8), (24, 8)],
             [(0, 16), (16, 8), (24, 8)]],
}


def _pick_pitch(ctx: Ctx, prev: int, ch: Chord, strong: bool, direction: int, lo: int, hi: int,
                rng: np.random.Generator) -> int:
    pool = ctx.scale(lo, hi)
    targets = [n for n in pool if n % 12 in {(ctx.tonic + p) % 12 for p in
                                             [ch.root + i for i in ch.intervals[:4]]}] if strong else pool
    if not targets:
        targets = pool
    centre = (lo + hi) / 2
    weights = []
    for n in targets:
        d = n - prev
        a = abs(d)
        w = 0.25 if a == 0 else 1.0 if a <= 2 else 0.7 if a <= 4 else 0.35 if a <= 7 else 0.08
        if d * direction > 0:
            w *= 1.6
        w *= math.exp(-(((n - centre) / (hi - lo + 1)) * 2.2) ** 2)
        weights.append(w)
    p = np.asarray(weights) / sum(weights)
    return int(targets[int(rng.choice(len(targets), p=p))])


def write_lead(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Phrases of two bars: call, answer, call varied, answer resolving; new material per section."""
    lo, hi = part.register
    prev = int((lo + hi) // 2)
    for sec_i, sec in enumerate(ctx.sections):
        if sec.energy < part.min_energy or sec.name in ("intro", "outro"):
            continue
        feel = str(part.params.get("feel", "8ths"))
        if sec.energy < 0.8:
            feel = str(part.params.get("verse_feel", feel))
        bank = _RHYTHMS[feel]
        bars = [b for b in ctx.bars if b.section_index == sec_i and b.beats == ctx.mood.beats_per_bar]
        if not bars:
            continue
        call, answer = (bank[int(i)] for i in rng.choice(len(bank), size=2, replace=len(bank) < 2))
        call_pitches: list[int] = []
        for p in range(0, len(bars), 2):
            phrase_bars = bars[p:p + 2]
            rhythm = call if (p // 2) % 2 == 0 else answer
            span = 16 * len(phrase_bars)
            notes = [(o, d) for o, d in rhythm if o < span]
            if (p // 2) >= 2 and rng.random() < 0.5 and len(notes) > 3:  # drop a note in later phrases
                notes.pop(int(rng.integers(1, len(notes) - 1)))
            pitches: list[int] = []
            for j, (o, d) in enumerate(notes):
                beat = phrase_bars[0].start + o / 4
                ch = ctx.chord_at(beat)
                strong = o % 4 == 0 or d >= 4
                direction = 1 if o < span / 2 else -1
                is_last = j == len(notes) - 1
                if (p // 2) % 2 == 0 and (p // 2) >= 2 and call_pitches and j < len(call_pitches) // 2:
                    m = nearest(call_pitches[j], [n for n in ctx.scale(lo, hi)])  # the motif comes back
                elif is_last and (p // 2) % 2 == 1:
                    tones = [n for n in ctx.scale(lo, hi) if n % 12 in ch.triad_classes[:2]]
                    m = nearest(prev, tones) if tones else prev
                else:
                    m = _pick_pitch(ctx, prev, ch, strong, direction, lo, hi, rng)
                pitches.append(m)
                prev = m
                legato = part.instrument in ins.SUSTAINS
                dur = d / 4 * (0.95 if legato else 1.0)
                ctx.play(part, m, beat, dur, 0.9 if strong else 0.72, rng, jitter_ms=4.0,
                         attack=0.03 if feel != "long" else 0.12, release=0.12 if legato else 0.1,
                         bright=(0.4, 0.7))
            if (p // 2) % 2 == 0 and (p // 2) < 2:
                call_pitches = pitches
    if part.min_energy <= ctx.mood.outro_energy or part.instrument in ins.SUSTAINS:
        tones = [n for n in ctx.scale(lo, hi) if n % 12 == (ctx.tonic + ctx.final_chord.root) % 12]
        if tones and part.instrument not in ("brass",):
            ctx.play(part, nearest(prev, tones), ctx.final_beat, ctx.tail_beats() * 0.7, 0.8, rng, jitter_ms=0.0,
                     release=ctx.fit.tail_s * 0.3)


def write_sparkle(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    lo, hi = part.register
    for bar in ctx.bars:
        if bar.section.energy < part.min_energy or rng.random() < 0.45:
            continue
        for _ in range(int(rng.integers(1, 4))):
            off = float(rng.integers(0, bar.beats * 2)) / 2
            ch = ctx.chord_at(bar.start + off)
            tones = [n for n in ctx.scale(lo, hi) if n % 12 in ch.triad_classes]
            if tones:
                ctx.play(part, int(rng.choice(tones)), bar.start + off, 1.0, float(rng.uniform(0.5, 0.9)), rng,
                         pan=float(rng.uniform(-0.3, 0.3)))


def write_vinyl(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    """Record surface: a soft hiss (smoothed noise) and sparse crackles, different on each side."""
    n = ctx.mixer.size
    bus = ctx.mixer.bus(part.bus)
    for c in range(2):
        hiss = rng.standard_normal(n + 4, dtype=np.float32)
        hiss = (hiss[:-4] + hiss[1:-3] + hiss[2:-2] + hiss[3:-1] + hiss[4:]) * np.float32(0.06)
        bus[c] += hiss
        where = rng.integers(0, n, int(rng.poisson(n * 3e-4)))
        np.add.at(bus[c], where, rng.standard_normal(len(where)).astype(np.float32))


def write_riser(ctx: Ctx, part: Part, rng: np.random.Generator) -> None:
    before = tuple(part.params.get("before", ("drop",)))
    for sec in ctx.sections[1:]:
        if sec.name not in before:
            continue
        start = next(b for b in ctx.bars if b.index == sec.start_bar).start
        length = min(2 * ctx.mood.beats_per_bar, start)
        if length <= 0:
            continue
        seconds = length * ctx.beat_s
        ctx.mixer.add(part.bus, ctx.seconds(start) - seconds, ins.riser(ctx.sr, round(seconds, 3)), 0.8)
        if part.params.get("impact"):
            ctx.mixer.add(part.bus, ctx.seconds(start), ins.drum("impact", ctx.sr), 1.0)
    if part.params.get("impact"):
        ctx.mixer.add(part.bus, ctx.seconds(ctx.final_beat), ins.drum("impact", ctx.sr), 1.0)


WRITERS: dict[str, Callable[[Ctx, Part, np.random.Generator], None]] = {
    "drums": write_drums, "bass": write_bass, "pad": write_pad, "comp": write_comp, "arp": write_arp,
    "strum": write_strum, "broken": write_broken, "pulse8": write_pulse8, "ostinato": write_ostinato,
    "jazz": write_jazz, "lead": write_lead, "sparkle": write_sparkle, "vinyl": write_vinyl, "riser": write_riser,
}


# ----------------------------------------------------------------------------------------- render

def beat_grid(ctx: Ctx) -> BeatGrid:
    beat_s = ctx.beat_s
    beats = [round(k * beat_s, 6) for k in range(ctx.fit.total_beats + 1)]
    downbeats = [round(b.start * beat_s, 6) for b in ctx.bars] + [round(ctx.final_beat * beat_s, 6)]
    sections = []
    for i, sec in enumerate(ctx.sections):
        start = next(b.start for b in ctx.bars if b.index == sec.start_bar) * beat_s
        end = ctx.duration_s if i == len(ctx.sections) - 1 else next(
            b.start for b in ctx.bars if b.index == ctx.sections[i + 1].start_bar) * beat_s
        sections.append((sec.name, round(start, 6), round(end, 6)))
    return BeatGrid(tempo_bpm=ctx.fit.tempo, beats=beats, downbeats=downbeats, beats_per_bar=ctx.mood.beats_per_bar,
                    sections=sections, duration_s=ctx.duration_s, final_hit_s=round(ctx.final_beat * beat_s, 6))


class _Sum:
    """The running mix: each part's bus is balanced, sent and summed as soon as it is written, then
    dropped, so only one bus is alive at a time (peak memory about 6 floats per sample)."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        size = ctx.mixer.size
        self.out = np.zeros((2, size), dtype=np.float32)
        self.send = np.zeros(size, dtype=np.float32)
        self.echo_in: npt.NDArray[np.float32] | None = None

    def take(self, part: Part) -> None:
        ctx, sr = self.ctx, self.ctx.sr
        bus = ctx.mixer.buses.pop(part.bus, None)
        if bus is None:
            return
        level = active_rms_db(bus, sr)
        if level < -100:
            return
        g = np.float32(10.0 ** ((_REFERENCE_DB + part.level_db - level) / 20.0))
        if part.sidechain and ctx.kick_times:
            bus *= pump(ctx.mixer.size, sr, ctx.kick_times, ctx.beat_s, part.sidechain)[None, :]
        if part.reverb or part.echo:
            mono = bus[0] + bus[1]
            if part.reverb:
                self.send += mono * (g * np.float32(0.5 * part.reverb))
            if part.echo:
                wet_in = mono * (g * np.float32(0.5 * part.echo))
                self.echo_in = wet_in if self.echo_in is None else self.echo_in + wet_in
        bus *= g
        self.out += bus

    def finish(self) -> npt.NDArray[np.float32]:
        ctx, sr, mood = self.ctx, self.ctx.sr, self.ctx.mood
        out = self.out
        if self.echo_in is not None:
            wet = echo(self.echo_in[None, :].repeat(2, axis=0), sr, 0.75 * ctx.beat_s, 0.45)
            out += wet
            self.send += (wet[0] + wet[1]) * np.float32(0.25)
        if np.any(self.send):
            out += reverb(self.send, sr, mood.reverb) * np.float32(10.0 ** (mood.reverb_return_db / 20.0))
        y = out[:, : ctx.n]
        if mood.drive:
            peak = float(np.max(np.abs(y))) or 1.0
            k = 1.0 + 1.5 * mood.drive
            y = np.tanh(y * np.float32(k / peak)) * np.float32(peak / math.tanh(k))
        # the ring-out after the final hit fades to silence exactly at the end
        hit = int(round(ctx.seconds(ctx.final_beat) * sr))
        fade_from = min(ctx.n - 1, hit + int(0.35 * ctx.fit.tail_s * sr))
        width = ctx.n - fade_from
        if width > 0:
            y[:, fade_from:] *= (np.cos(0.5 * np.pi * np.arange(width) / width) ** 2).astype(np.float32)
        return np.ascontiguousarray(y.T)


def render(mood_name: str, duration_s: float, seed: int, sample_rate: int) -> tuple[npt.NDArray[np.float32], BeatGrid]:
    if mood_name not in MOODS:
        raise ValueError(f"unknown mood {mood_name!r}; expected one of {', '.join(MOODS)}")
    if not duration_s > 0.5:
        raise ValueError(f"duration must be more than 0.5 s, got {duration_s}")
    t0 = time.perf_counter()
    mood = MOODS[mood_name]
    ctx = Ctx(mood, float(duration_s), int(seed), int(sample_rate))
    total = _Sum(ctx)
    for i, part in enumerate(mood.parts):  # drums come first: their kick times drive the side-chain
        WRITERS[part.writer](ctx, part, ctx.part_rng(i))
        total.take(part)
    t1 = time.perf_counter()
    y = total.finish()
    t2 = time.perf_counter()
    loud = integrated_lufs_fast(y, sample_rate)
    if math.isfinite(loud):
        y *= np.float32(10.0 ** ((BED_LUFS - loud) / 20.0))
    g = limiter_gain(y, sample_rate, BED_PEAK_DBFS, true_peak=False, block=32)
    y *= g.astype(np.float32, copy=False)[:, None]
    grid = beat_grid(ctx)
    log.debug("bed %s seed %d %.2fs: %.1f bpm, %d bars, tail %.2fs; parts %.0f ms, effects %.0f ms, level %.0f ms",
              mood_name, seed, duration_s, grid.tempo_bpm, len(ctx.bars), ctx.fit.tail_s, (t1 - t0) * 1e3,
              (t2 - t1) * 1e3, (time.perf_counter() - t2) * 1e3)
    return y, grid
