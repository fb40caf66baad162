"""classify(): what a user's message asks for, in English and Chinese."""

from __future__ import annotations

import pytest

from bot.engine.intents import Intent, classify

COMMANDS = [
    ("/start", Intent.START, ""),
    ("/help", Intent.HELP, ""),
    ("/new", Intent.NEW, ""),
    ("/credits", Intent.CREDITS, ""),
    ("/status", Intent.STATUS, ""),
    ("/export", Intent.EXPORT, ""),
    ("/cancel", Intent.CANCEL, ""),
    ("/upload", Intent.UPLOAD, ""),
    ("/token nmv_usr_abc123", Intent.TOKEN, "nmv_usr_abc123"),
    ("/token", Intent.TOKEN, ""),
    ("/EXPORT", Intent.EXPORT, ""),
    ("/Help@VideoMakerBot", Intent.HELP, ""),
    ("/token@VideoMakerBot  nmv_usr_xyz ", Intent.TOKEN, "nmv_usr_xyz"),
    ("  /status  ", Intent.STATUS, ""),
    ("/foo", Intent.UNKNOWN_COMMAND, "/foo"),
    ("/Foo@VideoMakerBot bar", Intent.UNKNOWN_COMMAND, "/foo"),
]


@pytest.mark.parametrize(("text", "intent", "args"), COMMANDS)
def test_commands_are_recognised_with_bot_suffix_and_any_case(text: str, intent: Intent, args: str) -> None:
    result = classify(text)
    assert (result.intent, result.args) == (intent, args)


KEYWORDS = [
    # export
    ("export", Intent.EXPORT),
    ("Export!", Intent.EXPORT),
    ("export it please", Intent.EXPORT),
    ("Can you export the video?", Intent.EXPORT),
    ("download", Intent.EXPORT),
    ("download the final video", Intent.EXPORT),
    ("send me the video", Intent.EXPORT),
    ("Please send me the video now", Intent.EXPORT),
    ("export to mp4", Intent.EXPORT),
    ("导出", Intent.EXPORT),
    ("导出视频", Intent.EXPORT),
    ("请帮我导出一下视频", Intent.EXPORT),
    ("下载", Intent.EXPORT),
    ("把视频发给我", Intent.EXPORT),
    # credits
    ("credits", Intent.CREDITS),
    ("How many credits do I have left?", Intent.CREDITS),
    ("check my balance", Intent.CREDITS),
    ("what's my balance", Intent.CREDITS),
    ("积分", Intent.CREDITS),
    ("我还有多少积分", Intent.CREDITS),
    ("余额", Intent.CREDITS),
    ("查询余额", Intent.CREDITS),
    # status
    ("status", Intent.STATUS),
    ("Show tracks", Intent.STATUS),
    ("show the timeline", Intent.STATUS),
    ("what's the project status?", Intent.STATUS),
    ("状态", Intent.STATUS),
    ("查看状态", Intent.STATUS),
    ("显示时间线", Intent.STATUS),
    # upload
    ("upload", Intent.UPLOAD),
    ("I want to upload some photos", Intent.UPLOAD),
    ("上传", Intent.UPLOAD),
    ("我要上传图片", Intent.UPLOAD),
    # cancel, new, help in words
    ("cancel", Intent.CANCEL),
    ("stop the export", Intent.CANCEL),
    ("取消导出", Intent.CANCEL),
    ("start over", Intent.NEW),
    ("new project please", Intent.NEW),
    ("重新开始", Intent.NEW),
    ("help", Intent.HELP),
    ("帮助", Intent.HELP),
]


@pytest.mark.parametrize(("text", "intent"), KEYWORDS)
def test_a_message_that_is_essentially_a_request_gets_its_action(text: str, intent: Intent) -> None:
    result = classify(text)
    assert result.intent == intent
    assert result.args == text.strip()


CHAT = [
    "add a title that says export sale",
    "create a video about my credit union",
    "make the status bar at the top red",
    "export the video in 4k with subtitles in French",
    "download some royalty free music and add it",
    "generate a 30-second promo from my product images",
    "help me make a video for my shop",
    "stop motion style please",
    "add upbeat music",
    "a video about the history of the download button",
    "为我的咖啡店做一个宣传视频",
    "加一个写着导出特卖的标题",
    "用我的积分生成一个视频",
    "把背景音乐换成轻快的",
    "上传之后帮我把照片做成一个三十秒的视频并加上标题",
    "my cat's status update video",
    "/home/user/clip.mp4",
    "hello",
    "你好",
]


@pytest.mark.parametrize("text", CHAT)
def test_anything_else_is_a_chat_turn_with_the_text_kept(text: str) -> None:
    result = classify(text)
    assert result.intent == Intent.CHAT
    assert result.args == text


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("", ""),
        ("make a promo video from these", "make a promo video from these"),
        ("用这些照片做一个视频", "用这些照片做一个视频"),
        ("export", "export"),
        ("/upload make it upbeat", "make it upbeat"),
    ],
)
def test_attachments_are_an_upload_with_the_caption_kept_as_the_prompt(text: str, args: str) -> None:
    result = classify(text, has_attachments=True)
    assert (result.intent, result.args) == (Intent.UPLOAD, args)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_without_attachments_is_empty(text: str) -> None:
    assert classify(text).intent == Intent.EMPTY
