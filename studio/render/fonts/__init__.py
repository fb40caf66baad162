"""The studio's bundled fonts (OFL, see OFL.txt) and which characters each one draws.

Text is drawn with a fallback chain: Noto Sans Bold (Latin, Greek, Cyrillic), then the CJK subset of
Noto Sans CJK SC Bold (Chinese, Japanese kana, Korean Hangul), then Noto Color Emoji. The files ship
inside the package, so nothing is looked up on the system or fetched at run time.
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
EMOJI_FONT = FONT_DIR / "NotoColorEmoji.ttf"
EMOJI_STRIKE = 109
"""Noto Color Emoji is a bitmap font with a single strike: it must be opened at this size."""


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
def coverage(font: Path) -> Coverage:
    """Coverage of one of the bundled fonts (recorded in coverage.json by make_fonts.py)."""
    data: dict[str, list[list[int]]] = json.loads((FONT_DIR / "coverage.json").read_text())
    ranges = data[font.name]
    return Coverage(tuple(a for a, _ in ranges), tuple(b for _, b in ranges))


def missing_fonts() -> list[Path]:
    """Bundled font files that are not on disk (an incomplete install)."""
    return [p for p in (LATIN_FONT, CJK_FONT, EMOJI_FONT) if not p.is_file()]
