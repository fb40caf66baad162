"""The few Telegram-only things the adapter itself says (English and Chinese).

Everything conversational is the engine's (bot/i18n), and the adapter uses those keys where they
fit (`upload.too_large`, `upload.failed`, `error.generic`). What is here exists only because of Telegram:
the Bot API's 20 MB download limit, a token pasted into a group, the command menu.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.i18n import language_for


class Texts(BaseModel):
    model_config = ConfigDict(frozen=True)

    cloud_file_limit: str
    token_in_group: str
    commands: dict[str, str]


EN = Texts(
    cloud_file_limit=(
        "📎 That file is {size} — Telegram only lets bots download files up to {limit}.\n"
        "Send me a link to it instead (Google Drive, Dropbox or any direct URL), or ask whoever runs "
        "this bot to start the local Bot API server (TELEGRAM_API_URL), which lifts the limit to 2000 MB."
    ),
    token_in_group=(
        "🔒 I deleted that message: never paste a token in a group. "
        "Send /token to me in a private chat instead."
    ),
    commands={
        "start": "Start, or see what I can do",
        "help": "How to make a video",
        "new": "Start a new project",
        "status": "What is in the project now",
        "export": "Render and send the MP4",
        "credits": "Credits left",
        "cancel": "Stop waiting for the current step",
        "token": "Use your own NemoVideo token (private chat)",
    },
)

ZH = Texts(
    cloud_file_limit=(
        "📎 这个文件有 {size}，Telegram 只允许机器人下载 {limit} 以内的文件。\n"
        "请改发一个链接（Google Drive、Dropbox 或任何直链），或者请机器人的管理员启用本地 Bot API 服务器"
        "（TELEGRAM_API_URL），上限会提高到 2000 MB。"
    ),
    token_in_group="🔒 我已删除那条消息：请不要在群里发送令牌。请在私聊中用 /token 发给我。",
    commands={
        "start": "开始，或看看我能做什么",
        "help": "如何制作视频",
        "new": "新建项目",
        "status": "查看当前项目",
        "export": "导出并发送 MP4",
        "credits": "剩余积分",
        "cancel": "停止等待当前步骤",
        "token": "使用你自己的 NemoVideo 令牌（私聊）",
    },
)


def texts_for(locale: str | None) -> Texts:
    """Chinese for any zh* language code, English otherwise (the engine's rule)."""
    return ZH if language_for(locale) == "zh" else EN


def megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"
