"""Text overlays: Latin, CJK and colour emoji are drawn (not tofu), wrapped and placed per role."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.render.fonts import CJK_FONT, EMOJI_FONT, LATIN_FONT, coverage, missing_fonts
from studio.render.text import place, render_text, text_image, wrap


def _glyph(font_path: object, char: str, size: int = 64) -> np.ndarray:
    font = ImageFont.truetype(str(font_path), size)
    img = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(img).text((size // 2, size // 2), char, font=font, fill=255)
    return np.asarray(img).astype(int)


def _alpha(img: Image.Image) -> np.ndarray:
    return np.asarray(img.getchannel("A")).astype(int)


def test_the_fonts_ship_with_the_package() -> None:
    assert missing_fonts() == []
    assert ord("A") in coverage(LATIN_FONT) and ord("é") in coverage(LATIN_FONT)
    assert all(ord(c) in coverage(CJK_FONT) for c in "夏か한")
    assert 0x1F389 in coverage(EMOJI_FONT)
    assert 0xE000 not in coverage(CJK_FONT)


def test_cjk_characters_are_real_glyphs_not_tofu() -> None:
    notdef = _glyph(CJK_FONT, "\ue000")  # an unmapped code point draws the .notdef box
    assert notdef.sum() > 0
    for char in "夏日运动鞋かな한글":
        glyph = _glyph(CJK_FONT, char)
        assert glyph.sum() > 0 and np.abs(glyph - notdef).mean() > 5, char


def test_cjk_title_image_differs_from_a_row_of_tofu() -> None:
    cjk = _alpha(text_image("夏日新品", "title", 1920, 1080))
    tofu = _alpha(text_image("\ue000\ue001\ue002\ue003", "title", 1920, 1080))
    assert (cjk > 128).sum() > 2000
    h, w = min(cjk.shape[0], tofu.shape[0]), min(cjk.shape[1], tofu.shape[1])
    assert np.abs(cjk[:h, :w] - tofu[:h, :w]).mean() > 20


def test_emoji_are_drawn_in_colour() -> None:
    img = np.asarray(text_image("Party 🎉👍🏽", "caption", 1920, 1080)).astype(int)
    opaque = img[..., 3] > 200
    saturation = img[..., :3].max(axis=-1) - img[..., :3].min(axis=-1)
    assert ((saturation > 80) & opaque).sum() > 300, "no coloured emoji pixels"


def test_a_zwj_family_is_one_emoji_not_three() -> None:
    family = text_image("👨\u200d👩\u200d👧", "caption", 1920, 1080)
    three = text_image("👨👩👧", "caption", 1920, 1080)
    assert family.width < three.width * 0.6


def test_long_captions_wrap_inside_the_frame() -> None:
    caption = "Double-walled steel keeps drinks cold for twenty-four hours, and the lid never leaks"
    for width, height in ((1920, 1080), (1080, 1920)):
        img = text_image(caption, "caption", width, height)
        assert img.width <= width * 0.9
        one_line = text_image("Double", "caption", width, height)
        assert img.height > one_line.height * 1.6  # at least two lines


def test_chinese_wraps_between_characters_but_not_before_a_comma() -> None:
    lines = wrap("轻盈透气，全天舒适，夏日必备的运动鞋，现在下单立享优惠，" * 2, 54, 500)
    assert len(lines) > 2
    font = ImageFont.truetype(str(CJK_FONT), 54)
    for line in lines:
        chars = "".join(c for c, _ in line)
        assert font.getlength(chars) <= 500 + 1
        assert not chars.startswith("，")


def test_latin_wraps_only_at_spaces() -> None:
    lines = wrap("Leak proof lid fits every cup holder", 54, 400)
    words = ["".join(c for c, _ in line).split() for line in lines]
    assert [w for line in words for w in line] == "Leak proof lid fits every cup holder".split()


def test_roles_are_placed_where_viewers_expect_them() -> None:
    title = render_text("Summer", "title", None, 1920, 1080)
    assert abs(title.y + title.image.height / 2 - 540) < 5
    assert abs(title.x + title.image.width / 2 - 960) < 2
    caption = render_text("Light and cold", "caption", None, 1920, 1080)
    assert caption.y > 1080 * 0.66
    vertical = render_text("Light and cold", "caption", "bottom", 1080, 1920)
    assert 1920 - (vertical.y + vertical.image.height) >= 1920 * 0.15  # clear of the players' buttons
    top = render_text("Shop", "cta", "top", 1080, 1080)
    assert top.y < 1080 * 0.2
    x, y = place(Image.new("RGBA", (100, 50)), "caption", "center", 1080, 1080)
    assert (x, y) == (490, 515)


def _layout_lines(text: str, role: str, width: int, height: int) -> list[str]:
    from studio.render.text import _layout

    lines, _size = _layout(text, role, width, height)
    return ["".join(cluster for cluster, _font in line) for line in lines]


def test_a_two_line_caption_is_balanced_not_a_lonely_last_word() -> None:
    lines = _layout_lines("Works with Alexa and Google Home", "caption", 1080, 1080)
    assert lines == ["Works with Alexa", "and Google Home"]
    cjk = _layout_lines("适合户外旅行和日常通勤使用的保温杯，轻巧便携", "caption", 1080, 1920)
    assert len(cjk) == 2 and abs(len(cjk[0]) - len(cjk[1])) <= 2, cjk


def test_a_long_title_is_shown_whole_in_vertical_and_square_frames() -> None:
    name = "The Most Incredible Handcrafted Leather Weekender Bag You Will Ever Own"
    for width, height in ((1080, 1920), (1080, 1080)):
        assert " ".join(_layout_lines(name, "title", width, height)) == name


def test_text_too_long_to_fit_ends_with_an_ellipsis_after_a_whole_word() -> None:
    text = " ".join(["Handcrafted leather weekender bags made to last"] * 6)
    last = _layout_lines(text, "caption", 1080, 1920)[-1]
    assert last.endswith("…") and last[:-1].split()[-1] in text.split()
