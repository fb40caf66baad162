"""Harmony helpers: scales, chord symbols (roman numerals relative to the tonic), voice leading."""

from __future__ import annotations

import re
from dataclasses import dataclass

MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}

_ROOTS = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_SYMBOL = re.compile(r"^(b|#)?(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(dim)?"
                     r"(maj9|maj7|add9|7sus4|sus2|sus4|m7b5|9|7|6)?$")


@dataclass(frozen=True)
class Chord:
    symbol: str
    root: int  # semitones above the tonic, 0..11
    intervals: tuple[int, ...]  # above the root, ascending, first 0

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple((self.root + i) % 12 for i in self.intervals)

    @property
    def triad_classes(self) -> tuple[int, ...]:
        """Root, third (or sus note) and fifth: the safe melody targets."""
        return tuple((self.root + i) % 12 for i in self.intervals[:3])


def chord(symbol: str) -> Chord:
    """Parse e.g. "I", "vi7", "IVmaj7", "V7sus4", "bVII", "ii9", "Iadd9", "viidim"."""
    m = _SYMBOL.match(symbol)
    if not m:
        raise ValueError(f"bad chord symbol {symbol!r}")
    accidental, numeral, dim, ext = m.groups()
    root = _ROOTS[numeral.upper()] + (-1 if accidental == "b" else 1 if accidental == "#" else 0)
    minor = numeral.islower()
    third = 3 if minor or dim else 4
    fifth = 6 if dim or ext == "m7b5" else 7
    notes = [0, third, fifth]
    match ext:
        case "7":
            notes.append(10)
        case "maj7":
            notes.append(11)
        case "9":
            notes += [10, 14]
        case "maj9":
            notes += [11, 14]
        case "add9":
            notes.append(14)
        case "6":
            notes.append(9)
        case "sus2":
            notes[1] = 2
        case "sus4":
            notes[1] = 5
        case "7sus4":
            notes[1] = 5
            notes.append(10)
        case "m7b5":
            notes[1] = 3
            notes.append(10)
    return Chord(symbol, root % 12, tuple(notes))


def scale_notes(tonic: int, mode: str, low: int, high: int) -> list[int]:
    """MIDI notes of the scale between low and high inclusive."""
    steps = MODES[mode]
    return [n for n in range(low, high + 1) if (n - tonic) % 12 in steps]


def voice(ch: Chord, tonic: int, low: int, high: int, count: int, previous: list[int] | None) -> list[int]:
    """`count` notes of the chord in [low, high], moving as little as possible from `previous`.

    Candidates are the chord's close-position inversions (extensions kept above the triad when there
    is room), shifted through the octaves that fit; the one with the least total movement wins
    (ties: the lower, for a warmer sound)."""
    pcs = [(tonic + ch.root + i) % 12 for i in ch.intervals]
    tones = pcs[:count] if len(pcs) >= count else pcs + pcs[: count - len(pcs)]
    candidates: list[list[int]] = []
    for rot in range(len(tones)):
        order = tones[rot:] + tones[:rot]
        for base in range(low - 12, high + 1):
            if base % 12 != order[0]:
                continue
            notes = [base]
            for pc in order[1:]:
                nxt = notes[-1] + 1
                while nxt % 12 != pc:
                    nxt += 1
                notes.append(nxt)
            if notes[0] >= low and notes[-1] <= high:
                candidates.append(notes)
    if not candidates:  # register too narrow: stack upward from low
        notes = []
        for pc in tones:
            n = low
            while n % 12 != pc or n in notes:
                n += 1
            notes.append(n)
        return sorted(notes)
    if previous:
        prev = sorted(previous)
        centre = sum(prev) / len(prev)

        def cost(c: list[int]) -> tuple[float, float]:
            moves = sum(min(abs(a - b) for b in prev) for a in c)
            return (moves + 0.5 * abs(sum(c) / len(c) - centre), sum(c))
        return min(candidates, key=cost)
    middle = (low + high) / 2
    return min(candidates, key=lambda c: (abs(sum(c) / len(c) - middle), sum(c)))


def bass_note(ch: Chord, tonic: int, low: int, high: int, degree: int = 0) -> int:
    """The chord's root (degree 0), third (1) or fifth (2) as a MIDI note in [low, high]."""
    pc = (tonic + ch.root + ch.intervals[min(degree, len(ch.intervals) - 1)]) % 12
    n = low
    while n % 12 != pc:
        n += 1
    return n if n <= high else n - 12


def nearest(pitch: int, allowed: list[int]) -> int:
    return min(allowed, key=lambda n: (abs(n - pitch), n))
