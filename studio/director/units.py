"""Text → units, the director's smallest pieces: a Latin word, a number, a symbol, or one CJK character.

Used for the lexicon's phrases and for messages alike, so both are cut the same way. Which CJK
characters belong to one word is the segmenter's business (`segment.py`); here every CJK character
is its own unit. The text is expected lower-cased and NFKC-normalised (`lexicon.normalize`).

Whitespace is dropped, except next to a Chinese character: there a space is how people on phones
separate requests ("标题改成白色 字幕改成黄色"), so it becomes a `gap` unit, a soft clause end that
the grammar may cut at (content.py, understand.py). Latin words keep their spaces to themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(
    r"(?P<file>[\w-]+\.(?:mp3|wav|m4a|aac|ogg|flac|mp4|mov|m4v|avi|webm|mkv|jpe?g|png|gif|webp|heic))(?![\w.])"
    r"|(?P<url>(?:https?://)?(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|shop|store|app|me|cn|uk|de|fr|ai|xyz)"
    r"(?:/[^\s，。]*)?)(?![\w.])"
    # a handle; on Chinese platforms it may end in Chinese characters, up to a space or a stop: @glow蜡烛
    rf"|(?P<handle>@[a-z0-9_.]*(?:[a-z0-9_]*[{CJK_CHARS}]+(?=[\s,，。.!！?？;；、]|$)|[a-z0-9_]))"
    r"|(?P<hex>#(?:[0-9a-f]{6}|[0-9a-f]{3})(?![0-9a-z]))"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<word>[a-z]+(?:['’][a-z]+)*)"
    rf"|(?P<cjk>[{CJK_CHARS}])"
    r"|(?P<punct>[.,!?;。，！？；、…~\n]+)"
    r"|(?P<sym>[%$€£¥₹₩₱฿:=+&/\-→>*#@()\[\]<])"
    r"|(?P<other>\S)",
    re.A | re.I,
)


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    start: int  # in the normalised text
    end: int
    kind: str  # file, url, handle, hex, num, word, cjk, punct, sym, other, gap


_CJK_RE = re.compile(rf"[{CJK_CHARS}]")


def split(text: str) -> list[Unit]:
    """Every unit of `text` (already normalised), in order; whitespace is dropped, or is a `gap` unit
    when a Chinese character stands on either side of it."""
    out: list[Unit] = []
    for m in _UNIT.finditer(text):
        kind = m.lastgroup or "other"
        value = m.group(0)
        if kind == "punct":
            value = value[0] if value[0] != "\n" else "."
        if out and m.start() > out[-1].end and out[-1].kind != "punct" and kind != "punct":
            before, after = text[out[-1].end - 1], text[m.start()]
            if (
                (_CJK_RE.match(before) or _CJK_RE.match(after))
                and not (before.isdigit() or after.isdigit())  # "30 秒", "第 2 张" stay one
                and text[out[-1].end : m.start()].isspace()
            ):
                out.append(Unit(" ", out[-1].end, m.start(), "gap"))
        out.append(Unit(value.replace("’", "'"), m.start(), m.end(), kind))
    return out


def units_of(phrase: str) -> list[str]:
    """A lexicon phrase as its unit texts ("lo-fi" → lo, -, fi; "低保真" → 低, 保, 真)."""
    return [u.text for u in split(phrase) if u.kind != "gap"]


def is_cjk(text: str) -> bool:
    return bool(text) and all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def join_texts(texts: list[str]) -> str:
    """Unit texts as one phrase: Chinese characters together, other words with a space."""
    out = ""
    for text in texts:
        if out and not (is_cjk(text) and is_cjk(out[-1])):
            out += " "
        out += text
    return out
