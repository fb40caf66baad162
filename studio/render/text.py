"""Typography: text → laid-out lines of words → RGBA layers (glyphs and backing) for the compositor.

ffmpeg's drawtext neither wraps nor draws colour emoji, so every text is drawn here with Pillow.

- Characters are drawn with the family's fallback chain (`studio.render.fonts`): its Latin face,
  Noto Sans Bold, its CJK face, the sans CJK subset, then colour emoji.
- Words are what lines break between: Latin at spaces, CJK by the jieba segmenter (蜡烛 stays one
  word), emoji alone; closing punctuation stays on the line it closes.
- A Latin word is never broken across lines: a text whose longest word is wider than the line
  shrinks until it fits (only a word no readable size fits, a long URL, is cut).
- Lines break at phrase boundaries: a dynamic programme over the words minimises raggedness plus a
  cost for every break inside a phrase (after "the", "of", "with", …) and a bonus for breaks after
  punctuation, for the fewest lines that fit; a text that does not fit shrinks.
- A block is drawn as two layers, glyphs and backing (a box per line, an outline, a soft shadow or
  a scrim), with the box of every word and the x of every character kept, so the compositor can
  animate it (pop, slide, typewriter, word by word).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from studio.render.fonts import CJK_FONT, EMOJI_FONT, EMOJI_STRIKE, LATIN_FONT, Family, coverage, family

log = logging.getLogger(__name__)

_JOINERS = {0x200D, 0xFE0F, 0x20E3}
_NO_LINE_START = set("，。、；：！？）」』】》〉”’,.;:!?)]}%…")
_PHRASE_END = set(",;:—–，、；：")
_SENTENCE_END = set(".!?。！？")
# a line should not end on these (the phrase goes on): articles, prepositions, conjunctions
_GLUE = frozenset(
    """a an the of to for with and or but in on at by from into your our my their its this that
these those is are be as than so very more most no not new just""".split()
)
RGB = tuple[int, int, int]


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def clear_font_cache() -> None:
    """Close the font faces opened so far (a worker keeps no fonts mapped between renders)."""
    _font.cache_clear()


def has_cjk(text: str) -> bool:
    return any(_is_cjk(ord(c)) for c in text)


def _is_cjk(cp: int) -> bool:
    return (
        0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFFEF or 0xAC00 <= cp <= 0xD7A3
    )


def _is_emoji_start(cp: int, nxt: int | None) -> bool:
    if cp not in coverage(EMOJI_FONT):
        return False
    return cp >= 0x1F000 or nxt in (0xFE0F, 0x20E3) or cp not in coverage(LATIN_FONT)


def _font_for(cp: int, fam: Family, headline: bool) -> Path:
    latin = fam.headline if headline else fam.body
    if chr(cp).isspace():
        return latin
    for path in (latin, LATIN_FONT) if not _is_cjk(cp) else ():
        if cp in coverage(path):
            return path
    for path in (fam.cjk, CJK_FONT):
        if cp in coverage(path):
            return path
    if cp in coverage(EMOJI_FONT):
        return EMOJI_FONT
    return LATIN_FONT


def clusters(text: str, fam: Family, headline: bool) -> list[tuple[str, Path]]:
    """Split text into unbreakable clusters (an emoji sequence, or one character) with their font."""
    cps = [ord(c) for c in text if ord(c) != 0xFE0E]
    out: list[tuple[str, Path]] = []
    i = 0
    while i < len(cps):
        cp, nxt = cps[i], cps[i + 1] if i + 1 < len(cps) else None
        if _is_emoji_start(cp, nxt):
            j = i + 1
            if 0x1F1E6 <= cp <= 0x1F1FF and nxt is not None and 0x1F1E6 <= nxt <= 0x1F1FF:
                j += 1  # a flag: two regional indicators
            while j < len(cps) and (
                cps[j] in _JOINERS or 0x1F3FB <= cps[j] <= 0x1F3FF or 0xE0020 <= cps[j] <= 0xE007F
            ):
                j += 2 if cps[j] == 0x200D else 1  # a zero-width joiner takes the next emoji along
            out.append(("".join(map(chr, cps[i:j])), EMOJI_FONT))
            i = j
            continue
        out.append((chr(cp), _font_for(cp, fam, headline)))
        i += 1
    return out


@cache
def _jieba() -> object:
    import jieba  # pure Python; its dictionary loads on first use (~1 s), only for CJK text

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _segments(text: str) -> list[str]:
    """Text cut into words: CJK runs through jieba, everything else at spaces (spaces kept)."""
    if not has_cjk(text):
        return re.findall(r"\S+\s*|\s+", text)
    jieba = _jieba()
    words: list[str] = []
    for piece in re.findall(r"\S+\s*|\s+", text):
        if has_cjk(piece):
            words.extend(w for w in jieba.cut(piece) if w)  # type: ignore[attr-defined]
        else:
            words.append(piece)
    return words


def split_words(text: str) -> list[str]:
    """The words lines may break between (Latin at spaces, CJK by jieba), spaces kept."""
    return _segments(text)


@dataclass
class Word:
    clusters: list[tuple[str, Path]]
    space: bool  # followed by a space
    glue: float = 0.0  # cost of breaking the line after this word (negative: a good place)
    width: float = 0.0
    space_w: float = 0.0
    x: float = 0.0  # position in its line, set by the layout
    char_x: list[float] = field(default_factory=list)  # x of the end of every cluster, from the word's x

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.clusters)


def words_of(text: str, fam: Family, headline: bool) -> list[Word]:
    words: list[Word] = []
    for seg in _segments(text):
        stripped = seg.strip()
        if not stripped:
            if words:
                words[-1].space = True
            continue
        cl = clusters(stripped, fam, headline)
        if words and cl and cl[0][0] in _NO_LINE_START and not words[-1].space:
            words[-1].clusters.extend(cl)  # closing punctuation stays with its word
            words[-1].space = seg != stripped
            words[-1].glue = _glue(words[-1].text)
            continue
        words.append(Word(cl, seg != stripped, _glue(stripped)))
    return words


def _glue(word: str) -> float:
    last = word[-1]
    if last in _SENTENCE_END:
        return -3.0
    if last in _PHRASE_END:
        return -2.0
    if word.lower().strip("'’\"") in _GLUE:
        return 3.5
    if word[0].isdigit() or word[0] in "$€£¥#":
        return 3.0  # a number keeps its unit: "24 hours", "$19 only"
    return 0.0


@dataclass(frozen=True)
class Look:
    """How a text is drawn (resolved from the role, the style and the draft's text fields)."""

    family: str = "sans"
    headline: bool = False
    size: int = 60  # px
    color: RGB = (255, 255, 255)
    backing: str = "shadow"  # none | shadow | scrim | box | outline | outline-box
    box_color: RGB = (0, 0, 0)
    box_alpha: int = 200
    upper: bool = False
    tracking: float = 0.0  # ems
    max_lines: int = 3
    align: str = "center"  # center | left


@dataclass
class Block:
    lines: list[list[Word]]
    size: int
    line_h: int
    ascent: int
    widths: list[float]
    look: Look
    cut: bool = False  # the text did not fit and ends on "…"
    broken: bool = False  # a Latin word no readable size fits was cut across lines (a last resort)

    @property
    def width(self) -> float:
        return max(self.widths, default=0.0)

    @property
    def height(self) -> int:
        return self.line_h * len(self.lines)

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in line) for line in self.lines)


def _measure(words: list[Word], size: int, tracking: float) -> None:
    for w in words:
        x = 0.0
        w.char_x = []
        for run_text, font in _runs(w.clusters):
            if tracking and font != EMOJI_FONT:
                for ch in run_text:
                    x += _run_width(ch, font, size) + tracking * size
                    w.char_x.append(x)
            else:
                for ch_cluster in _cluster_split(run_text, font):
                    x += _run_width(ch_cluster, font, size)
                    w.char_x.append(x)
        w.width = x - (tracking * size if tracking and w.char_x else 0.0)
        w.space_w = _run_width(" ", LATIN_FONT, size) * (1.0 + tracking)


def _cluster_split(text: str, font: Path) -> list[str]:
    return [text] if font == EMOJI_FONT else list(text)


def _runs(cl: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    runs: list[tuple[str, Path]] = []
    for text, font in cl:
        if runs and runs[-1][1] == font and font != EMOJI_FONT:
            runs[-1] = (runs[-1][0] + text, font)
        else:
            runs.append((text, font))
    return runs


def _run_width(text: str, font: Path, size: int) -> float:
    if font == EMOJI_FONT:
        return float(_font(EMOJI_FONT, EMOJI_STRIKE).getlength(text)) * size / EMOJI_STRIKE
    return float(_font(font, size).getlength(text))


def _line_width(words: list[Word]) -> float:
    total = 0.0
    for n, w in enumerate(words):
        total += w.width + (w.space_w if n < len(words) - 1 and w.space else 0.0)
    return total


def _latin(word: Word) -> bool:
    return not any(_is_cjk(ord(c[0])) or f == EMOJI_FONT for c, f in word.clusters)


def _split_long(words: list[Word], max_w: float, latin: bool = False) -> list[Word]:
    """A CJK word wider than a line is cut between its characters (never happens for sane
    captions); a Latin word only when `latin` (a last resort: a URL no size can fit)."""
    out: list[Word] = []
    for w in words:
        if w.width <= max_w or len(w.clusters) < 2 or (_latin(w) and not latin):
            out.append(w)
            continue
        start = 0
        base = 0.0
        for i, x in enumerate(w.char_x):
            if x - base > max_w and i > start:
                piece = Word(w.clusters[start:i], False, 1.0)
                out.append(piece)
                start, base = i, w.char_x[i - 1]
        out.append(Word(w.clusters[start:], w.space, w.glue))
    return out


_PLAIN_WORD = re.compile(r"[^\W\d_]{1,18}(?:[-'’][^\W\d_]{1,18})?[.,:;!?…]?")


def break_lines(words: list[Word], max_w: float, max_lines: int) -> list[list[Word]] | None:
    """The best breaking of `words` into at most `max_lines` lines no wider than `max_w` (see the
    module docstring), or None when they need more lines."""
    n = len(words)
    if n == 0:
        return [[]]
    inf = float("inf")
    # best[k][i]: cost of words[:i] in k lines
    best = [[inf] * (n + 1) for _ in range(max_lines + 1)]
    back = [[0] * (n + 1) for _ in range(max_lines + 1)]
    best[0][0] = 0.0
    widths: dict[tuple[int, int], float] = {}
    for i in range(n):
        for j in range(i + 1, n + 1):
            w = _line_width(words[i:j])
            if w > max_w and j > i + 1:
                break
            widths[(i, j)] = w
    for k in range(1, max_lines + 1):
        for j in range(1, n + 1):
            for i in range(j):
                if best[k - 1][i] == inf or (i, j) not in widths:
                    continue
                slack = (max_w - widths[(i, j)]) / max_w
                cost = best[k - 1][i] + slack * slack * 4.0
                if j < n:
                    cost += words[j - 1].glue
                if cost < best[k][j]:
                    best[k][j], back[k][j] = cost, i
    fewest = next((k for k in range(1, max_lines + 1) if best[k][n] < inf), None)
    if fewest is None:
        return None
    # one more line than the fewest is taken only when it breaks much better (a phrase kept whole)
    k = fewest
    if fewest < max_lines and best[fewest + 1][n] < best[fewest][n] - 2.5:
        k = fewest + 1
    lines: list[list[Word]] = []
    j = n
    while k > 0:
        i = back[k][j]
        lines.append(words[i:j])
        j, k = i, k - 1
    lines.reverse()
    return lines


def layout_text(text: str, look: Look, max_w: float, min_size: int | None = None) -> Block:
    """Lay `text` out in `look` within `max_w` px: its lines (shrinking the size until it fits in
    `look.max_lines` lines, down to `min_size`, then cutting with an ellipsis)."""
    fam = family(look.family)
    shown = text.strip()
    if look.upper or fam.caps:
        shown = shown.upper()
    size = look.size
    floor = min(look.size, min_size or max(12, round(look.size * 0.6)))
    tracking = look.tracking + (fam.tracking if look.headline else 0.0)
    while True:
        words = words_of(shown.replace("\n", " "), fam, look.headline)
        _measure(words, size, tracking)
        # a Latin word is never broken: the text shrinks until its longest word fits a line
        latin = [w for w in words if _latin(w)]
        widest = max((w.width for w in latin), default=0.0)
        if widest > max_w:
            fits = int(size * max_w / widest)
            # an ordinary word ("HANDMADE") shrinks as far as it must; only a word no size can fit
            # (a long URL) is cut, and under three quarters of the floor
            plain = all(_PLAIN_WORD.fullmatch(w.text) for w in latin if w.width > max_w)
            last_resort = 12 if plain else max(12, round(floor * 0.75))
            if fits >= last_resort:
                size = min(size - 1, fits)
                continue
            size = last_resort
            _measure(words, size, tracking)
        count = len(words)
        words = _split_long(words, max_w, latin=True)
        broken = len(words) > count
        _measure(words, size, tracking)
        lines = break_lines(words, max_w, look.max_lines)
        if lines is not None or size <= floor:
            break
        size = max(floor, round(size * 0.9))
    cut = lines is None
    if lines is None:  # still too long: as many words as fit, then an ellipsis
        lines = break_lines(words, max_w, 99) or [words]
        lines = lines[: look.max_lines]
        last = lines[-1]
        last.append(Word([("…", LATIN_FONT)], False))
        _measure(last[-1:], size, tracking)
        while len(last) > 1 and _line_width(last) > max_w:
            del last[-2]
    ascent, descent = _font(LATIN_FONT, size).getmetrics()
    line_h = round((ascent + descent) * (1.0 if look.headline else 1.08))
    widths = []
    for line in lines:
        x = 0.0
        for n, w in enumerate(line):
            w.x = x
            x += w.width + (w.space_w if n < len(line) - 1 and w.space else 0.0)
        widths.append(x)
    return Block(lines, size, line_h, ascent, widths, Look(**{**look.__dict__, "size": size}), cut, broken)


def _emoji_image(text: str, size: int) -> Image.Image:
    """A colour emoji run drawn at the font's only strike, un-premultiplied, scaled to `size`."""
    font = _font(EMOJI_FONT, EMOJI_STRIKE)
    ascent, descent = font.getmetrics()
    im = Image.new("RGBA", (max(1, int(font.getlength(text))) + 4, ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(im).text((2, ascent), text, font=font, anchor="ls", embedded_color=True)
    px = np.asarray(im).astype(np.float32)
    alpha = px[..., 3:4]
    px[..., :3] = np.where(alpha > 0, np.clip(px[..., :3] * 255.0 / np.maximum(alpha, 1.0), 0, 255), 0)
    im = Image.fromarray(px.round().astype(np.uint8), "RGBA")
    scale = size / EMOJI_STRIKE
    return im.resize(
        (max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS
    )


@dataclass
class Drawn:
    """A drawn block: the glyph layer and the backing layer (RGBA, same size), where each line and
    word is in them, and the x where each character ends (for typewriter reveals)."""

    glyphs: np.ndarray  # (h, w, 4) uint8, straight alpha
    backing: np.ndarray  # (h, w, 4) uint8
    words: list[tuple[int, int, int, int]]  # x0, y0, x1, y1 of each word in reading order
    lines: list[tuple[int, int, int, int]]
    chars: list[tuple[int, int, int]]  # (line index, x end, y) of each character in reading order
    pad: int

    @property
    def size(self) -> tuple[int, int]:
        return self.glyphs.shape[1], self.glyphs.shape[0]


def draw_block(block: Block, max_w: float | None = None) -> Drawn:
    look = block.look
    size = block.size
    pad = round(size * (0.55 if look.backing in ("box", "outline-box") else 0.35))
    if look.backing == "scrim":
        pad = round(size * 0.9)
    inner_w = max(block.width, 1.0)
    w = int(inner_w) + 2 * pad + 2
    h = block.height + 2 * pad
    mask = Image.new("L", (w, h), 0)
    emoji = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(mask)
    tracking = look.tracking + (family(look.family).tracking if look.headline else 0.0)
    words: list[tuple[int, int, int, int]] = []
    lines: list[tuple[int, int, int, int]] = []
    chars: list[tuple[int, int, int]] = []
    for n, (line, line_w) in enumerate(zip(block.lines, block.widths, strict=True)):
        x0 = pad + ((inner_w - line_w) / 2 if look.align == "center" else 0.0)
        top = pad + n * block.line_h
        baseline = top + block.ascent
        lines.append((round(x0), top, round(x0 + line_w), top + block.line_h))
        for word in line:
            x = x0 + word.x
            words.append((round(x), top, round(x + word.width), top + block.line_h))
            for run_text, font in _runs(word.clusters):
                if font == EMOJI_FONT:
                    im = _emoji_image(run_text, size)
                    emoji.alpha_composite(im, (max(0, round(x)), max(0, baseline - round(im.height * 0.79))))
                    x += _run_width(run_text, font, size)
                    chars.append((n, round(x), top))
                elif tracking:
                    for ch in run_text:
                        draw.text((x, baseline), ch, font=_font(font, size), fill=255, anchor="ls")
                        x += _run_width(ch, font, size) + tracking * size
                        chars.append((n, round(x), top))
                else:
                    draw.text((x, baseline), run_text, font=_font(font, size), fill=255, anchor="ls")
                    for i in range(1, len(run_text) + 1):
                        chars.append((n, round(x + _run_width(run_text[:i], font, size)), top))
                    x += _run_width(run_text, font, size)
            if word.space:
                chars.append((n, round(x + word.space_w), top))
    glyphs = np.zeros((h, w, 4), np.uint8)
    glyphs[..., :3] = look.color
    glyphs[..., 3] = np.asarray(mask)
    em = np.asarray(emoji)
    if em[..., 3].any():
        a = em[..., 3:4].astype(np.float32) / 255.0
        glyphs[..., :3] = (glyphs[..., :3] * (1 - a) + em[..., :3] * a).astype(np.uint8)
        glyphs[..., 3] = np.maximum(glyphs[..., 3], em[..., 3])
    backing = _backing(look, np.asarray(mask), lines, size, pad, (w, h))
    return Drawn(glyphs, backing, words, lines, chars, pad)


def _backing(
    look: Look,
    mask: np.ndarray,
    lines: list[tuple[int, int, int, int]],
    size: int,
    pad: int,
    wh: tuple[int, int],
) -> np.ndarray:
    w, h = wh
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    kind = look.backing
    if kind in ("box", "outline-box"):
        d = ImageDraw.Draw(out)
        px, py = round(size * 0.32), round(size * 0.1)
        radius = round(size * (0.18 if kind == "box" else 0.0))
        for x0, y0, x1, y1 in lines:
            rect = (
                max(0, x0 - px),
                max(0, y0 - py + round(size * 0.05)),
                min(w - 1, x1 + px),
                min(h - 1, y1 + py - round(size * 0.02)),
            )
            if kind == "box":
                d.rounded_rectangle(rect, radius=radius, fill=(*look.box_color, look.box_alpha))
            else:
                d.rectangle(
                    rect,
                    outline=(*look.box_color, 255),
                    width=max(2, round(size * 0.05)),
                    fill=(*look.box_color, 0),
                )
    elif kind == "scrim":  # a soft-edged plate: its full opacity under every letter
        plate = Image.new("L", (w, h), 0)
        px0 = min(line[0] for line in lines) - size * 0.4
        px1 = max(line[2] for line in lines) + size * 0.4
        py0 = min(line[1] for line in lines) - size * 0.12
        py1 = max(line[3] for line in lines) + size * 0.12
        ImageDraw.Draw(plate).rounded_rectangle(
            (max(0.0, px0), max(0.0, py0), min(w - 1.0, px1), min(h - 1.0, py1)),
            radius=round(size * 0.45),
            fill=look.box_alpha,
        )
        arr = np.zeros((h, w, 4), np.uint8)
        arr[..., :3] = look.box_color
        arr[..., 3] = np.asarray(plate.filter(ImageFilter.GaussianBlur(size * 0.18)))
        out = Image.fromarray(arr, "RGBA")
    if kind in ("shadow", "scrim", "outline", "outline-box"):
        glyph = Image.fromarray(mask, "L")
        if kind == "outline":
            grown = glyph.filter(ImageFilter.MaxFilter(_odd(size * 0.09)))
            layer = Image.new("RGBA", (w, h), (*look.box_color, 0))
            layer.putalpha(grown.point(lambda v: min(255, v * 2)))
            out.alpha_composite(layer)
        soft = glyph.filter(ImageFilter.GaussianBlur(max(1.0, size * 0.08)))
        dy = round(size * 0.04)
        layer = Image.new("RGBA", (w, h), (*look.box_color, 0))
        shadow = Image.new("L", (w, h), 0)
        shadow.paste(soft.point(lambda v: int(v * 0.85)).crop((0, 0, w, h - dy)), (0, dy))
        layer.putalpha(shadow)
        out.alpha_composite(layer)
    return np.asarray(out).copy()


def _odd(v: float) -> int:
    n = max(3, round(v))
    return n if n % 2 else n + 1


def composite(drawn: Drawn) -> np.ndarray:
    """Glyphs over backing: the block's final RGBA."""
    if not drawn.glyphs[..., 3].any():  # a backing revealed before its words: nothing to blend
        return drawn.backing.copy()
    g = drawn.glyphs.astype(np.float32) / 255.0
    b = drawn.backing.astype(np.float32) / 255.0
    ga, ba = g[..., 3:4], b[..., 3:4]
    a = ga + ba * (1 - ga)
    rgb = (g[..., :3] * ga + b[..., :3] * ba * (1 - ga)) / np.maximum(a, 1e-6)
    return np.concatenate([rgb, a], axis=-1).__mul__(255.0).round().clip(0, 255).astype(np.uint8)
