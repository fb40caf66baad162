"""Backend GUI wording → chat actions.

The backend's agent assumes a graphical editor: "Click [Export] to download", "open the timeline
panel", "drag the clip to reorder", "点击导出". In a chat there is nothing to click, so each such
instruction becomes an action the bot performs or offers, and the clicking words are taken out
while everything the text says about the video stays:

    click [Export] / Export button / 点击导出 / 导出       → EXPORT      (export workflow, or a button)
    open [panel] / 打开 / preview in timeline             → STATUS      (timeline summary)
    check account / billing / 查看账户                     → CREDITS     (credits balance)
    drag / drop / 拖拽                                      → OFFER_EDIT  (offer to send it as an edit)

Work is done per clause (sentences split at , ; ， ；): a clause with clicking words is dropped,
the rest of its sentence stays. Text without GUI wording passes through unchanged.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, Field


class Action(StrEnum):
    EXPORT = "export"
    STATUS = "status"
    CREDITS = "credits"
    OFFER_EDIT = "offer_edit"


class Translation(BaseModel):
    text: str  # the text with the clicking instructions taken out
    actions: list[Action] = Field(default_factory=list)  # in the order found, each once


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# What a GUI instruction is about (checked in this order).
_TARGETS: list[tuple[Action, re.Pattern[str]]] = [
    (Action.EXPORT, _re(r"\b(export|download|render)\w*|导出|下载|渲染")),
    (
        Action.CREDITS,
        _re(r"\b(credits?|account|billing|balance|top[ -]?up|subscription)\b|账户|账号|账单|余额|积分|充值"),
    ),
    (
        Action.STATUS,
        _re(r"\b(timeline|tracks?|preview|panel|editor|sidebar|tab)\b|时间线|轨道|预览|面板|编辑器"),
    ),
]
_DRAG = _re(r"\bdrag(?:s|ged|ging)?\b|\bdrop\b|drag-and-drop|拖拽|拖动|拖放|拖入")
_CLICK = _re(r"\b(click|tap|press|hit)(?:s|ed|ing)?\b|点击|单击|点按|按下|点一下|轻点")
_OPEN = _re(r"\b(open|go to|head to|navigate to|switch to)\b|打开|前往|进入|切换到")
_PLACE = _re(
    r"\b(panel|tab|timeline|editor|sidebar|page|menu|settings|preview|window|dialog|section)\b"
    r"|面板|时间线|编辑器|页面|菜单|设置|预览|窗口|轨道"
)
_CHECK = _re(r"\b(check|visit|see|view)\b|查看|检查|访问")
_ACCOUNT = _re(r"\b(account|billing)\b|账户|账号|账单")
_PREVIEW = _re(r"\bpreview\w*\b[^.!?\n]{0,30}\btimeline\b|timeline\s+preview|在?时间线[中上里]?预览")
_BUTTON = _re(
    r"\b(export|download)\s+button\b|\[\s*(export|download)\s*\]|导出按钮|下载按钮|【导出】|「导出」"
)
# a quoted "导出" tells the user what to say ("满意的话说“导出”"): the text already covers it
_BARE_EXPORT = re.compile(r"(?<![“\"「『‘'])导出(?![”\"」』’'])")
_THEN = _re(r"\s*(?:and\s+)?then\b|\s*(?:然后|再|并)")

_LIST_MARK = re.compile(r"^(\s*(?:[-*•·]|\d+[.)、])\s+|\s*)")
_SENTENCE = re.compile(r".*?(?:[.!?]+(?=\s|$)|[。！？]+|$)\s*")
_CLAUSE = re.compile(r"[^,;，；]*(?:[,;，；]\s*|$)")
_END = re.compile(r"[.!?。！？…]+\s*$")


def _gui_action(clause: str) -> Action | bool | None:
    """The action a clause asks for in GUI words; True: GUI words with nothing we can do
    (kept as is); None: not a GUI instruction."""
    if _DRAG.search(clause):
        return Action.OFFER_EDIT
    if _BUTTON.search(clause):
        return Action.EXPORT
    if _PREVIEW.search(clause):
        return Action.STATUS
    target = next((action for action, pattern in _TARGETS if pattern.search(clause)), None)
    if _CLICK.search(clause):
        return target if target is not None else True
    if _OPEN.search(clause) and (_PLACE.search(clause) or _ACCOUNT.search(clause)):
        return target or Action.STATUS
    if _CHECK.search(clause) and _ACCOUNT.search(clause):
        return Action.CREDITS
    return None


def _translate_sentence(sentence: str, actions: list[Action]) -> str:
    clauses = [c for c in _CLAUSE.findall(sentence) if c]
    kept: list[str] = []
    dropped = False
    for clause in clauses:
        found = _gui_action(clause)
        if isinstance(found, Action):
            actions.append(found)
            dropped = True
            continue
        if dropped and _THEN.match(clause):
            continue  # "click Export, then choose MP4": the rest of the same instruction
        dropped = False
        if _BARE_EXPORT.search(clause):
            actions.append(Action.EXPORT)  # "可以导出了": offer the export, keep the words
        kept.append(clause)
    if len(kept) == len(clauses):
        return sentence
    if not kept:
        return ""
    text = "".join(kept).rstrip()
    text = re.sub(r"[,;，；]\s*$", "", text)
    end = _END.search(sentence.rstrip())
    if end and not _END.search(text):
        text += end.group(0).strip()
    return text + sentence[len(sentence.rstrip()) :]


def _translate_line(line: str, actions: list[Action]) -> str | None:
    """The line without its GUI instructions; None when nothing is left of it."""
    mark = _LIST_MARK.match(line)
    prefix = mark.group(0) if mark else ""
    body = line[len(prefix) :]
    sentences = [s for s in _SENTENCE.findall(body) if s]
    out = "".join(_translate_sentence(s, actions) for s in sentences)
    if out == body:
        return line
    out = out.strip()
    return prefix + out if out else None


def translate(text: str) -> Translation:
    """Take the clicking instructions out of backend text and list the actions they stood for."""
    actions: list[Action] = []
    lines: list[str] = []
    changed = False
    for line in text.split("\n"):
        if not line.strip():
            lines.append(line)
            continue
        new = _translate_line(line, actions)
        changed = changed or new != line
        if new is not None:
            lines.append(new)
    if not changed:
        return Translation(text=text, actions=list(dict.fromkeys(actions)))
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Translation(text=out, actions=list(dict.fromkeys(actions)))
