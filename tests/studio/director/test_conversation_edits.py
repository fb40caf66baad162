"""Everyday edit wordings a user types in the conversation (Chinese and English), understood by the studio."""

from __future__ import annotations

import pytest

from studio.draft import Draft
from tests.fixtures_director import Turn

LOUDER = ["音乐大一点", "音乐再大一点", "音乐响一些", "音量调高一点", "把音乐调高"]


@pytest.mark.parametrize("message", LOUDER)
async def test_music_louder_in_everyday_chinese_turns_the_music_up(
    run_turn: Turn, sneakers: Draft, message: str
) -> None:
    result = await run_turn(sneakers, message, [], "zh")
    assert result.draft is not None
    bed = result.draft.music
    assert bed is not None and bed.m.vol > 0.35
    assert [c.name for c in result.tool_calls] == ["set_music_volume"]
    assert "没听懂" not in result.reply


@pytest.mark.parametrize(
    ("message", "mood"),
    [("change the music to something calmer", "Calm"), ("switch to happier music", "Upbeat")],
)
async def test_music_asked_calmer_or_happier_gets_that_mood(
    run_turn: Turn, sneakers: Draft, message: str, mood: str
) -> None:
    result = await run_turn(sneakers, message, [], "en")
    assert result.draft is not None
    bed = result.draft.music
    assert bed is not None and mood in result.reply


@pytest.mark.parametrize("message", ["bump up the volume", "turn up the music", "a bit louder please"])
async def test_music_louder_in_everyday_english_turns_the_music_up(
    run_turn: Turn, sneakers: Draft, message: str
) -> None:
    result = await run_turn(sneakers, message, [], "en")
    assert result.draft is not None
    bed = result.draft.music
    assert bed is not None and bed.m.vol > 0.35
    assert [c.name for c in result.tool_calls] == ["set_music_volume"]


@pytest.mark.parametrize(
    ("message", "language"),
    [("move the title to the end", "en"), ("put the title at the end", "en"), ("把标题移到最后", "zh")],
)
async def test_moving_the_title_is_not_mistaken_for_a_new_title_and_costs_nothing(
    run_turn: Turn, sneakers: Draft, message: str, language: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.cost == 0 and result.tool_calls == []
    assert "the end" not in result.reply


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_the_edit_the_bot_suggests_instead_of_dragging_is_one_the_studio_does(
    run_turn: Turn, sneakers: Draft, language: str
) -> None:
    import re

    from bot.i18n import t

    offer = t(language, "chat.offer_edit")
    example = re.search(r"[\"“]([^\"”]+)[\"”]", offer)
    assert example is not None
    result = await run_turn(sneakers, example.group(1), [], language)
    assert result.tool_calls and result.cost > 0
