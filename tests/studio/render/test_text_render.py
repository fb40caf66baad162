"""Typography: Latin, CJK and colour emoji are drawn (not tofu), lines break at phrase boundaries and
between Chinese words (never inside one), and every style family ships with the package."""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.render.fonts import (
    CJK_FONT,
    EMOJI_FONT,
    FAMILIES,
    LATIN_FONT,
    SERIF_CJK_FONT,
    coverage,
    missing_fonts,
)
from studio.render.text import Look, composite, draw_block, layout_text


def lines_of(text: str, width: float, size: int = 60, family: str = "sans", max_lines: int = 4) -> list[str]:
    block = layout_text(text, Look(family=family, size=size, max_lines=max_lines), width)
    return ["".join(w.text + (" " if w.space else "") for w in line).strip() for line in block.lines]


def _glyph(font_path: object, char: str, size: int = 64) -> np.ndarray:
    font = ImageFont.truetype(str(font_path), size)
    img = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(img).text((size // 2, size // 2), char, font=font, fill=255)
    return np.asarray(img).astype(int)


def test_the_fonts_of_every_family_ship_with_the_package() -> None:
    assert missing_fonts() == []
    assert set(FAMILIES) >= {"sans", "serif", "display", "rounded", "handwriting", "mono"}
    assert ord("é") in coverage(LATIN_FONT) and 0x1F389 in coverage(EMOJI_FONT)
    assert all(ord(c) in coverage(CJK_FONT) for c in "夏か한")
    assert all(ord(c) in coverage(SERIF_CJK_FONT) for c in "香蜡烛限时")
    assert ord("薰") not in coverage(SERIF_CJK_FONT) and ord("薰") in coverage(
        CJK_FONT
    )  # rarer: the sans draws it
    for fam in FAMILIES.values():
        assert ord("A") in coverage(fam.headline) and ord("a") in coverage(fam.body)


def test_cjk_characters_are_real_glyphs_not_tofu() -> None:
    for font in (CJK_FONT, SERIF_CJK_FONT):
        notdef = _glyph(font, "\ue000")
        for char in "夏日运动鞋かな":
            glyph = _glyph(font, char)
            assert glyph.sum() > 0 and np.abs(glyph - notdef).mean() > 5, char


def test_chinese_breaks_between_words_never_inside_one() -> None:
    text = "香薰蜡烛限时八折，今天下单明天到"
    for width in (300, 420, 560, 700):
        lines = lines_of(text, width)
        assert "".join(lines) == text
        for a, b in itertools.pairwise(lines):
            assert not (a.endswith("蜡") and b.startswith("烛")), lines  # 蜡烛 (candle) stays whole
            assert not (a.endswith("香") and b.startswith("薰")), lines
            assert not b.startswith("，")


def test_captions_break_at_phrase_boundaries() -> None:
    assert lines_of("Keeps drinks cold for 24 hours, leak-proof lid", 1000) == [
        "Keeps drinks cold for 24 hours,",
        "leak-proof lid",
    ]
    two = lines_of("Works with Alexa and Google Home", 700)
    assert len(two) == 2 and not two[0].endswith(("and", "with")), two
    assert not any(line.endswith(" 24") for line in lines_of("Cold for 24 hours and hot for 12 hours", 520))


def test_text_too_long_shrinks_then_ends_with_an_ellipsis_after_a_whole_word() -> None:
    text = " ".join(["Handcrafted leather weekender bags made to last"] * 6)
    block = layout_text(text, Look(size=80, max_lines=3), 900)
    assert block.size < 80 and len(block.lines) == 3
    last = "".join(w.text for w in block.lines[-1][-1:])
    assert last == "…"


def test_emoji_are_drawn_in_colour_and_backings_make_text_readable() -> None:
    drawn = draw_block(layout_text("Party 🎉👍🏽", Look(size=80, backing="box", box_color=(20, 20, 20)), 900))
    img = composite(drawn).astype(int)
    opaque = img[..., 3] > 200
    saturation = img[..., :3].max(axis=-1) - img[..., :3].min(axis=-1)
    assert ((saturation > 80) & opaque).sum() > 300, "no coloured emoji pixels"
    assert (drawn.backing[..., 3] >= 190).mean() > 0.3  # a box behind the words
    assert len(drawn.words) == 2 and len(drawn.chars) >= 7  # words and characters known for animations


def test_a_zwj_family_is_one_emoji_not_three() -> None:
    family = layout_text("👨\u200d👩\u200d👧", Look(size=60), 900)
    three = layout_text("👨👩👧", Look(size=60), 900)
    assert family.width < three.width * 0.6
