"""Shot instructions: which shot the user means, and where it should go (English and Chinese).

References: "shot 3", "photo #2", "the second photo" (the 2nd image), "the last clip", "第3个镜头",
"第二张照片", "最后一个". Destinations: "first" / "to the start", "last" / "to the end", "to
position 2", "after shot 4", "before the first photo", "放到最后", "移到最前面", "放到第2个".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.director.models import Asset, Change, ToolCall
from studio.director.timeline import Draft, kind, visual
from studio.director.words import ORDINALS, ZH_NUM, alt, zh_number

_ORD = "|".join(ORDINALS) + r"|last|\d+(?:st|nd|rd|th)"
_NOUN = r"shots?|scenes?|slides?|ones?|photos?|pictures?|pics?|images?|clips?|videos?"
_NOT_LENGTH = r"(?!\s*-?\s*(?:seconds?|secs?|s|minutes?|mins?)\b)"  # "the video 25 seconds" is a length
_REF_EN = re.compile(alt(rf"\b(?P<ord>{_ORD})\s+(?P<n1>{_NOUN})\b",
                         rf"\b(?P<n2>{_NOUN})\s*(?:#|number\s*|no\.\s*)?(?P<num>\d+)\b{_NOT_LENGTH}"),
                     re.I | re.A)
_REF_ONLY = re.compile(r"\b(?:the|my)\s+(?:(?:video\s+)?(?P<clip>clip)|(?P<photo>photo|picture|image))\b"
                       r"(?!\s*#?\d)", re.I | re.A)  # "the clip": fine when there is only one
_REF_ZH = re.compile(rf"(?:第\s*(?P<num>{ZH_NUM})|(?P<last>最后))\s*(?:一)?\s*(?:个|张|段|条|幅)?\s*"
                     r"(?P<noun>镜头|照片|图片|相片|图|视频|片段|画面|素材)?")
_ZH_LAST = re.compile(r"最后\s*(?:一)?\s*(?:个|张|段|条|幅)")
_ZH_KIND = {"照片": "image", "图片": "image", "相片": "image", "图": "image", "视频": "video",
            "片段": "video"}
_REMOVE = re.compile(alt(r"\b(?:remove|delete|drop|cut|take out|get rid of|lose|skip|ditch)\b",
                         "删除|删掉|去掉|移除|不要|拿掉|去除"), re.I | re.A)
_SWAP = re.compile(alt(r"\b(?:swap|switch|exchange|flip|trade)\b", "交换|对调|互换|调换|换一下|换个?位置"),
                   re.I | re.A)
_REMOVE_AFTER = re.compile(alt(r"\b(?:remove|delete|drop|cut|lose|ditch|get rid of)\s+"
                               r"(?:it|that|that one|this one)\b",
                               r"\b(?:can|should|must)\s+go\b", "删除|删掉|去掉|移除|不要|拿掉|去除"),
                           re.I | re.A)
_MOVE = re.compile(r"\b(?:move|put|place|make|bring|shift|set)\b", re.I | re.A)
_ZH_MOVE = re.compile(r"(?:放到|移到|挪到|放在|移动到|调到|换到|排到|改到|放)")
_ADD_MEDIA = re.compile(alt(
    r"\b(?:add|include|append|use|put in)\s+(?:in\s+)?(?:the\s+|these\s+|my\s+|those\s+|all\s+)?"
    r"(?:new\s+|other\s+|remaining\s+|rest of the\s+|\d+\s+|last\s+|latest\s+)?"
    r"(?:photos?|pictures?|images?|clips?|videos?|shots?)\b",
    "(?:加上|加入|添加|加|放进|用上)(?:新|这些|刚才|刚上传)?的?(?:照片|图片|视频|素材|片段)"), re.I | re.A)
_PAIR_EN = re.compile(r"\b(?:shots?|photos?|pictures?|images?|clips?|videos?)\s+"
                      r"(\d+)\s*(?:and|&|,|with)\s*(\d+)\b", re.I | re.A)
_PAIR_ZH = re.compile(rf"第?\s*({ZH_NUM})\s*(?:个|张)?\s*(?:和|与|跟)\s*第\s*({ZH_NUM})")
_PAIR_ORD = re.compile(rf"\b({_ORD})\s+(?:and|&|with)\s+(?:the\s+)?({_ORD})\s+({_NOUN})\b", re.I | re.A)
_TO_START = re.compile(alt(r"^(?:to|at|in|as)?\s*(?:the\s+)?(?:very\s+)?"
                           r"(?:first|start|beginning|front|top|opening)\b",
                           "^(?:最前|开头|第一个|第1个|最前面|前面|开始)"), re.A)
_TO_END = re.compile(alt(r"^(?:to|at|as)?\s*(?:the\s+)?(?:very\s+)?(?:last|end|back|bottom)\b",
                         "^(?:最后|末尾|结尾|最后面|后面)"), re.A)


@dataclass
class Ref:
    index: int | None  # 0-based shot index; None when it points past the end
    start: int
    end: int


def _kind_of(noun: str | None) -> str | None:
    if not noun:
        return None
    noun = noun.lower()
    if noun in _ZH_KIND:
        return _ZH_KIND[noun]
    if re.match(r"photo|picture|pic|image", noun):
        return "image"
    if re.match(r"clip|video", noun):
        return "video"
    return None


def _resolve(draft: Draft, number: int | None, noun: str | None) -> int | None:
    segs = visual(draft)
    want = _kind_of(noun)
    pool = [i for i, s in enumerate(segs) if want is None or kind(s) == want]
    if not pool:
        return None
    if number is None:  # "last"
        return pool[-1]
    return pool[number - 1] if 1 <= number <= len(pool) else None


def _number(word: str) -> int | None:
    """'second' → 2, '3rd' → 3, 'last' → None."""
    word = word.lower()
    if word == "last":
        return None
    return ORDINALS.get(word) or int(re.sub(r"\D", "", word))


def find_refs(draft: Draft, text: str) -> list[Ref]:
    refs: list[Ref] = []
    for m in _REF_EN.finditer(text):
        number = int(m.group("num")) if m.group("num") else _number(m.group("ord"))
        refs.append(Ref(_resolve(draft, number, m.group("n1") or m.group("n2")), m.start(), m.end()))
    for m in _REF_ZH.finditer(text):
        if m.group("last") and not _ZH_LAST.match(m.group(0)) and not m.group("noun"):
            continue  # "放到最后" is a destination, not a shot
        number = None if m.group("last") else zh_number(m.group("num"))
        refs.append(Ref(_resolve(draft, number, m.group("noun")), m.start(), m.end()))
    if not refs:
        for m in _REF_ONLY.finditer(text):
            want = "video" if m.group("clip") else "image"
            matches = [i for i, s in enumerate(visual(draft)) if kind(s) == want]
            if len({visual(draft)[i]["m"].get("src") for i in matches}) == 1:
                refs.append(Ref(matches[0], m.start(), m.end()))
    return sorted(refs, key=lambda r: r.start)


def _destination(draft: Draft, tail: str, source: int) -> int | None:
    """Final 1-based position named by the text after the shot reference."""
    n = len(visual(draft))
    t = tail.strip().lower()
    if _TO_START.match(t):
        return 1
    if _TO_END.match(t):
        return n
    m = re.match(r"^(after|behind|before)\s+(.*)", t) or re.match(r"^(.*?)(后面|之后|前面|之前)", t)
    if m:
        before = m.group(1) == "before" or m.group(2) in ("前面", "之前")
        ref_text = m.group(2) if m.group(1) in ("after", "behind", "before") else m.group(1)
        refs = find_refs(draft, ref_text)
        if not refs or refs[0].index is None or refs[0].index == source:
            return None
        order = [i for i in range(n) if i != source]
        pos = order.index(refs[0].index) + (0 if before else 1)
        return pos + 1
    place = r"^(?:to\s+)?(?:the\s+)?(?:position|place|spot|slot|number)?\s*#?"
    m = re.match(place + rf"(\d+|{_ORD})\b", t, re.A) or \
        re.match(rf"^第\s*({ZH_NUM})\s*(?:个|张|位)?", t)
    if m:
        word = m.group(1)
        value = ORDINALS.get(word) or (n if word == "last" else zh_number(re.sub("(st|nd|rd|th)$", "", word)))
        return value if value and 1 <= value <= n else None
    return None


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;。！？；])\s*|\s+and then\s+|\n+", text) if s.strip()]


def shot_calls(draft: Draft, text: str, assets: list[Asset]) -> tuple[list[ToolCall], list[Change]]:
    """Tool calls for every shot instruction in the text (removals applied from the last shot back)."""
    calls: list[ToolCall] = []
    notes: list[Change] = []
    count = len(visual(draft))
    bad = Change("no_shot", {"count": count}, refused=True)
    removals: list[int] = []
    for sentence in _sentences(text):
        refs = find_refs(draft, sentence)
        pair = _PAIR_EN.search(sentence) or _PAIR_ZH.search(sentence)
        ords = _PAIR_ORD.search(sentence)
        if ords:
            refs = [Ref(_resolve(draft, _number(ords.group(k)), ords.group(3)), ords.start(k), ords.end(k))
                    for k in (1, 2)]
        if _SWAP.search(sentence) and (pair or len(refs) >= 2):
            if pair:
                a, b = zh_number(pair.group(1)), zh_number(pair.group(2))
                ok = a is not None and b is not None and 1 <= a <= count and 1 <= b <= count and a != b
            else:
                ia, ib = refs[0].index, refs[1].index
                ok = ia is not None and ib is not None and ia != ib
                a, b = (ia or 0) + 1, (ib or 0) + 1
            calls.append(ToolCall(name="swap_shots", args={"a": a, "b": b})) if ok else notes.append(bad)
            continue
        if not refs:
            continue
        if _REMOVE.search(sentence[: refs[0].start]):
            if pair:  # "remove photos 1 and 3"
                refs = [Ref(_resolve(draft, zh_number(pair.group(k)), None), 0, 0) for k in (1, 2)]
            for ref in refs:
                removals.append(ref.index) if ref.index is not None else notes.append(bad)
            continue
        zh_move = _ZH_MOVE.search(sentence, refs[0].end)
        if _MOVE.search(sentence[: refs[0].start]) or zh_move:
            src = refs[0].index
            tail = sentence[zh_move.end():] if zh_move else sentence[refs[0].end:]
            dst = _destination(draft, tail, src) if src is not None else None
            if src is None or dst is None:
                notes.append(bad)
            elif dst != src + 1:
                calls.append(ToolCall(name="move_shot", args={"from": src + 1, "to": dst}))
        elif _REMOVE_AFTER.search(sentence, refs[-1].end):  # "the second photo, get rid of it"
            for ref in refs:
                removals.append(ref.index) if ref.index is not None else notes.append(bad)
    for index in sorted(set(removals), reverse=True):
        calls.append(ToolCall(name="remove_shot", args={"index": index + 1}))
    if _ADD_MEDIA.search(text) and not re.search("logo|标志|水印", text, re.I | re.A):
        used = {s["m"].get("src") for s in visual(draft)}
        new = [a.id for a in assets if a.kind in ("image", "video") and a.ref not in used]
        calls.append(ToolCall(name="add_shots", args={"assets": new})) if new else notes.append(
            Change("no_new_media", refused=True))
    return calls, notes

