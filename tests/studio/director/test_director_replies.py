"""What the user reads: help for what the director cannot do, descriptions, refusals, both languages."""

from __future__ import annotations

from typing import Any

import pytest

from studio.director.director import EDIT_COST, Director, RuleDirector, ToolCall, apply_call
from tests.fixtures_director import Turn, photos


def test_rule_director_implements_the_director_protocol() -> None:
    assert isinstance(RuleDirector(), Director)


@pytest.mark.parametrize(
    ("message", "language", "start"),
    [
        ("make it sparkle", "en", "Sorry, I didn't get that. I can make and change your video. Try:"),
        ("please do the thing", "en", "Sorry, I didn't get that."),
        ("让它闪闪发光", "zh", "抱歉，我没听懂。我可以帮你做视频、改视频。试试："),
        ("make it sparkle", "zh-Hans", "抱歉，我没听懂。"),
    ],
)
async def test_unknown_instruction_explains_what_it_can_do_and_changes_nothing(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, start: str
) -> None:
    result = await run_turn(sneakers, message, photos(3), language)
    assert result.reply.startswith(start)
    assert result.cost == 0 and result.tool_calls == [] and result.draft == sneakers
    assert ("move shot 3 first" in result.reply) or ("把第三个镜头放到最前面" in result.reply)


async def test_help_is_not_an_apology(run_turn: Turn, sneakers: dict[str, Any]) -> None:
    result = await run_turn(sneakers, "help", [])
    assert result.reply.startswith("I can make and change your video.") and result.cost == 0


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        (
            "what's in my video?",
            "en",
            "Your video: 15 seconds, 16:9 (1920x1080), 3 shots (photo1.jpg, photo2.jpg, photo3.jpg), "
            "title “Summer Sneakers”, 1 caption, Lo-fi music at 35%, fade transitions, normal pace, "
            "ends with “Shop now”.",
        ),
        (
            "我的视频里有什么？",
            "zh",
            "你的视频：15秒，16:9（1920x1080），3个镜头（photo1.jpg, photo2.jpg, photo3.jpg），"
            "标题“Summer Sneakers”，1条字幕，Lo-fi背景音乐，音量35%，淡入淡出转场，正常节奏，"
            "结尾“Shop now”。",
        ),
    ],
)
async def test_question_about_the_draft_gets_a_description_for_free(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, expected: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.reply.startswith(expected)
    assert result.cost == 0 and result.draft == sneakers and result.tool_calls == []


@pytest.mark.parametrize(
    ("message", "language", "reply"),
    [
        ("remove the logo", "en", "There is no logo to remove."),
        ("去掉logo", "zh", "现在没有logo可以去掉。"),
        ("use crossfades", "en", "The shots already change with fade transitions."),
        ("make it 15 seconds", "en", "The video is already 15 seconds long."),
        ("lo-fi music", "en", "The music is already Lo-fi."),
    ],
)
async def test_edits_that_cannot_apply_say_why_and_cost_nothing(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, reply: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.reply == reply
    assert result.cost == 0 and result.draft == sneakers and result.tool_calls == []


async def test_partly_possible_requests_do_the_possible_part_and_explain_the_rest(
    run_turn: Turn, sneakers: dict[str, Any]
) -> None:
    result = await run_turn(sneakers, "remove the logo and make it square", [])
    assert result.reply.startswith("Done! The format is now 1:1 (1080x1080). But there is no logo to remove.")
    assert result.cost == EDIT_COST and [c.name for c in result.tool_calls] == ["set_aspect"]


async def test_chinese_edit_reply(run_turn: Turn, sneakers: dict[str, Any]) -> None:
    result = await run_turn(sneakers, "改成竖屏，加欢快的音乐", [], "zh-CN")
    assert result.reply == (
        "好了！背景音乐换成了Upbeat，画面比例改成了9:16（1080x1920）。满意的话说“导出”，或者告诉我要改什么。"
    )


async def test_english_instruction_with_chinese_reply_language(
    run_turn: Turn, sneakers: dict[str, Any]
) -> None:
    result = await run_turn(sneakers, "make it 30 seconds", [], "zh")
    assert result.reply.startswith("好了！视频现在是30秒。")


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (ToolCall(name="set_aspect", args={"aspect": "4:3"}), "bad_aspect"),
        (ToolCall(name="set_transition", args={"type": "spin"}), "bad_transition"),
        (ToolCall(name="remove_shot", args={"index": 0}), "no_shot"),
        (ToolCall(name="add_logo", args={"src": "http://example.com/x.png"}), "no_logo_asset"),
        (ToolCall(name="set_music", args={"src": "file:///etc/passwd"}), "bad_music"),
        (ToolCall(name="launch_rockets", args={}), "unknown_call"),
    ],
)
def test_tool_calls_with_bad_arguments_are_refused_without_touching_the_draft(
    sneakers: dict[str, Any], call: ToolCall, key: str
) -> None:
    draft, change = apply_call(sneakers, call, photos(3))
    assert change.refused and change.key == key and draft is sneakers


@pytest.mark.parametrize(
    ("message", "language", "reply"),
    [
        ("ok thanks", "en", "Glad you like it! Say 'export' when you're happy, or ask for changes."),
        ("谢谢", "zh", "不客气！满意的话说“导出”，或者告诉我要改什么。"),
        ("export", "en", "Exporting happens outside the editor: use /export (or the Export button)"),
        ("导出", "zh", "导出不在编辑里完成"),
    ],
)
async def test_thanks_and_export_get_a_short_answer_not_an_apology(
    run_turn: Turn, sneakers: dict[str, Any], message: str, language: str, reply: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.reply.startswith(reply) and result.cost == 0 and result.draft == sneakers


@pytest.mark.parametrize(
    "message", ["make the title bigger", "make the captions red", "make it look cinematic"]
)
async def test_style_requests_the_director_cannot_do_get_help_and_keep_the_text(
    run_turn: Turn, sneakers: dict[str, Any], message: str
) -> None:
    result = await run_turn(sneakers, message, [])
    assert result.reply.startswith("Sorry, I didn't get that.") and result.draft == sneakers


async def test_create_reply_says_an_8_second_video_with_an_order_today_ending(run_turn: Turn) -> None:
    made = await run_turn(None, "make an 8 second video for our bakery", photos(2))
    assert made.reply.startswith("Done! I made an 8-second 16:9 video")
    assert "an “Order today” ending" in made.reply
    plain = await run_turn(None, "make a 15 second video for our sneakers. Shop now!", photos(2))
    assert plain.reply.startswith("Done! I made a 15-second") and "a “Shop now” ending" in plain.reply
