"""Slash-command names, descriptions and option texts in English and Chinese, and their Translator.

Every command text is an `app_commands.locale_str` whose `key` points into `COMMAND_TEXTS`; the
English text is the default Discord shows, `CommandTexts` (a discord.py `Translator`) answers the
Chinese locales (zh-CN, zh-TW) when the tree is synced. Names follow Discord's rules: lower case,
1-32 characters, no spaces (Chinese characters are allowed).

Everything else the user reads comes from the engine (`bot.i18n`).
"""

from __future__ import annotations

import discord
from discord import app_commands

ZH_LOCALES = frozenset({discord.Locale.chinese, discord.Locale.taiwan_chinese})

# key → (English, Chinese)
COMMAND_TEXTS: dict[str, tuple[str, str]] = {
    "video.name": ("video", "视频"),
    "video.desc": ("Make a video from photos, clips and a sentence", "用照片、片段和一句话制作视频"),
    "video.prompt.name": ("prompt", "描述"),
    "video.prompt.desc": ("What the video should be, in your words", "用你自己的话描述想要的视频"),
    "upload.name": ("upload", "上传"),
    "upload.desc": ("Add a photo, clip or audio file to your project", "向项目添加照片、片段或音频"),
    "upload.file.name": ("file", "文件"),
    "upload.file.desc": ("A photo, video clip or audio file", "照片、视频片段或音频文件"),
    "export.name": ("export", "导出"),
    "export.desc": ("Render the video and send the MP4", "导出并发送 MP4"),
    "status.name": ("status", "状态"),
    "status.desc": ("What is in the project now", "查看当前项目"),
    "credits.name": ("credits", "积分"),
    "credits.desc": ("Credits left", "剩余积分"),
    "new.name": ("new", "新建"),
    "new.desc": ("Start a new project", "新建项目"),
    "cancel.name": ("cancel", "取消"),
    "cancel.desc": ("Stop waiting for the current step", "停止等待当前步骤"),
    "help.name": ("help", "帮助"),
    "help.desc": ("How to make a video", "如何制作视频"),
}
for _n in range(1, 5):
    COMMAND_TEXTS[f"video.image{_n}.name"] = (f"image{_n}", f"图片{_n}")
    COMMAND_TEXTS[f"video.image{_n}.desc"] = (
        f"Photo, clip or audio file {_n} (optional)",
        f"第 {_n} 个照片、片段或音频（可选）",
    )


def text(key: str) -> app_commands.locale_str:
    """The English text of `key`, marked for translation."""
    return app_commands.locale_str(COMMAND_TEXTS[key][0], key=key)


class CommandTexts(app_commands.Translator):
    """Answers the Chinese locales from `COMMAND_TEXTS`; other locales see the English default."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale not in ZH_LOCALES:
            return None
        key = string.extras.get("key")
        entry = COMMAND_TEXTS.get(key) if isinstance(key, str) else None
        return entry[1] if entry else None

