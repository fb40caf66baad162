"""The parts a message is read into (`tokens.read`): units with word boundaries, and meaningful items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from studio.director.lexicon import Meaning
from studio.director.units import Unit

_QUOTES = re.compile(
    "“([^”]+)”" r'|"([^"]+)"' "|「([^」]+)」|『([^』]+)』|‘([^’]+)’" r"|(?<![\w'])'([^']+)'(?![\w])"
)


def find_quotes(text: str) -> list[tuple[int, int, str]]:
    """Quoted passages as (start, end, inner text), in order: “…”, "…", 「…」, 『…』, ‘…’, '…'."""
    found = []
    for m in _QUOTES.finditer(text):
        inner = next(g for g in m.groups() if g is not None).strip()
        if inner:
            found.append((m.start(), m.end(), inner))
    return found


@dataclass
class Item:
    """A span of units with what it means. `cat` is the first meaning's category (or a dims kind)."""

    i: int
    j: int
    meanings: tuple[Meaning, ...]
    value: Any = None
    text: str = ""

    def __post_init__(self) -> None:
        self._cats = frozenset(m.cat for m in self.meanings)

    @property
    def cat(self) -> str:
        return self.meanings[0].cat if self.meanings else "word"

    def has(self, cat: str, key: str | None = None) -> bool:
        if cat not in self._cats:
            return False
        return key is None or any(m.cat == cat and m.key == key for m in self.meanings)

    def key(self, cat: str) -> str | None:
        return next((m.key for m in self.meanings if m.cat == cat), None)

    def keys(self, cat: str) -> list[str]:
        return [m.key for m in self.meanings if m.cat == cat]

    def __repr__(self) -> str:
        what = ",".join(f"{m.cat}:{m.key}" for m in self.meanings) or "?"
        return f"<{self.text!r} {what}{'' if self.value is None else ' =' + repr(self.value)}>"


@dataclass
class Message:
    original: str
    norm: str
    to_orig: list[int]
    units: list[Unit]
    texts: list[str]  # each unit's text as matched (typos corrected)
    boundary: list[bool]  # a word boundary before unit i (len(units) + 1 entries)
    quotes: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def orig(self, i: int, j: int) -> str:
        """What the user typed for units i..j-1 (with their own spaces, case and punctuation)."""
        if i >= j or i >= len(self.units):
            return ""
        start = self.to_orig[self.units[i].start]
        end = self.to_orig[self.units[j - 1].end]
        return self.original[start:end]

    def orig_between(self, start_unit: int, end_unit: int) -> str:
        return self.orig(start_unit, end_unit).strip()

    @property
    def has_cjk(self) -> bool:
        return any(u.kind == "cjk" for u in self.units)
