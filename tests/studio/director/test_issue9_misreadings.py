"""Every misreading issue 9 lists, one test each: what a creator said, and what must come of it."""

from __future__ import annotations

import pytest

from studio.director import CREATE_COST, History, RuleDirector
from studio.draft import Draft
from tests.fixtures_director import Turn, photos, song, texts


async def test_a_weekend_sale_brief_makes_a_video_not_a_request_for_photos(run_turn: Turn) -> None:
    made = await run_turn(None, "make a 15 second video announcing our weekend sale, 20% off everything", [])
    assert made.draft is not None and made.cost == CREATE_COST
    assert made.draft.d == 15000 and not made.reply.startswith("Send me")
    assert texts(made.draft, "title") == ["Weekend Sale"]
    assert texts(made.draft, "offer") == ["20% off everything"]
    assert texts(made.draft, "cta") == ["Shop now"]


async def test_a_titled_video_keeps_its_title(run_turn: Turn) -> None:
    made = await run_turn(None, "make a 15s vid titled Weekend Vibes", photos(3))
    assert made.draft is not None and made.draft.m.title == "Weekend Vibes" and made.draft.d == 15000
    assert texts(made.draft, "caption") == []


async def test_called_names_the_title_not_the_product(run_turn: Turn) -> None:
    made = await run_turn(None, "make a promo called Summer Drop for our sneakers", photos(3))
    assert made.draft is not None and made.draft.m.title == "Summer Drop"


async def test_the_request_itself_is_not_the_title_or_a_caption(run_turn: Turn) -> None:
    made = await run_turn(None, "need a youtube video about our bakery, around 45 sec", photos(3))
    assert made.draft is not None
    assert (made.draft.m.title, texts(made.draft, "caption")) == ("Bakery", [])
    assert (made.draft.d, made.draft.m.aspect) == (45000, "16:9")


@pytest.mark.parametrize("message", ["help", "upload", "上传", "how much does this cost?"])
async def test_words_that_are_not_requests_make_no_video_and_cost_nothing(
    run_turn: Turn, sneakers: Draft, message: str
) -> None:
    before = await run_turn(None, message, photos(3))
    assert before.draft is None and before.cost == 0 and before.tool_calls == []
    after = await run_turn(sneakers, message, photos(3))
    assert after.draft == sneakers and after.cost == 0 and after.tool_calls == []
    if "cost" in message:
        assert "10 credits" in after.reply and "2 credits" in after.reply  # the question is answered


async def test_make_the_title_white_is_a_colour_not_a_new_title(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "标题改成白色", [], "zh")
    assert result.draft is not None
    title = result.draft.texts("title")[0]
    assert (title.m.text, title.m.color) == ("Summer Sneakers", "#ffffff")


async def test_a_title_after_a_colon_loses_the_colon(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "标题改为：秋季限定", [], "zh")
    assert texts(result.draft, "title") == ["秋季限定"]


async def test_more_upbeat_music_does_not_switch_the_pace(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "配乐换成欢快点的", [], "zh")
    assert result.draft is not None and result.draft.music is not None
    assert result.draft.music.m.src == "synth://upbeat" and result.draft.m.pace == "normal"


async def test_each_sentence_of_a_caption_list_is_its_own_caption(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "captions: Small batch. Roasted fresh. Delivered fast.", [])
    assert texts(result.draft, "caption") == ["Small batch", "Roasted fresh", "Delivered fast"]


async def test_a_song_named_by_its_file_is_used_not_a_stock_bed(run_turn: Turn, sneakers: Draft) -> None:
    jingle = song(40000, "jingle.mp3")
    result = await run_turn(sneakers, "use jingle.mp3 as the background music", [*photos(3), jingle])
    assert result.draft is not None and result.draft.music is not None
    assert result.draft.music.m.src == jingle.ref


async def test_end_with_is_the_ending_only(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "end with 'Order now'", [])
    assert texts(result.draft, "cta") == ["Order now"] and texts(result.draft, "title") == ["Summer Sneakers"]


@pytest.mark.parametrize(
    ("message", "language"), [("undo", "en"), ("撤销", "zh"), ("revert the last change", "en")]
)
def test_undo_goes_back_one_change_and_redo_brings_it_back(message: str, language: str) -> None:
    director = RuleDirector()
    made = director.run(None, "Make a video for our summer sneakers. Shop now!", photos(3), language)
    history = History()
    history.record("made", made.tool_calls)
    vertical = director.run(made.draft, "make it vertical", photos(3), language, history)
    history.record("vertical", vertical.tool_calls)
    undone = director.run(vertical.draft, message, photos(3), language, history)
    assert undone.history is not None and (undone.history.kind, undone.history.to) == ("undo", 1)
    assert undone.cost == 0
    history.move("undo", 1)
    redone = director.run(made.draft, "redo" if language == "en" else "恢复", photos(3), language, history)
    assert redone.history is not None and (redone.history.kind, redone.history.to) == ("redo", 2)


@pytest.mark.parametrize(
    ("message", "check"),
    [
        ("make the captions red", lambda d: d.texts("caption")[0].m.color == "#e53935"),
        ("make the title bigger", lambda d: d.texts("title")[0].m.size == "l"),
        ("title in a serif font", lambda d: d.texts("title")[0].m.font == "serif"),
        ("captions at the top", lambda d: d.texts("caption")[0].m.pos == "top"),
        (
            "add text 'Free shipping' at the top",
            lambda d: [(s.m.text, s.m.pos) for s in d.texts("text")] == [("Free shipping", "top")],
        ),
        ("put the price $24 on screen", lambda d: [s.m.text for s in d.texts("price")] == ["$24"]),
        ("duplicate shot 2", lambda d: [s.m.src for s in d.visuals][1:3] == ["asset://p2", "asset://p2"]),
        ("make it 4:5", lambda d: (d.m.aspect, d.m.width, d.m.height) == ("4:5", 1080, 1350)),
        ("做成小红书的", lambda d: (d.m.aspect, d.m.width, d.m.height) == ("3:4", 1080, 1440)),
        ("our brand colours are navy and gold", lambda d: d.m.brand.colors == ["#1a237e", "#d4af37"]),
        (
            "generate a short product description for handmade soy candles, lavender and cedar",
            lambda d: (
                (d.m.title, [s.m.text for s in d.texts("caption")])
                == ("Handmade Soy Candles", ["Lavender and cedar"])
            ),
        ),
    ],
)
async def test_what_was_missing_is_there(
    run_turn: Turn, sneakers: Draft, message: str, check: object
) -> None:
    result = await run_turn(sneakers, message, [], "zh" if "小红书" in message else "en")
    assert result.draft is not None and result.tool_calls and check(result.draft), result.reply  # type: ignore[operator]


async def test_copy_is_written_from_a_description(run_turn: Turn) -> None:
    made = await run_turn(
        None, "Handmade soy candles, lavender and cedar, free shipping this week", photos(3)
    )
    assert made.draft is not None
    assert texts(made.draft, "title") == ["Handmade soy candles"]
    assert texts(made.draft, "caption") == ["Lavender and cedar"]
    assert texts(made.draft, "offer") == ["Free shipping this week"]
    assert texts(made.draft, "cta") == ["Shop now"]  # candles are not "Book now"


async def test_a_30000_character_message_is_not_a_word_salad_video(run_turn: Turn) -> None:
    flood = ("lorem ipsum dolor sit amet " * 1200)[:30000]
    result = await run_turn(None, flood, photos(3))
    assert result.draft is None and result.cost == 0 and "shorter brief" in result.reply
