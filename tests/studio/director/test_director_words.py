"""The director reads lengths, shapes, quotes, moods and corners the way people write them
(`studio.director.dims` and the lexicons, through the one-dimension readers of `words`)."""

from __future__ import annotations

import pytest

from studio.director import tokens
from studio.director.words import (
    find_quotes,
    parse_aspect,
    parse_corner,
    parse_duration,
    parse_mood,
    zh_number,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("make a 30-second video", 30000),
        ("30s please", 30000),
        ("about 30 sec", 30000),
        ("45 seconds long", 45000),
        ("twenty seconds", 20000),
        ("forty-five seconds", 45000),
        ("half a minute", 30000),
        ("1 minute", 60000),
        ("a minute", 60000),
        ("one minute video", 60000),
        ("1.5 minutes", 90000),
        ("a minute and a half", 90000),
        ("2 min", 120000),
        ("1 min 30 s", 90000),
        ("1m30s", 90000),
        ("12.5 seconds", 12500),
        ("30秒", 30000),
        ("做一个三十秒的视频", 30000),
        ("十五秒", 15000),
        ("四十五秒钟", 45000),
        ("一分钟", 60000),
        ("两分钟", 120000),
        ("半分钟", 30000),
        ("一分半", 90000),
        ("1分30秒", 90000),
        ("15s", 15000),
        ("1:30", 90000),
        ("2:15 long", 135000),
        ("a minute", 60000),
        ("one and a half minutes", 90000),
        ("做一个TikTok视频，15s", 15000),
        ("一分半钟", 90000),
        ("一分三十秒", 90000),
        ("３０秒", 30000),  # full-width digits
    ],
)
def test_duration_is_read_in_both_languages(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize(
    "text",
    [
        "move shot 3 first",
        "swap shots 1 and 2",
        "make it vertical",
        "9:16 please",
        "the 3 shots look great",
        "move photo 3 second",
        "十分好看",
        "把第二个镜头放到最后",
        "1080p",
    ],
)
def test_text_without_a_length_has_no_duration(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("make it vertical", "9:16"),
        ("portrait please", "9:16"),
        ("9:16", "9:16"),
        ("for TikTok", "9:16"),
        ("for Instagram Reels", "9:16"),
        ("YouTube Shorts", "9:16"),
        ("竖屏", "9:16"),
        ("做成抖音的", "9:16"),
        ("square", "1:1"),
        ("1:1", "1:1"),
        ("方形", "1:1"),
        ("正方形的", "1:1"),
        ("16:9", "16:9"),
        ("landscape", "16:9"),
        ("for YouTube", "16:9"),
        ("横屏", "16:9"),
        ("horizontal", "16:9"),
        ("4:5", "4:5"),
        ("for the instagram feed", "4:5"),
        (
            "an Instagram post",
            "4:5",
        ),  # the feed's portrait format (it was 1:1 when there were three canvases)
        ("3:4", "3:4"),
        ("小红书", "3:4"),
        ("视频号", "9:16"),
        ("square video for instagram", "1:1"),  # a shape word beats a platform
        ("1080x1920", "9:16"),
    ],
)
def test_aspect_words_map_to_the_five_canvases(text: str, aspect: str) -> None:
    assert parse_aspect(text) == aspect


@pytest.mark.parametrize(
    "text",
    ["a video for my summer shorts collection", "photos from Times Square", "make it 30 seconds", "加点音乐"],
)
def test_words_that_only_look_like_formats_are_ignored(text: str) -> None:
    assert parse_aspect(text) is None


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("change the title to “Summer Sale”", "Summer Sale"),
        ('title "Big Day"', "Big Day"),
        ("标题改成「夏日球鞋」", "夏日球鞋"),
        ("call it 'Grand Opening'", "Grand Opening"),
        ("call it ‘Fresh Start’", "Fresh Start"),
    ],
)
def test_quoted_text_is_found_in_every_quote_style(text: str, inner: str) -> None:
    assert [q[2] for q in find_quotes(text)] == [inner]


def test_apostrophes_are_not_quotes() -> None:
    assert find_quotes("it's my mom's birthday, isn't it") == []


def test_quoted_words_are_one_item_and_never_read_as_commands() -> None:
    message = tokens.read("change the title to 'Faster than 30s'")
    quoted = [it for it in message.items if it.has("quote")]
    assert [it.value for it in quoted] == ["Faster than 30s"]
    assert not any(it.has("dur") or it.has("pace") for it in message.items)


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("upbeat music", "upbeat"),
        ("something energetic", "upbeat"),
        ("欢快的音乐", "upbeat"),
        ("calm music", "calm"),
        ("relaxing", "calm"),
        ("舒缓一点", "calm"),
        ("lo-fi beats", "lofi"),
        ("music", None),
    ],
)
def test_moods(text: str, mood: str | None) -> None:
    assert parse_mood(text) == mood


@pytest.mark.parametrize(
    ("text", "corner"),
    [
        ("top left", "top-left"),
        ("in the upper-right corner", "top-right"),
        ("bottom right", "bottom-right"),
        ("lower left", "bottom-left"),
        ("放在左上角", "top-left"),
        ("右下", "bottom-right"),
        ("somewhere", None),
    ],
)
def test_corners(text: str, corner: str | None) -> None:
    assert parse_corner(text) == corner


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("十", 10), ("十五", 15), ("四十五", 45), ("一百二十", 120), ("两", 2), ("abc", None)],
)
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert zh_number(text) == value
