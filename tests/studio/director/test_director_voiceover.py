"""The voice-over in the director's words (issue 12): add, read the description, a written script,
remove, slower / faster, the script written from the brief, the accent caveat once, and the honest
refusal when this server has no voice."""

from __future__ import annotations

import pytest

from studio.director import Asset, tool_schema
from studio.director import ops as director_ops
from studio.director.voiceover import MAX_CHARS, MAX_WORDS, take_script, words_of
from studio.draft import Draft
from tests.fixtures_director import Turn

CAVEAT_EN = "light Japanese accent"
CAVEAT_ZH = "日语口音"


@pytest.fixture
async def candles(run_turn: Turn, three_photos: list[Asset]) -> Draft:
    made = await run_turn(
        None, "make a promo for my candle shop: handmade soy candles, lavender and cedar, free shipping "
        "this week", three_photos)
    assert made.draft is not None
    return made.draft


@pytest.fixture
async def zh_candles(run_turn: Turn, three_photos: list[Asset]) -> Draft:
    made = await run_turn(None, "做一个蜡烛店的视频：手工大豆蜡烛，薰衣草香味，本周包邮", three_photos, "zh")
    assert made.draft is not None
    return made.draft


async def test_add_a_voice_over_reads_the_words_on_screen_and_says_the_accent_once(
    run_turn: Turn, candles: Draft
) -> None:
    added = await run_turn(candles, "add a voice-over", [])
    assert added.draft is not None and (voice := added.draft.voice) is not None
    assert voice.m.text == "Handmade soy candles, lavender and cedar. Free shipping this week. Shop now."
    assert voice.m.language == "en" and voice.m.speed == 1.0 and voice.m.src == "tts://kokoro"
    assert words_of(voice.m.text, "en") <= MAX_WORDS
    assert "A voice-over reads “Handmade soy candles" in added.reply and CAVEAT_EN in added.reply
    assert added.cost > 0
    gone = await run_turn(added.draft, "no voice-over", [])
    assert gone.draft is not None and gone.draft.voice is None and "The voice-over is off" in gone.reply
    again = await run_turn(gone.draft, "add a voiceover", [])
    assert again.draft is not None and again.draft.voice is not None
    assert CAVEAT_EN not in again.reply  # said once per session


async def test_read_the_description_reads_what_the_video_was_made_from(
    run_turn: Turn, candles: Draft
) -> None:
    read = await run_turn(candles, "read the description", [])
    assert read.draft is not None and read.draft.voice is not None
    assert read.draft.voice.m.text == "Handmade soy candles, lavender and cedar, free shipping this week."


@pytest.mark.parametrize(
    ("message", "script"),
    [
        ('add a voice-over "Fresh candles, poured by hand"', "Fresh candles, poured by hand"),
        ("voice-over: Light a candle. Breathe in.", "Light a candle. Breathe in."),
        ("add a voice over saying shop now", "shop now"),
        ("配音：手工蜡烛，本周包邮", "手工蜡烛，本周包邮"),
        ("旁白：“每一支都是手工做的”", "每一支都是手工做的"),
    ],
)
async def test_a_script_the_creator_wrote_is_read_as_written(
    run_turn: Turn, candles: Draft, message: str, script: str
) -> None:
    said = await run_turn(candles, message, [], "zh" if "配音" in message or "旁白" in message else "en")
    assert said.draft is not None and said.draft.voice is not None
    assert said.draft.voice.m.text == script
    assert said.draft.voice.m.language == ("zh" if words_of(script, "zh") else "en")
    assert said.draft.texts("text") == []  # the quoted words are spoken, not put on screen
    assert [c.name for c in said.tool_calls] == ["set_voiceover"]


async def test_chinese_requests_narrate_the_chinese_brief(run_turn: Turn, zh_candles: Draft) -> None:
    added = await run_turn(zh_candles, "加个配音", [], "zh")
    assert added.draft is not None and (voice := added.draft.voice) is not None
    assert voice.m.language == "zh" and "手工大豆蜡烛" in voice.m.text
    assert words_of(voice.m.text, "zh") <= MAX_CHARS
    assert "加上了配音" in added.reply and CAVEAT_ZH in added.reply
    removed = await run_turn(added.draft, "去掉配音", [], "zh")
    assert removed.draft is not None and removed.draft.voice is None and "配音已去掉" in removed.reply


async def test_slower_voice_slows_the_narration_not_the_cutting(run_turn: Turn, candles: Draft) -> None:
    added = await run_turn(candles, "add a voice-over", [])
    assert added.draft is not None
    slower = await run_turn(added.draft, "slower voice", [])
    assert slower.draft is not None and slower.draft.voice is not None
    assert slower.draft.voice.m.speed == 0.85 and slower.draft.m.pace == candles.m.pace
    assert "slower (85% speed)" in slower.reply
    zh = await run_turn(slower.draft, "语速慢一点", [], "zh")
    assert zh.draft is not None and zh.draft.voice is not None and zh.draft.voice.m.speed == 0.7
    floor = await run_turn(zh.draft, "speak slower", [])
    assert floor.cost == 0 and "can't get any slower" in floor.reply
    faster = await run_turn(zh.draft, "talk faster", [])
    assert faster.draft is not None and faster.draft.voice is not None and faster.draft.voice.m.speed == 0.85


async def test_a_long_script_lengthens_the_video_and_a_too_long_one_is_refused(
    run_turn: Turn, candles: Draft
) -> None:
    script = ("Every candle is poured by hand in small batches in our studio. We use soy wax, cotton "
              "wicks and pure essential oils, so it burns clean and slow for fifty hours.")
    long = await run_turn(candles, f'add a voice-over "{script}"', [])
    assert long.draft is not None and long.draft.d > candles.d and "seconds long to fit it" in long.reply
    words = " ".join(["candles"] * (MAX_WORDS + 5))
    refused = await run_turn(candles, f"voice-over: {words}", [])
    assert refused.cost == 0 and refused.draft == candles and f"at most {MAX_WORDS} words" in refused.reply


async def test_without_voice_on_this_server_the_reply_says_so_and_nothing_changes(
    run_turn: Turn, candles: Draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the one seam a single venv cannot fault for real: the extra being absent
    monkeypatch.setattr(director_ops, "_voice_ready", lambda language: False)
    asked = await run_turn(candles, "add a voice-over", [])
    assert asked.reply == "Voice is not installed on this server, so I can't add a voice-over."
    assert asked.cost == 0 and asked.draft == candles
    zh = await run_turn(candles, "加个配音", [], "zh")
    assert zh.reply == "这台服务器没有安装语音功能，暂时不能加配音。"


def test_the_voice_operations_are_in_the_tool_schema() -> None:
    names = {tool["name"]: tool for tool in tool_schema()}
    assert {"set_voiceover", "remove_voiceover", "set_voiceover_speed"} <= set(names)
    props = set(names["set_voiceover"]["parameters"]["properties"])
    assert props == {"script", "source", "language", "speed"}


def test_a_written_out_script_is_cut_from_the_message() -> None:
    assert take_script("make it vertical and add a voice-over: Fresh bread daily") == (
        "make it vertical and add a voice-over", "Fresh bread daily")
    assert take_script('title "Summer Sale"') is None
    assert take_script("add a voice-over") is None


async def test_a_new_video_can_ask_for_its_voice_over_in_the_same_message(
    run_turn: Turn, three_photos: list[Asset]
) -> None:
    made = await run_turn(None, "make a video for my bakery: fresh bread every morning, slower voice",
                          three_photos)
    assert made.draft is not None and (voice := made.draft.voice) is not None
    assert voice.m.text == "Fresh bread every morning. Order today." and voice.m.speed == 0.85
    assert "slower voice" not in " ".join(s.m.text for s in made.draft.texts())  # a request, not a caption
    zh = await run_turn(None, "做一个面包店的视频，加配音", three_photos, "zh")
    assert zh.draft is not None and zh.draft.voice is not None and zh.draft.voice.m.language == "zh"
