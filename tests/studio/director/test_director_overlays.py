"""Edits on top of the pictures: title, captions, music, logo and the closing call to action."""

from __future__ import annotations

from typing import Any

import pytest

from studio.director.director import EDIT_COST
from studio.director.timeline import music, texts
from tests.fixtures_director import Turn, logo_png, photos, song


def _texts(draft: dict[str, Any] | None, role: str) -> list[str]:
    assert draft is not None
    return [s["m"]["text"] for s in texts(draft, role)]


@pytest.mark.parametrize(
    ("message", "language", "title"),
    [
        ("change the title to 'Summer Sale'", "en", "Summer Sale"),
        ("title: Big Day Out", "en", "Big Day Out"),
        ("call it Grand Opening", "en", "Grand Opening"),
        ("标题改成“夏季促销”", "zh", "夏季促销"),
        ("标题改为周末特卖", "zh", "周末特卖"),
    ],
)
async def test_title_is_changed_to_the_given_text(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, title: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert _texts(result.draft, "title") == [title]
    assert result.draft is not None and result.draft["m"]["title"] == title
    assert f"“{title}”" in result.reply and result.cost == EDIT_COST


@pytest.mark.parametrize(
    ("message", "language"), [("remove the title", "en"), ("no title", "en"), ("去掉标题", "zh")]
)
async def test_title_can_be_removed_and_added_back_from_the_description(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str
) -> None:
    removed = await run_turn(sneakers, message, [], language)
    assert _texts(removed.draft, "title") == []
    assert removed.draft is not None and removed.draft["m"]["title"] == ""
    again = await run_turn(removed.draft, "加个标题" if language == "zh" else "add a title", [], language)
    assert _texts(again.draft, "title") == ["Summer Sneakers"]


@pytest.mark.parametrize(
    ("message", "language", "lines"),
    [
        ("captions: 'Light. Fast. Yours.'", "en", ["Light", "Fast", "Yours"]),
        ("change the captions to Made for summer", "en", ["Made for summer"]),
        ("字幕改成「轻盈透气，夏天必备」", "zh", ["轻盈透气，夏天必备"]),
    ],
)
async def test_captions_are_replaced_by_the_given_lines(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, lines: list[str]
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert _texts(result.draft, "caption") == lines
    assert result.draft is not None
    assert all(s["m"]["pos"] == "bottom" for s in texts(result.draft, "caption"))


async def test_one_more_caption_is_appended(run_turn: Turn, sneakers: dict[str, Any]) -> None:
    result = await run_turn(sneakers, "add a caption 'Free shipping'", [])
    assert _texts(result.draft, "caption") == ["Light and breathable", "Free shipping"]


@pytest.mark.parametrize(
    ("message", "language"), [("remove the captions", "en"), ("no subtitles", "en"), ("去掉字幕", "zh")]
)
async def test_captions_can_be_removed(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert _texts(result.draft, "caption") == []
    assert _texts(result.draft, "title") == ["Summer Sneakers"]


@pytest.mark.parametrize(
    ("message", "language", "src"),
    [
        ("add upbeat music", "en", "synth://upbeat"),
        ("use calm music", "en", "synth://calm"),
        ("加欢快的音乐", "zh", "synth://upbeat"),
        ("换成舒缓的音乐", "zh", "synth://calm"),
        ("change the music", "en", "synth://upbeat"),
        ("make it more energetic", "en", "synth://upbeat"),
    ],
)
async def test_music_bed_changes_by_mood(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, src: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None
    bed = music(result.draft)
    assert bed is not None and bed["m"]["src"] == src and (bed["st"], bed["d"]) == (0, result.draft["d"])


async def test_my_song_replaces_the_generated_music(run_turn: Turn, sneakers: dict[str, Any]) -> None:
    result = await run_turn(sneakers, "use my song", [*photos(3), song(9000)])
    assert result.draft is not None
    bed = music(result.draft)
    assert bed is not None and bed["m"]["src"] == "asset://s1" and bed["d"] == 9000  # the song is shorter
    missing = await run_turn(sneakers, "use my song", photos(3))
    assert missing.cost == 0 and "send your song first" in missing.reply.lower()


@pytest.mark.parametrize(
    ("message", "language"),
    [("no music", "en"), ("remove the music", "en"), ("不要音乐", "zh"), ("静音", "zh")],
)
async def test_music_can_be_removed(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and music(result.draft) is None
    assert all(t["tt"] != 1 for t in result.draft["t"])


@pytest.mark.parametrize(
    ("message", "language", "louder"),
    [
        ("turn the music down", "en", False),
        ("quieter", "en", False),
        ("音乐小声一点", "zh", False),
        ("louder", "en", True),
        ("turn it up", "en", True),
        ("音乐大声一点", "zh", True),
    ],
)
async def test_music_volume_goes_up_or_down(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, louder: bool
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None
    bed = music(result.draft)
    assert bed is not None and (bed["m"]["vol"] > 0.35) is louder and (bed["m"]["vol"] < 0.35) is not louder
    assert [c.name for c in result.tool_calls] == ["set_music_volume"]
    assert f"{round(bed['m']['vol'] * 100)}%" in result.reply


async def test_volume_without_music_is_explained(run_turn: Turn, sneakers: dict[str, Any]) -> None:
    silent = await run_turn(sneakers, "no music", [])
    result = await run_turn(silent.draft, "louder", [])
    assert result.cost == 0 and result.reply == "There is no music yet (say “add upbeat music”)."


@pytest.mark.parametrize(
    ("message", "language", "pos"),
    [
        ("add my logo", "en", "top-right"),
        ("put my logo in the bottom left", "en", "bottom-left"),
        ("加上我的logo", "zh", "top-right"),
        ("把logo放在左上角", "zh", "top-left"),
    ],
)
async def test_logo_comes_from_the_uploaded_png(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, pos: str
) -> None:
    result = await run_turn(sneakers, message, [*photos(3), logo_png()], language)
    assert result.draft is not None
    assert result.draft["m"]["logo"] == {"src": "asset://logo1", "pos": pos, "scale": 0.12}


async def test_logo_falls_back_to_the_last_png_and_can_move_and_go(
    run_turn: Turn, sneakers: dict[str, Any]
) -> None:
    assets = [*photos(3), *photos(5, "png")[3:]]
    added = await run_turn(sneakers, "add my logo", assets)
    assert added.draft is not None and added.draft["m"]["logo"]["src"] == "asset://p5"
    moved = await run_turn(added.draft, "move the logo to the bottom right", assets)
    assert moved.draft is not None and moved.draft["m"]["logo"]["pos"] == "bottom-right"
    gone = await run_turn(moved.draft, "remove the logo", assets)
    assert gone.draft is not None and "logo" not in gone.draft["m"]


async def test_logo_without_an_image_asks_for_one(run_turn: Turn, sneakers: dict[str, Any]) -> None:
    result = await run_turn(sneakers, "add my logo", photos(3))
    assert result.cost == 0 and result.draft == sneakers
    assert result.reply == "Send your logo as a PNG first, then say “add my logo”."


@pytest.mark.parametrize(
    ("message", "language", "cta"),
    [
        ("add a call to action 'Order today'", "en", "Order today"),
        ("end with link in bio", "en", "Link in bio"),
        ("结尾改成「立即下单」", "zh", "立即下单"),
        ("change the ending to Visit our store", "en", "Visit our store"),
    ],
)
async def test_call_to_action_is_set_and_closes_the_video(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, cta: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert _texts(result.draft, "cta") == [cta]
    assert result.draft is not None
    closing = texts(result.draft, "cta")[0]
    assert closing["st"] + closing["d"] == result.draft["d"]


async def test_call_to_action_can_be_removed_and_a_default_added(
    run_turn: Turn, sneakers: dict[str, Any]
) -> None:
    removed = await run_turn(sneakers, "remove the call to action", [])
    assert _texts(removed.draft, "cta") == []
    again = await run_turn(removed.draft, "add a call to action", [])
    assert _texts(again.draft, "cta") == ["Shop now"]
