"""What the user reads: answers for what is not a request, refusals, partial edits, both languages."""

from __future__ import annotations

import pytest

from studio.director import (
    EDIT_COST,
    MAX_MESSAGE_CHARS,
    Director,
    RuleDirector,
    ToolCall,
    apply_call,
)
from studio.draft import Draft
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
        ("make it look cinematic", "en", "Sorry, I didn't get that."),
    ],
)
async def test_unknown_instruction_explains_what_it_can_do_and_changes_nothing(
    run_turn: Turn, sneakers: Draft, message: str, language: str, start: str
) -> None:
    result = await run_turn(sneakers, message, photos(3), language)
    assert result.reply.startswith(start)
    assert result.cost == 0 and result.tool_calls == [] and result.draft == sneakers
    assert ("move shot 3 first" in result.reply) or ("把第三个镜头放到最前面" in result.reply)


async def test_help_is_not_an_apology(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "help", [])
    assert result.reply.startswith("I can make and change your video.") and result.cost == 0


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("help", "en", "I can make and change your video"),
        ("upload", "en", "Send your photos"),
        ("上传", "zh", "直接把照片"),
        ("how much does this cost?", "en", "Making a video costs 10 credits and each edit turn 2 credits"),
        ("这个多少钱？", "zh", "做一个视频10积分，每次修改2积分"),
        ("is it free?", "en", "credits"),
        ("export", "en", "/export"),
        ("credits", "en", "/credits"),
    ],
)
async def test_bare_command_words_and_questions_never_make_a_video_or_cost_anything(
    run_turn: Turn, message: str, language: str, expected: str
) -> None:
    """`help`, `upload`, `上传` and "how much does this cost?" used to create a video and charge 10."""
    for draft_ in (None,):
        result = await run_turn(draft_, message, photos(3), language)
        assert result.draft is None and result.cost == 0 and result.tool_calls == []
        assert expected in result.reply


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
            "标题“Summer Sneakers”，1条字幕，低保真背景音乐，音量35%，淡入淡出转场，正常节奏，"
            "结尾“Shop now”。",
        ),
    ],
)
async def test_question_about_the_draft_gets_a_description_for_free(
    run_turn: Turn, sneakers: Draft, message: str, language: str, expected: str
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
        ("no voice-over", "en", "There is no voice-over yet (say “add a voice-over”)."),
        ("去掉配音", "zh", "现在还没有配音（可以说“加个配音”）。"),
    ],
)
async def test_edits_that_cannot_apply_say_why_and_cost_nothing(
    run_turn: Turn, sneakers: Draft, message: str, language: str, reply: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.reply == reply
    assert result.cost == 0 and result.draft == sneakers and result.tool_calls == []


async def test_partly_possible_requests_do_the_possible_part_and_explain_the_rest(
    run_turn: Turn, sneakers: Draft
) -> None:
    result = await run_turn(sneakers, "remove the logo and make it square", [])
    assert result.reply.startswith("Done! The format is now 1:1 (1080x1080). But there is no logo to remove.")
    assert result.cost == EDIT_COST and [c.name for c in result.tool_calls] == ["set_aspect"]
    vertical = await run_turn(sneakers, "make it vertical and add a sepia filter", [])
    assert vertical.reply.startswith(
        "Done! The format is now 9:16 (1080x1920). But I can't add filters or change the colours of the "
        "footage yet."
    )
    sparkle = await run_turn(sneakers, "make it vertical, and make it sparkle", [])
    assert "I didn't understand “make it sparkle”" in sparkle.reply and sparkle.cost == EDIT_COST


async def test_chinese_edit_reply_names_the_mood_in_chinese(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "改成竖屏，加欢快的音乐", [], "zh-CN")
    assert result.reply == (
        "好了！背景音乐换成了欢快，画面比例改成了9:16（1080x1920）。满意的话说“导出”，或者告诉我要改什么。"
    )


async def test_english_instruction_with_chinese_reply_language(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "make it 30 seconds", [], "zh")
    assert result.reply.startswith("好了！视频现在是30秒。")


async def test_a_message_over_the_limit_gets_one_line_and_costs_nothing(
    run_turn: Turn, sneakers: Draft
) -> None:
    flood = "make it vertical and add upbeat music " * (30000 // 38)
    assert len(flood) > MAX_MESSAGE_CHARS
    result = await run_turn(sneakers, flood, [])
    assert result.cost == 0 and result.tool_calls == [] and result.draft == sneakers
    assert (
        "\n" not in result.reply
        and "shorter brief" in result.reply
        and str(MAX_MESSAGE_CHARS) in result.reply
    )
    made = await run_turn(None, flood, photos(3))
    assert made.draft is None and made.cost == 0


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (ToolCall(name="set_aspect", args={"aspect": "4:3"}), "bad_aspect"),
        (ToolCall(name="set_transition", args={"type": "spin"}), "bad_transition"),
        (ToolCall(name="remove_shot", args={"index": 0}), "no_shot"),
        (ToolCall(name="add_logo", args={"src": "http://example.com/x.png"}), "no_logo_asset"),
        (ToolCall(name="set_music", args={"src": "file:///etc/passwd"}), "bad_music"),
        (ToolCall(name="style_text", args={"target": "title", "color": "red"}), "bad_style_text"),
        (ToolCall(name="set_style", args={"style": "grunge"}), "bad_style"),
        (ToolCall(name="set_duration", args={"ms": "soon"}), "bad_args"),
        (ToolCall(name="undo", args={}), "session_call"),
        (ToolCall(name="launch_rockets", args={}), "unknown_call"),
    ],
)
def test_tool_calls_with_bad_arguments_are_refused_without_touching_the_draft(
    sneakers: Draft, call: ToolCall, key: str
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
    run_turn: Turn, sneakers: Draft, message: str, language: str, reply: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.reply.startswith(reply) and result.cost == 0 and result.draft == sneakers


async def test_create_reply_says_an_8_second_video_with_an_order_today_ending(run_turn: Turn) -> None:
    made = await run_turn(None, "make an 8 second video for our bakery", photos(2))
    assert made.reply.startswith("Done! I made an 8-second 16:9 video")
    assert "an “Order today” ending" in made.reply
    plain = await run_turn(None, "make a 15 second video for our sneakers. Shop now!", photos(2))
    assert plain.reply.startswith("Done! I made a 15-second") and "a “Shop now” ending" in plain.reply


async def test_copy_from_a_description_is_shown_and_put_on_the_video(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(
        sneakers, "generate a short product description for handmade soy candles, lavender and cedar", []
    )
    assert result.draft is not None and result.cost == EDIT_COST
    assert result.draft.m.title == "Handmade Soy Candles"
    assert [s.m.text for s in result.draft.texts("caption")] == ["Lavender and cedar"]
    assert result.reply.startswith("Here are the words: Handmade Soy Candles · Lavender and cedar")
