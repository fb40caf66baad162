"""Edits on top of the pictures: title, subtitle, captions, free text, price, offer, their looks,
music, logo, brand, style, end card and the closing call to action."""

from __future__ import annotations

import pytest

from studio.director import EDIT_COST
from studio.draft import Draft
from tests.fixtures_director import Turn, logo_png, photos, song, texts


@pytest.mark.parametrize(
    ("message", "language", "title"),
    [
        ("change the title to 'Summer Sale'", "en", "Summer Sale"),
        ("title: Big Day Out", "en", "Big Day Out"),
        ("call it Grand Opening", "en", "Grand Opening"),
        ("标题改成“夏季促销”", "zh", "夏季促销"),
        ("标题改为周末特卖", "zh", "周末特卖"),
        ("标题改为：秋季限定", "zh", "秋季限定"),  # the colon is not part of the title
        ("change the title to White Christmas", "en", "White Christmas"),  # a name, not a colour
        ("标题改成白色情人节", "zh", "白色情人节"),
    ],
)
async def test_title_is_changed_to_the_given_text(
    run_turn: Turn, sneakers: Draft, message: str, language: str, title: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert texts(result.draft, "title") == [title]
    assert result.draft is not None and result.draft.m.title == title
    assert f"“{title}”" in result.reply and result.cost == EDIT_COST


@pytest.mark.parametrize(
    ("message", "language"), [("remove the title", "en"), ("no title", "en"), ("去掉标题", "zh")]
)
async def test_title_can_be_removed_and_added_back_from_the_description(
    run_turn: Turn, sneakers: Draft, message: str, language: str
) -> None:
    removed = await run_turn(sneakers, message, [], language)
    assert texts(removed.draft, "title") == []
    assert removed.draft is not None and removed.draft.m.title == ""
    again = await run_turn(removed.draft, "加个标题" if language == "zh" else "add a title", [], language)
    assert texts(again.draft, "title") == ["Summer Sneakers"]


@pytest.mark.parametrize(
    ("message", "language", "field", "value"),
    [
        ("make the title white", "en", "color", "#ffffff"),
        ("标题改成白色", "zh", "color", "#ffffff"),  # a colour, not the new title "白色"
        ("make the title bigger", "en", "size", "l"),
        ("标题大一点", "zh", "size", "l"),
        ("make the title huge", "en", "size", "xl"),
        ("title in a serif font", "en", "font", "serif"),
        ("标题字体换成手写体", "zh", "font", "handwriting"),
        ("make the title bold", "en", "bold", True),
        ("标题加粗", "zh", "bold", True),
        ("title in all caps", "en", "upper", True),
        ("put the title at the top", "en", "pos", "top"),
        ("标题放到顶部", "zh", "pos", "top"),
    ],
)
async def test_the_title_changes_its_look_and_keeps_its_words(
    run_turn: Turn, sneakers: Draft, message: str, language: str, field: str, value: object
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and [c.name for c in result.tool_calls] == ["style_text"]
    title = result.draft.texts("title")[0]
    assert getattr(title.m, field) == value and title.m.text == "Summer Sneakers"
    assert all(
        getattr(s.m, field) == getattr(b.m, field)
        for s, b in zip(result.draft.texts("caption"), sneakers.texts("caption"), strict=True)
    )  # only the title moved
    assert result.cost == EDIT_COST


async def test_a_look_given_to_a_role_stays_with_its_new_lines(run_turn: Turn, sneakers: Draft) -> None:
    yellow = await run_turn(sneakers, "make the captions yellow", [])
    lines = await run_turn(yellow.draft, "captions: Small batch. Roasted fresh. Delivered fast.", [])
    assert lines.draft is not None
    assert [s.m.color for s in lines.draft.texts("caption")] == ["#fdd835"] * 3


async def test_all_text_takes_one_look(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "make all the text white", [])
    assert result.draft is not None
    assert {s.m.color for s in result.draft.texts()} == {"#ffffff"}
    later = await run_turn(result.draft, "add a subtitle 'Made in Portland'", [])
    assert later.draft is not None and later.draft.texts("subtitle")[0].m.color == "#ffffff"


@pytest.mark.parametrize(
    ("message", "language", "lines"),
    [
        ("captions: 'Light. Fast. Yours.'", "en", ["Light", "Fast", "Yours"]),
        (
            "captions: Small batch. Roasted fresh. Delivered fast.",
            "en",
            ["Small batch", "Roasted fresh", "Delivered fast"],
        ),  # each sentence its own caption
        ("change the captions to Made for summer", "en", ["Made for summer"]),
        ("字幕改成「轻盈透气，夏天必备」", "zh", ["轻盈透气，夏天必备"]),
        ("字幕：小批量。新鲜烘焙。极速送达。", "zh", ["小批量", "新鲜烘焙", "极速送达"]),
    ],
)
async def test_captions_are_replaced_by_the_given_lines(
    run_turn: Turn, sneakers: Draft, message: str, language: str, lines: list[str]
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert texts(result.draft, "caption") == lines
    assert result.draft is not None and all(s.m.pos == "bottom" for s in result.draft.texts("caption"))


async def test_one_more_caption_is_appended(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "add a caption 'Free shipping'", [])
    assert texts(result.draft, "caption") == ["Light and breathable", "Free shipping"]


@pytest.mark.parametrize(
    ("message", "language"), [("remove the captions", "en"), ("no subtitles", "en"), ("去掉字幕", "zh")]
)
async def test_captions_can_be_removed(run_turn: Turn, sneakers: Draft, message: str, language: str) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert texts(result.draft, "caption") == []
    assert texts(result.draft, "title") == ["Summer Sneakers"]


async def test_free_text_price_and_offer_go_on_screen_where_asked(run_turn: Turn, sneakers: Draft) -> None:
    free = await run_turn(sneakers, "add text 'Free shipping' at the top", [])
    assert free.draft is not None
    (line,) = free.draft.texts("text")
    assert (line.m.text, line.m.pos) == ("Free shipping", "top")
    assert line.st == free.draft.texts("title")[0].d and line.st + line.d == free.draft.texts("cta")[0].st
    price = await run_turn(free.draft, "put the price $24 on screen", [])
    assert texts(price.draft, "price") == ["$24"] and texts(price.draft, "text") == ["Free shipping"]
    offer = await run_turn(price.draft, "show 20% off", [])
    assert texts(offer.draft, "offer") == ["20% off"]
    gone = await run_turn(offer.draft, "remove the price", [])
    assert texts(gone.draft, "price") == [] and texts(gone.draft, "offer") == ["20% off"]


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
    run_turn: Turn, sneakers: Draft, message: str, language: str, src: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None
    bed = result.draft.music
    assert bed is not None and bed.m.src == src and (bed.st, bed.d) == (0, result.draft.d)


async def test_a_music_mood_never_changes_the_pace(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "配乐换成欢快点的", [], "zh")
    assert [c.name for c in result.tool_calls] == ["set_music"]
    assert result.draft is not None and result.draft.m.pace == "normal"
    assert "欢快" in result.reply and "Upbeat" not in result.reply


async def test_my_song_replaces_the_generated_music(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "use my song", [*photos(3), song(9000)])
    assert result.draft is not None
    bed = result.draft.music
    assert bed is not None and bed.m.src == "asset://s1" and bed.d == 9000  # the song is shorter
    missing = await run_turn(sneakers, "use my song", photos(3))
    assert missing.cost == 0 and "send your song first" in missing.reply.lower()


async def test_a_song_named_by_its_file_is_the_one_used(run_turn: Turn, sneakers: Draft) -> None:
    jingle = song(30000, "jingle.mp3")
    result = await run_turn(sneakers, "use jingle.mp3 as the background music", [*photos(3), jingle])
    assert result.draft is not None and result.draft.music is not None
    assert result.draft.music.m.src == "asset://s1" and result.draft.music.m.name == "jingle.mp3"


@pytest.mark.parametrize(
    ("message", "language"),
    [("no music", "en"), ("remove the music", "en"), ("不要音乐", "zh"), ("静音", "zh")],
)
async def test_music_can_be_removed(run_turn: Turn, sneakers: Draft, message: str, language: str) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and result.draft.music is None
    assert all(int(t.tt) != 1 for t in result.draft.t)


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
    run_turn: Turn, sneakers: Draft, message: str, language: str, louder: bool
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None
    bed = result.draft.music
    assert bed is not None and (bed.m.vol > 0.35) is louder and (bed.m.vol < 0.35) is not louder
    assert [c.name for c in result.tool_calls] == ["set_music_volume"]
    assert f"{round(bed.m.vol * 100)}%" in result.reply


async def test_volume_without_music_is_explained(run_turn: Turn, sneakers: Draft) -> None:
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
    run_turn: Turn, sneakers: Draft, message: str, language: str, pos: str
) -> None:
    result = await run_turn(sneakers, message, [*photos(3), logo_png()], language)
    assert result.draft is not None and result.draft.m.logo is not None
    assert (result.draft.m.logo.src, result.draft.m.logo.pos, result.draft.m.logo.scale) == (
        "asset://logo1",
        pos,
        0.12,
    )


async def test_logo_falls_back_to_the_last_png_and_can_move_grow_and_go(
    run_turn: Turn, sneakers: Draft
) -> None:
    assets = [*photos(3), *photos(5, "png")[3:]]
    added = await run_turn(sneakers, "add my logo", assets)
    assert added.draft is not None and added.draft.m.logo is not None
    assert added.draft.m.logo.src == "asset://p5"
    moved = await run_turn(added.draft, "move the logo to the bottom right", assets)
    assert (
        moved.draft is not None
        and moved.draft.m.logo is not None
        and moved.draft.m.logo.pos == "bottom-right"
    )
    bigger = await run_turn(moved.draft, "make the logo bigger", assets)
    assert bigger.draft is not None and bigger.draft.m.logo is not None and bigger.draft.m.logo.scale == 0.18
    gone = await run_turn(bigger.draft, "remove the logo", assets)
    assert gone.draft is not None and gone.draft.m.logo is None and "logo" not in gone.draft.to_wire()["m"]


async def test_logo_without_an_image_asks_for_one(run_turn: Turn, sneakers: Draft) -> None:
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
    run_turn: Turn, sneakers: Draft, message: str, language: str, cta: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert texts(result.draft, "cta") == [cta]
    assert result.draft is not None
    closing = result.draft.texts("cta")[0]
    assert closing.st + closing.d == result.draft.d


async def test_end_with_sets_the_ending_and_leaves_the_title(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "end with 'Order now'", [])
    assert [c.name for c in result.tool_calls] == ["set_cta"]
    assert texts(result.draft, "cta") == ["Order now"] and texts(result.draft, "title") == ["Summer Sneakers"]


async def test_call_to_action_can_be_removed_and_a_default_added(run_turn: Turn, sneakers: Draft) -> None:
    removed = await run_turn(sneakers, "remove the call to action", [])
    assert texts(removed.draft, "cta") == []
    again = await run_turn(removed.draft, "add a call to action", [])
    assert texts(again.draft, "cta") == ["Shop now"]


async def test_brand_style_and_end_card_are_set_for_the_whole_video(run_turn: Turn, sneakers: Draft) -> None:
    brand = await run_turn(sneakers, "our brand colors are #1a2b3c and gold", [])
    assert brand.draft is not None and brand.draft.m.brand is not None
    assert brand.draft.m.brand.colors == ["#1a2b3c", "#d4af37"]
    luxury = await run_turn(brand.draft, "make it more luxurious", [])
    assert luxury.draft is not None and luxury.draft.m.style == "luxury"
    zh = await run_turn(sneakers, "更高级一点", [], "zh")
    assert zh.draft is not None and zh.draft.m.style == "luxury" and "高级" in zh.reply
    off = await run_turn(luxury.draft, "no end card", [])
    assert (
        off.draft is not None and off.draft.m.end_card is not None and off.draft.m.end_card.enabled is False
    )
    assert off.draft.m.brand == brand.draft.m.brand and off.draft.m.style == "luxury"
