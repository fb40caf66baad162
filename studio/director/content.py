"""Finding the words a text is given: "change the title TO Summer Sale", "captions: A. B. C.",
"标题改为：秋季限定".

A capture starts at a text target followed by an introducer ("to", "should say", ":", 改成, 是, ...)
or at a phrase that is both ("titled", "called", "end with", 标题叫), or at a quote next to a text
target. What follows is the content, up to the end of its clause: a comma, "and", "also" or a new
sentence ends it when what comes next is another request ("new title: Holiday Drop, also make it
20s"); captions run on across sentences ("captions: Small batch. Roasted fresh.").

Content made only of looks is not content: "标题改成白色" makes the title white, "change the title to
White Christmas" renames it. A trailing position or look is split off ("add text limited stock in
the bottom left" → "Limited stock", at the bottom left).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.director.items import Item, Message

TEXT_ROLES = ("title", "subtitle", "caption", "cta", "text", "price", "offer")
SENTENCE_END = {".", "!", "?", ";", "。", "！", "？", "；"}
CLAUSE_END = {",", "，", "、"}
GAP = {" "}  # a space next to Chinese (units.py): a clause end when a new request follows
STYLE_CATS = {"color", "size", "font", "position", "emphasis", "anim", "hex"}
STYLE_TARGETS = {"color", "size", "font", "style"}
# what makes a following clause a new request (and so ends the content before it)
HEAD_CATS = {"aspect", "platform", "pace", "transition", "dur", "ratio", "unsupported"}
HEAD_INTENTS = {"undo", "redo", "versions", "new_video", "copy"}
HEAD_TARGETS = {
    "title",
    "subtitle",
    "caption",
    "cta",
    "text",
    "price",
    "offer",
    "all_text",
    "music",
    "volume",
    "logo",
    "transition",
    "end_card",
    "brand",
    "brand_name",
    "font",
    "handle",
    "url",
}
HEAD_VERBS = {"add", "remove", "change", "move", "swap", "duplicate", "trim", "create", "write"}


@dataclass
class Content:
    role: str  # a text role, or "" for a quote/free content whose role the grammar decides
    text: str  # as the user typed it
    lines: list[str] = field(default_factory=list)  # captions: one per sentence / list item
    quoted: bool = False
    colon: bool = False  # introduced by ":" (the user's exact words follow)
    i: int = 0  # first item index (the target or the introducer)
    j: int = 0  # item index after the content
    tail: list[Item] = field(default_factory=list)  # a look or position split off the end


def is_sep(item: Item, kinds: set[str]) -> bool:
    return item.has("punct") and item.text in kinds


def text_role(item: Item) -> str | None:
    for key in item.keys("target"):
        if key in TEXT_ROLES:
            return key
    return None


def is_head(item: Item) -> bool:
    if any(m.cat in HEAD_CATS or (m.cat == "intent" and m.key in HEAD_INTENTS) for m in item.meanings):
        return True
    if any(m.cat == "target" and m.key in HEAD_TARGETS for m in item.meanings):
        return True
    return any(m.cat == "verb" and m.key in HEAD_VERBS for m in item.meanings)


def is_style(item: Item) -> bool:
    """A look (colour, size, font, position, emphasis, animation) or a word that only names one."""
    if any(m.cat in STYLE_CATS for m in item.meanings):
        return True
    return any(m.cat == "target" and m.key in STYLE_TARGETS for m in item.meanings)


def is_filler(item: Item) -> bool:
    if not item.meanings:
        return False
    return all(
        m.cat in ("filler", "to", "polite", "question", "generic", "about", "conj") for m in item.meanings
    )


def style_only(items: list[Item]) -> bool:
    looks = [it for it in items if is_style(it) and not it.has("dest")]
    rest = [
        it
        for it in items
        if not is_style(it)
        and not is_filler(it)
        and not it.has("punct")
        and not it.has("relative", "more")
        and not it.has("verb", "change")
    ]
    return bool(looks) and not rest


def place_only(items: list[Item]) -> bool:
    """ "to the end", "最后": a place in time, not words for the screen."""
    meaningful = [it for it in items if not is_filler(it) and not it.has("punct")]
    return bool(meaningful) and all(it.has("dest") or it.has("rel") for it in meaningful)


def _next_part_is_request(items: list[Item], k: int, *, leading: bool = False) -> bool:
    """The part starting at item k (to the next separator) asks for something (`leading`: it starts
    with the request, as a new sentence does; "当天现做" is a caption, "改成竖屏" a request)."""
    for it in items[k:]:
        if leading and not (is_head(it) or it.has("conj") or is_filler(it)):
            return False
        if is_sep(it, SENTENCE_END | CLAUSE_END | GAP):
            return False
        if it.has("conj"):
            continue
        if is_head(it):
            return True
    return False


def _next_part_is_field(items: list[Item], k: int) -> bool:
    """The part starting at item k opens another labelled field ("…，描述：…", "… offer: 20% off"):
    a word or two, then a colon, before any separator."""
    while k < len(items) and is_sep(items[k], GAP):
        k += 1
    for n, it in enumerate(items[k : k + 4]):
        if it.text in (":", "："):
            return n > 0
        if is_sep(it, SENTENCE_END | CLAUSE_END | GAP) or it.has("quote"):
            return False
    return False


def _end(message: Message, start: int, *, runs_on: bool, free: bool, colon: bool = False,
         phrase: bool = False) -> int:
    """Where content starting at item `start` ends (exclusive). `runs_on`: captions after a colon go
    on across sentences; `free`: a name after "called"/"titled" also ends at a setting or at a
    lower-case "for ..." ("called Summer Drop | for our sneakers"); `phrase`: a Chinese name ends at a
    space or comma too ("标题是夏日保温杯 双层不锈钢": the rest is copy, not the title)."""
    items = message.items
    k = start
    while k < len(items):
        it = items[k]
        if is_sep(it, SENTENCE_END):
            if not runs_on or k + 1 >= len(items) or _next_part_is_request(items, k + 1, leading=True):
                return k
        elif is_sep(it, CLAUSE_END | GAP) or it.has("conj"):
            # after a colon the user's own words run on ("字幕换成：好喝不贵，现做现卖") unless the next
            # part starts with a request ("标题改为：秋季限定，改成竖屏")
            if phrase and k > start and is_sep(it, CLAUSE_END | GAP):
                return k
            if _next_part_is_request(items, k + 1, leading=colon) or _next_part_is_field(items, k + 1):
                return k
        elif k > start and it.has("quote"):
            return k
        elif (
            free
            and k > start
            and (
                any(it.has(c) for c in ("dur", "aspect", "platform", "ratio", "pace"))
                or (it.has("about") and _lower_tail(message, k))
            )
        ):
            return k
        k += 1
    return k


def _lower_tail(message: Message, k: int) -> bool:
    """From item k on, the user wrote nothing capitalised."""
    rest = message.orig(message.items[k].i, message.items[-1].j)
    return not any(c.isupper() for c in rest)


def _strip_tail(items: list[Item], i: int, j: int) -> int:
    """Move a trailing position out of the content ("limited stock | in the bottom left", "Summer
    Sale | on top"); a trailing word that only looks like a colour stays ("good coffee")."""
    k = j
    while k > i and (
        is_style(items[k - 1])
        or is_filler(items[k - 1])
        or items[k - 1].has("dest")
        or is_sep(items[k - 1], SENTENCE_END | CLAUSE_END | GAP)
    ):
        k -= 1
    if k == i:
        return j
    tail = items[k:j]
    if not any(it.has("position") and it.text not in _BARE_POSITIONS for it in tail):
        return j  # "titled Glow Up": a bare "up" ends a name, it does not place it
    return k


_BARE_POSITIONS = {"up", "down", "higher", "lower", "above", "below", "上", "下"}


def split_lines(text: str) -> list[str]:
    """Caption content → lines: each sentence its own line; a list of short phrases one each."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+", text) if p.strip()]
    lines: list[str] = []
    for part in parts:
        part = part.rstrip(".。;；").strip()
        pieces = [p.strip() for p in re.split(r"[,，、]", part) if p.strip()]
        if len(pieces) >= 3 and all(len(p.split()) <= 3 and len(p) <= 24 for p in pieces):
            lines.extend(pieces)
        elif part:
            lines.append(part)
    return lines


def _introducer(items: list[Item], k: int, cjk: bool) -> int | None:
    """After the text target at item k: the item where its words start, or None."""
    m = k + 1
    while m < len(items) and ((is_filler(items[m]) and not items[m].has("to")) or is_sep(items[m], GAP)):
        m += 1
    if m >= len(items):
        return None
    it = items[m]
    if it.has("quote"):
        return m
    if it.has("to") or (it.has("sym") and it.text == ":") or (cjk and it.has("verb", "add")):
        return m + 1
    return None


def _after_gap(items: list[Item], k: int) -> int | None:
    """ "加个副标题 纯手工制作": after "add" + a text target and a space, the words of that text."""
    before = [it for it in items[:k] if not is_filler(it)]
    if not before or not before[-1].has("verb", "add"):
        return None
    if k + 2 >= len(items) or not is_sep(items[k + 1], GAP):
        return None
    first = items[k + 2]
    if is_head(first) or is_style(first) or first.has("punct"):
        return None
    return k + 2


def _names_an_account(items: list[Item]) -> bool:
    """ "我们的小红书账号 @glow蜡烛", "our website glow.co": a handle or a web address, with words that
    only say whose it is; the brand's, not words for the screen."""
    if not any(it.has("handle") or it.has("url") for it in items):
        return False
    return all(
        it.has("handle")
        or it.has("url")
        or it.has("punct")
        or is_filler(it)
        or it.has("platform")
        or it.has("target", "handle")
        or it.has("target", "url")
        or it.has("target", "brand")
        for it in items
    )


def capture(message: Message) -> list[Content]:
    """Every content capture in the message, in order."""
    items = message.items
    out: list[Content] = []
    k = 0
    while k < len(items):
        it = items[k]
        role = it.key("content")
        named = role is not None  # "titled", "called", "end with", 标题叫 ...
        found: int | None
        if named:
            found = k + 1
            while found < len(items) and (
                text_role(items[found]) == role or (is_filler(items[found]) and not items[found].has("to"))
            ):
                found += 1  # "加一句文字：…": the phrase and the word for the text
        else:
            role = text_role(it) or ("brand_name" if it.has("target", "brand_name") else None)
            if role is None or role == "price":  # a price is a number: the grammar reads it
                if it.has("quote") and role is None:
                    out.append(Content("", str(it.value), quoted=True, i=k, j=k + 1))
                k += 1
                continue
            found = _introducer(items, k, message.has_cjk)
        if found is None and message.has_cjk and not named:
            found = _after_gap(items, k)  # "加个副标题 纯手工制作": the words follow a space
        if found is None or found >= len(items):
            k += 1
            continue
        start = found
        colon = False
        while start < len(items) and (
            items[start].text in (":", "-", "=")
            or is_sep(items[start], GAP)
            or (items[start].has("to") and items[start].text in ("to", "as"))
        ):
            colon = colon or items[start].text == ":"
            start += 1
        colon = colon or items[start - 1].text == ":"
        if start >= len(items):
            k += 1
            continue
        assert role is not None
        if items[start].has("quote"):
            out.append(Content(role, str(items[start].value), quoted=True, i=k, j=start + 1))
            k = start + 1
            continue
        runs_on = role == "caption" and colon
        free = named and role == "title" and not colon and not message.has_cjk
        phrase = message.has_cjk and role in ("title", "subtitle") and not colon
        end = _end(message, start, runs_on=runs_on, free=free, colon=colon, phrase=phrase)
        body = items[start:end]
        if not body or style_only(body) or place_only(body) or _names_an_account(body):
            k += 1
            continue
        cut = end if colon else _strip_tail(items, start, end)
        text = message.orig(items[start].i, items[cut - 1].j).strip(" \"'“”「」:：-—").strip()
        if role != "caption":
            text = text.rstrip(".。!！")
        if not text:
            k += 1
            continue
        content = Content(role, text, colon=colon, i=k, j=end, tail=items[cut:end])
        if role == "caption":
            content.lines = split_lines(text)
        out.append(content)
        k = end
    return out
