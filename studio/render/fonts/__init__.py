"""The studio's bundled fonts (OFL, see OFL.txt), the families styles pick from, and coverage.

A family (`sans`, `serif`, `display`, `rounded`, `handwriting`, `mono`) has a headline face, a body
face and a CJK face. Text is drawn with a fallback chain per character: the family's Latin face,
Noto Sans Bold (wider Latin, Greek, Cyrillic), the family's CJK face, the sans CJK subset (rare
characters the serif subset leaves out), then Noto Color Emoji. The files ship inside the package
(`make_fonts.py` rebuilds them from Debian's packages), so nothing is looked up or fetched at run
time.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
LATIN_FONT = FONT_DIR / "NotoSans-Bold.ttf"
CJK_FONT = FONT_DIR / "VideobotSansCJK-Bold.otf"
SERIF_CJK_FONT = FONT_DIR / "VideobotSerifCJK-Bold.otf"
EMOJI_FONT = FONT_DIR / "NotoColorEmoji.ttf"
EMOJI_STRIKE = 109
"""Noto Color Emoji is a bitmap font with a single strike: it must be opened at this size."""


@dataclass(frozen=True)
class Family:
    name: str
    headline: Path
    body: Path
    cjk: Path
    caps: bool = False  # the face has capitals only (Bebas Neue): lower case is drawn as capitals
    tracking: float = 0.0  # extra letter spacing, in ems (headlines)


FAMILIES: dict[str, Family] = {
    "sans": Family("sans", FONT_DIR / "InterDisplay-Bold.otf", FONT_DIR / "Inter-SemiBold.otf", CJK_FONT),
    "serif": Family(
        "serif",
        FONT_DIR / "NotoSerifDisplay-SemiBold.ttf",
        FONT_DIR / "NotoSerifDisplay-Regular.ttf",
        SERIF_CJK_FONT,
    ),
    "display": Family(
        "display",
        FONT_DIR / "BebasNeue-Bold.otf",
        FONT_DIR / "InterDisplay-Bold.otf",
        CJK_FONT,
        caps=True,
        tracking=0.02,
    ),
    "rounded": Family("rounded", FONT_DIR / "Comfortaa-Bold.ttf", FONT_DIR / "Comfortaa-Bold.ttf", CJK_FONT),
    "handwriting": Family(
        "handwriting", FONT_DIR / "LobsterTwo-Bold.otf", FONT_DIR / "Inter-SemiBold.otf", CJK_FONT
    ),
    "mono": Family("mono", LATIN_FONT, LATIN_FONT, CJK_FONT),
}


@dataclass(frozen=True)
class Coverage:
    """The code points a font has glyphs for, as sorted inclusive ranges."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, codepoint: object) -> bool:
        if not isinstance(codepoint, int):
            return False
        i = bisect.bisect_right(self.starts, codepoint) - 1
        return i >= 0 and codepoint <= self.ends[i]


@cache
def _coverage_data() -> dict[str, list[list[int]]]:
    data: dict[str, list[list[int]]] = json.loads((FONT_DIR / "coverage.json").read_text())
    return data


@cache
def coverage(font: Path) -> Coverage:
    """Coverage of one of the bundled fonts (recorded in coverage.json by make_fonts.py)."""
    ranges = _coverage_data()[font.name]
    return Coverage(tuple(a for a, _ in ranges), tuple(b for _, b in ranges))


def family(name: str | None) -> Family:
    return FAMILIES.get(name or "sans", FAMILIES["sans"])


def bundled() -> list[Path]:
    paths = {LATIN_FONT, CJK_FONT, SERIF_CJK_FONT, EMOJI_FONT}
    for f in FAMILIES.values():
        paths |= {f.headline, f.body, f.cjk}
    return sorted(paths)


def missing_fonts() -> list[Path]:
    """Bundled font files that are not on disk (an incomplete install)."""
    return [p for p in bundled() if not p.is_file()]
