"""One-dimension readers over the lexicons and `dims`: a length, a canvas, a mood, a corner.

Each reads English and Chinese whatever the reply language is, and returns None when the text does
not say the thing (never a guess). The grammar does not use these (it reads all dimensions at once,
`tokens.read`); they are the small public helpers for callers and tests.
"""

from __future__ import annotations

from studio.director import tokens
from studio.director.dims import zh_number
from studio.director.items import find_quotes
from studio.director.lexicon import lexicon

__all__ = ["find_quotes", "parse_aspect", "parse_corner", "parse_duration", "parse_mood", "zh_number"]


def parse_duration(text: str) -> int | None:
    """The length the text asks for, in ms (not clamped): '30-second', '30s', 'half a minute', '一分钟'."""
    return next((int(it.value) for it in tokens.read(text).items if it.has("dur")), None)


def parse_aspect(text: str) -> str | None:
    """'vertical', 'TikTok', '9:16', '竖屏' → '9:16'; 'square' → '1:1'; 'YouTube', '横屏' → '16:9';
    'Instagram feed' → '4:5'; '小红书' → '3:4'. A ratio or a shape word beats a platform."""
    items = tokens.read(text).items
    said = [str(it.value) for it in items if it.has("ratio")] + [
        str(it.key("aspect")) for it in items if it.has("aspect")
    ]
    platforms = [lexicon().platforms[str(it.key("platform"))] for it in items if it.has("platform")]
    choices = said or platforms
    return choices[0] if choices else None


def parse_mood(text: str) -> str | None:
    """'upbeat music', '欢快' → 'upbeat'; 'relaxing', '舒缓' → 'calm'; 'lo-fi' → 'lofi'."""
    return next((it.key("mood") for it in tokens.read(text).items if it.has("mood")), None)


def parse_corner(text: str) -> str | None:
    """'top left', 'in the upper-right corner', '左上角' → 'top-left', ... (corners only)."""
    return next((k for it in tokens.read(text).items for k in it.keys("position") if "-" in k), None)
