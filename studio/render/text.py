"""Text → RGBA images for the studio's overlays (titles, captions, calls to action).

ffmpeg's drawtext neither wraps nor draws colour emoji, so the renderer draws every text once here
with Pillow and overlays the image. Characters are drawn with the bundled fallback chain of
`studio.render.fonts` (Latin, then CJK, then colour emoji), lines are wrapped to the frame's width (at spaces,
and anywhere between CJK characters or emoji), and each role has its own look:

- title: big, centred, white with a soft drop shadow;
- caption: lower third, white on a rounded translucent plate;
- cta: white on a bright pill.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from studio.render.fonts import CJK_FONT, EMOJI_FONT, EMOJI_STRIKE, LATIN_FONT, coverage

log = logging.getLogger(__name__)

ROLES = ("title", "caption", "cta")
_SIZE = {"title": 0.09, "caption": 0.05, "cta": 0.06}  # font size as a share of the frame's short side
_MAX_LINES = {"title": 3, "caption": 3, "cta": 2}
_WIDTH = 0.86  # wrap width as a share of the frame's width
_JOINERS = {0x200D, 0xFE0F, 0x20E3}
_CTA_COLOUR = (236, 72, 153)


@dataclass(frozen=True)
class TextImage:
    """An overlay: the RGBA image and where its top-left corner goes in the frame."""

    image: Image.Image
    x: int
    y: int


@dataclass(frozen=True)
class _Run:
    text: str
    font: Path


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def clear_font_cache() -> None:
    """Close the font faces opened so far (a worker keeps no fonts mapped between renders)."""
    _font.cache_clear()


def _is_emoji_start(cp: int, nxt: int | None) -> bool:
    if cp not in coverage(EMOJI_FONT):
        return False
    return cp >= 0x1F000 or nxt in (0xFE0F, 0x20E3) or cp not in coverage(LATIN_FONT)


def _clusters(text: str) -> list[tuple[str, Path]]:
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
            while j < len(cps) and (cps[j] in _JOINERS or 0x1F3FB <= cps[j] <= 0x1F3FF
                                    or 0xE0020 <= cps[j] <= 0xE007F):
                j += 2 if cps[j] == 0x200D else 1  # a zero-width joiner takes the next emoji along
            out.append(("".join(map(chr, cps[i:j])), EMOJI_FONT))
            i = j
            continue
        if cp in coverage(LATIN_FONT) or chr(cp).isspace():
            font = LATIN_FONT
        elif cp in coverage(CJK_FONT):
            font = CJK_FONT
        elif cp in coverage(EMOJI_FONT):
            font = EMOJI_FONT
        else:
            font = LATIN_FONT
        out.append((chr(cp), font))
        i += 1
    return out


def _breaks_anywhere(cluster: str, font: Path) -> bool:
    cp = ord(cluster[0])
    return font == EMOJI_FONT or 0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFFEF


_NO_LINE_START = set("，。、；：！？）」』】》〉”’,.;:!?)]}%")


def _tokens(text: str) -> list[list[tuple[str, Path]]]:
    """Words: the pieces a line may break between (a space ends a word; CJK and emoji stand alone)."""
    tokens: list[list[tuple[str, Path]]] = []
    current: list[tuple[str, Path]] = []
    for cluster, font in _clusters(text):
        if cluster in _NO_LINE_START and not current and tokens:
            tokens[-1].append((cluster, font))  # keep closing punctuation on the line it closes
            continue
        if _breaks_anywhere(cluster, font):
            if current:
                tokens.append(current)
            tokens.append([(cluster, font)])
            current = []
            continue
        current.append((cluster, font))
        if cluster.isspace():
            tokens.append(current)
            current = []
    if current:
        tokens.append(current)
    return tokens


def _runs(clusters: list[tuple[str, Path]]) -> list[_Run]:
    runs: list[_Run] = []
    for cluster, font in clusters:
        if runs and runs[-1].font == font:
            runs[-1] = _Run(runs[-1].text + cluster, font)
        else:
            runs.append(_Run(cluster, font))
    return runs


def _run_width(run: _Run, size: int) -> float:
    if run.font == EMOJI_FONT:
        return _font(EMOJI_FONT, EMOJI_STRIKE).getlength(run.text) * size / EMOJI_STRIKE
    return _font(run.font, size).getlength(run.text)


def _width(clusters: list[tuple[str, Path]], size: int) -> float:
    return sum(_run_width(r, size) for r in _runs(clusters))


def _strip(line: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    while line and line[-1][0].isspace():
        line = line[:-1]
    while line and line[0][0].isspace():
        line = line[1:]
    return line


def wrap(text: str, size: int, max_width: float) -> list[list[tuple[str, Path]]]:
    """Greedy line breaking of `text` at font size `size` into lines no wider than `max_width`."""
    lines: list[list[tuple[str, Path]]] = []
    for paragraph in text.replace("\r", "").split("\n"):
        line: list[tuple[str, Path]] = []
        for token in _tokens(paragraph):
            if line and _width(_strip([*line, *token]), size) > max_width:
                lines.append(_strip(line))
                line = []
            if not line and _width(_strip(token), size) > max_width:  # a word longer than a line
                for cluster in token:
                    if line and _width([*line, cluster], size) > max_width:
                        lines.append(_strip(line))
                        line = []
                    line.append(cluster)
                continue
            line.extend(token)
        lines.append(_strip(line))
    return [ln for ln in lines if ln] or [[]]


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
    size_px = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    return im.resize(size_px, Image.Resampling.LANCZOS)


def _draw_lines(lines: list[list[tuple[str, Path]]], size: int, pad: int) -> tuple[Image.Image, Image.Image]:
    """Draw the lines centred: (alpha mask of the glyphs, RGBA layer of the colour emoji)."""
    ascent, descent = _font(LATIN_FONT, size).getmetrics()
    line_h = round((ascent + descent) * 1.08)
    widths = [_width(line, size) for line in lines]
    w = int(max(widths)) + 2 * pad
    h = line_h * len(lines) + 2 * pad
    mask = Image.new("L", (w, h), 0)
    emoji = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(mask)
    for n, (line, line_w) in enumerate(zip(lines, widths, strict=True)):
        x = pad + (w - 2 * pad - line_w) / 2
        baseline = pad + n * line_h + ascent
        for run in _runs(line):
            if run.font == EMOJI_FONT:
                im = _emoji_image(run.text, size)
                top = baseline - round(im.height * 0.79)
                emoji.alpha_composite(im, (max(0, round(x)), max(0, top)))
            else:
                draw.text((x, baseline), run.text, font=_font(run.font, size), fill=255, anchor="ls")
            x += _run_width(run, size)
    return mask, emoji


def _layout(text: str, role: str, width: int, height: int) -> tuple[list[list[tuple[str, Path]]], int]:
    size = round(min(width, height) * _SIZE[role])
    limit = width * _WIDTH - size  # room for the plate's padding
    most = _MAX_LINES[role] + (1 if role == "title" and height >= width else 0)  # room above and below
    lines = wrap(text, size, limit)
    while len(lines) > most and size > min(width, height) * _SIZE[role] * 0.6:
        size = round(size * 0.88)
        lines = wrap(text, size, limit)
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1][:-1]
        spaces = [n for n, (cluster, _f) in enumerate(last) if cluster.isspace()]
        lines[-1] = [*_strip(last[:spaces[-1]] if spaces else last), ("…", LATIN_FONT)]  # whole words
    elif len(lines) > 1:
        lines = _balanced(text, size, limit, len(lines))
    return lines, size


def _balanced(text: str, size: int, limit: float, count: int) -> list[list[tuple[str, Path]]]:
    """The same number of lines at the narrowest width that keeps it: even lines, no lone last word
    ("Works with Alexa and Google" / "Home" → "Works with Alexa" / "and Google Home")."""
    lo, hi = limit / count, limit
    while hi - lo > 2:
        mid = (lo + hi) / 2
        if len(wrap(text, size, mid)) <= count:
            hi = mid
        else:
            lo = mid
    return wrap(text, size, hi)


def text_image(text: str, role: str, width: int, height: int) -> Image.Image:
    """Draw `text` in the style of `role` for a `width`x`height` frame; cropped RGBA image."""
    role = role if role in ROLES else "caption"
    lines, size = _layout(text.strip(), role, width, height)
    pad = round(size * 0.5)
    mask, emoji = _draw_lines(lines, size, pad)
    w, h = mask.size
    fill = Image.new("RGBA", (w, h), (255, 255, 255, 255))
    fill.putalpha(mask)
    fill.alpha_composite(emoji)
    glyphs = fill
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    if role == "title":
        alpha = glyphs.getchannel("A")
        soft = alpha.filter(ImageFilter.GaussianBlur(size * 0.12)).point(lambda v: int(v * 0.75))
        tight = alpha.filter(ImageFilter.GaussianBlur(max(1.0, size * 0.03))).point(lambda v: int(v * 0.6))
        for shadow, dy in ((soft, round(size * 0.05)), (tight, round(size * 0.02))):
            layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            layer.paste((0, 0, 0, 255), (0, dy), shadow.crop((0, 0, w, h - dy)))
            out.alpha_composite(layer)
    else:
        box = glyphs.getbbox() or (pad, pad, w - pad, h - pad)
        px, py = round(size * 0.45), round(size * 0.28)
        plate = (max(0, box[0] - px), max(0, box[1] - py), min(w - 1, box[2] + px), min(h - 1, box[3] + py))
        colour = (*_CTA_COLOUR, 245) if role == "cta" else (12, 12, 16, 165)
        radius = (plate[3] - plate[1]) // 2 if role == "cta" else round(size * 0.35)
        ImageDraw.Draw(out).rounded_rectangle(plate, radius=radius, fill=colour)
    out.alpha_composite(glyphs)
    return out.crop(out.getbbox() or (0, 0, 1, 1))


def place(image: Image.Image, role: str, pos: str | None, width: int, height: int) -> tuple[int, int]:
    """Top-left corner of a text image in the frame: centred horizontally, vertically by `pos`.

    Defaults: titles in the centre, captions and calls to action in the lower third. Vertical (9:16)
    frames keep a larger bottom margin, clear of the players' own buttons.
    """
    pos = pos if pos in ("top", "center", "bottom") else ("center" if role == "title" else "bottom")
    x = (width - image.width) // 2
    if pos == "top":
        y = round(height * (0.10 if height > width else 0.08))
    elif pos == "center":
        y = (height - image.height) // 2
    else:
        y = height - image.height - round(height * (0.16 if height > width else 0.09))
    return max(0, x), max(0, y)


def render_text(text: str, role: str, pos: str | None, width: int, height: int) -> TextImage:
    """The overlay for one text item of a draft: its image and its place in the frame."""
    image = text_image(text, role, width, height)
    x, y = place(image, role, pos, width, height)
    log.debug("text %r (%s) → %dx%d at %d,%d", text[:40], role, image.width, image.height, x, y)
    return TextImage(image, x, y)
