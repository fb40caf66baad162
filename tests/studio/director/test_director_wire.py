"""The director's drafts stay NemoVideo drafts: the cloud's outer keys, track types 0/1/7, and the
bot's timeline summary (bot/draft/timeline.py) reads them, new fields and all."""

from __future__ import annotations

from bot.draft.models import Draft as BotDraft
from bot.draft.timeline import describe_changes, summarize
from common.draft import TrackKind
from studio.director import RuleDirector
from studio.draft import Draft
from tests.fixtures_director import logo_png, photos


def _rich() -> tuple[Draft, Draft]:
    director = RuleDirector()
    assets = [*photos(3), logo_png()]
    made = director.run(
        None, "Make a video for our summer sneakers. Light and breathable. Shop now!", photos(3), "en"
    )
    draft = made.draft
    for message in (
        "4:5 for instagram",
        "add a subtitle 'Made in Portland'",
        "add text 'Free shipping' at the top",
        "put the price $24 on screen",
        "show 20% off",
        "make the title white and bigger",
        "our brand colours are navy and gold",
        "make it more luxurious",
        "no end card",
        "add my logo",
        "duplicate shot 2",
        "make shot 1 longer",
        "dissolve transitions",
    ):
        turn = director.run(draft, message, assets, "en")
        assert turn.tool_calls, message
        draft = turn.draft
    assert draft is not None and made.draft is not None
    return made.draft, draft


def test_the_wire_form_has_the_clouds_outer_keys_and_track_types() -> None:
    _, draft = _rich()
    wire = draft.to_wire()
    assert set(wire) == {"d", "m", "t"}
    assert [t["tt"] for t in wire["t"]] == [TrackKind.VISUAL, TrackKind.MUSIC, TrackKind.TEXT] == [0, 1, 7]
    assert all(set(seg) >= {"id", "st", "d", "m"} for t in wire["t"] for seg in t["sg"])
    assert Draft.from_wire(wire) == draft
    m = wire["m"]
    assert (m["aspect"], m["width"], m["height"]) == ("4:5", 1080, 1350)
    assert m["brand"] == {"colors": ["#1a237e", "#d4af37"]} and m["style"] == "luxury"
    assert m["end_card"]["enabled"] is False and m["logo"]["pos"] == "top-right"
    assert m["text_styles"] == {"title": {"color": "#ffffff", "size": "l"}}


def test_the_bots_summary_reads_the_directors_drafts() -> None:
    made, rich = _rich()
    assert summarize(BotDraft.read(made.to_wire())) == (
        "Timeline (3 tracks): 1. Video: photo1.jpg, photo2.jpg, photo3.jpg (0-15s) "
        '2. BGM: Lo-fi (0-15s, 35%) 3. Text: "Summer Sneakers", "Light and breathable", "Shop now" (0-15s)'
    )
    line = summarize(BotDraft.read(rich.to_wire()))
    assert line is not None and line.startswith("Timeline (3 tracks): 1. Video: ")
    assert "Made in Portland" in line and "+4 more" in line  # subtitle, free text, price, offer, cta
    assert BotDraft.read(rich.to_wire()).exportable
    changes = describe_changes(BotDraft.read(made.to_wire()), BotDraft.read(rich.to_wire()))
    assert changes  # the bot can report what the director changed
