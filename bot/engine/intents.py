"""What the user asked for: a command, one of a few direct requests, an upload, or a chat turn.

`classify(text, has_attachments)` reads one message. Commands (`/export`, `/token <value>`,
`/help@MyBot`) are matched exactly. Keywords ("export", "导出", "credits", "余额", "show tracks",
...) count only when the message is essentially that request: after taking out the keyword, what
is left must be filler ("please", "it", "the video", "帮我", "一下", ...). "export it please" and
"导出视频" are an export; "add a title that says export sale" is a chat turn. When unsure, it is a
chat turn: the backend's agent understands everything, a wrong direct action does not.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel


class Intent(StrEnum):
    START = "start"
    HELP = "help"
    NEW = "new"
    CREDITS = "credits"
    STATUS = "status"
    PREVIEW = "preview"
    EXPORT = "export"
    CANCEL = "cancel"
    TOKEN = "token"
    STATS = "stats"
    UPLOAD = "upload"
    CHAT = "chat"
    EMPTY = "empty"
    UNKNOWN_COMMAND = "unknown_command"


class Classified(BaseModel):
    """The intent and its argument: the token for TOKEN, the prompt for UPLOAD and CHAT, the
    rest of the line for other commands, the command as typed for UNKNOWN_COMMAND."""

    intent: Intent
    args: str = ""


COMMANDS: dict[str, Intent] = {
    "start": Intent.START,
    "help": Intent.HELP,
    "new": Intent.NEW,
    "credits": Intent.CREDITS,
    "status": Intent.STATUS,
    "preview": Intent.PREVIEW,
    "storyboard": Intent.PREVIEW,
    "export": Intent.EXPORT,
    "cancel": Intent.CANCEL,
    "token": Intent.TOKEN,
    "stats": Intent.STATS,
    "upload": Intent.UPLOAD,
    "attach": Intent.UPLOAD,  # the terminal's file command, typed without a path
}

_COMMAND_RE = re.compile(r"^[/／]([A-Za-z][A-Za-z0-9_]*)(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)
_TOKEN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:'[a-z]+)?")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


class _Rule(BaseModel):
    """Keywords of one intent and the extra words that may surround them."""

    en: list[tuple[str, ...]]
    zh: list[str]
    en_fill: frozenset[str] = frozenset()
    zh_fill: tuple[str, ...] = ()


def _rule(en: str, zh: str, en_fill: str = "", zh_fill: str = "") -> _Rule:
    """Phrases separated by "|" (English) or spaces (Chinese); fillers separated by spaces."""
    return _Rule(
        en=[tuple(p.split()) for p in en.split("|")],
        zh=zh.split(),
        en_fill=frozenset(en_fill.split()),
        zh_fill=tuple(zh_fill.split()),
    )


_EN_FILL = frozenset(
    "please pls plz now it the a an my me this that video can could would will you u i i'd i'm "
    "want wanna to like let let's lets just ok okay thanks thank hey hi hello go ahead and for of do "
    "is bot then so yes yeah right away".split()
)
_ZH_FILL = tuple(
    "能不能 可不可以 请 麻烦 帮忙 帮我 给我 一下 我要 我想 想要 我的 可以 现在 这个 那个 谢谢 好的 "
    "吧 呢 吗 啊 呀 了 要 我 你 能 把 它 的 好".split()
)

_RULES: dict[Intent, _Rule] = {
    Intent.EXPORT: _rule(
        "export | download | render | send me the video | send the video | send it | send me it"
        " | send me the file | give me the video",
        "导出 下载 渲染 输出 发给我 发我",
        "final finished mp4 file result as in hd 1080p again ready",
        "视频 影片 成品 最终 文件 高清 一个",
    ),
    Intent.CREDITS: _rule(
        "credits | credit balance | balance | credits left",
        "积分 余额 点数 额度",
        "how many much do i have left remaining check show what what's whats are account current see",
        "多少 还有 剩余 剩下 查询 查看 看看 账户 账号 是 有 几个 个",
    ),
    Intent.STATUS: _rule(
        "status | show tracks | tracks | timeline",
        "状态 轨道 时间线 进度",
        "show check what what's whats current project of view see where are we progress state",
        "查看 看看 显示 当前 目前 项目 怎么样 如何 视频",
    ),
    Intent.PREVIEW: _rule(
        "preview | storyboard | show me | show the plan | show me the plan",
        "预览 看看效果 分镜 故事板",
        "show see quick draft plan how it looks look does what first shots",
        "视频 一下 先 看 看看 效果 让我 分镜图 草稿",
    ),
    Intent.UPLOAD: _rule(
        "upload",
        "上传",
        "file files photo photos image images picture pictures clip clips some few media footage more",
        "文件 图片 照片 视频 素材 一些 几张 张 更多",
    ),
    Intent.HELP: _rule("help | commands", "帮助 怎么用 使用说明", "need show what are", "查看 显示"),
    Intent.CANCEL: _rule(
        "cancel | stop | abort", "取消 停止", "export render rendering generation waiting", "导出 渲染 生成"
    ),
    Intent.NEW: _rule(
        "new project | start over | start again | fresh start",
        "新项目 重新开始 新建项目 重来",
        "start begin create make",
        "开始 开 一个 新建 创建",
    ),
}


def classify(text: str, has_attachments: bool = False) -> Classified:
    """Classify one message (a caption counts as its text)."""
    text = text.strip()
    command = _COMMAND_RE.match(text)
    if has_attachments:
        if command and command.group(1).lower() == "upload":
            text = (command.group(2) or "").strip()
        return Classified(intent=Intent.UPLOAD, args=text)
    if not text:
        return Classified(intent=Intent.EMPTY)
    if command:
        name, rest = command.group(1).lower(), (command.group(2) or "").strip()
        intent = COMMANDS.get(name)
        if intent is None:
            return Classified(intent=Intent.UNKNOWN_COMMAND, args=f"/{name}")
        return Classified(intent=intent, args=rest)
    intent = _keyword_intent(text)
    return Classified(intent=intent or Intent.CHAT, args=text)


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    return next((i for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == phrase), -1)


def _matches(rule: _Rule, latin: list[str], cjk: list[str]) -> bool:
    found = False
    for phrase in sorted(rule.en, key=len, reverse=True):
        while (at := _contains(latin, phrase)) >= 0:
            del latin[at : at + len(phrase)]
            found = True
    for keyword in sorted(rule.zh, key=len, reverse=True):
        for i, run in enumerate(cjk):
            if keyword in run:
                cjk[i] = run.replace(keyword, " ")
                found = True
    if not found:
        return False
    if any(word not in _EN_FILL and word not in rule.en_fill for word in latin):
        return False
    rest = "".join(cjk)
    for filler in sorted((*rule.zh_fill, *_ZH_FILL), key=len, reverse=True):
        rest = rest.replace(filler, "")
    return not rest.strip()


def _keyword_intent(text: str) -> Intent | None:
    norm = text.casefold().replace("’", "'").replace("‘", "'")
    if len(norm) > 80:
        return None  # a real request, not a one-line command in words
    tokens = _TOKEN_RE.findall(norm)
    found = [
        intent
        for intent, rule in _RULES.items()
        if _matches(
            rule,
            [t for t in tokens if not _CJK_RE.match(t)],
            [t for t in tokens if _CJK_RE.match(t)],
        )
    ]
    if Intent.CANCEL in found:
        return Intent.CANCEL  # "stop the export", "取消导出"
    return found[0] if len(found) == 1 else None
