"""A free-text description → the words on screen: title, caption lines, call to action.

Rules (deterministic, English and Chinese):
- title: the first quoted text; else the product named in the instruction ("a video for my new
  sneakers" → "New Sneakers", "给我的新球鞋做视频" → "新球鞋"); else the first descriptive sentence,
  shortened at a clause or word boundary to ≤ 40 Latin / ≤ 16 CJK characters.
- captions: the descriptive sentences (not instructions like "Make it vertical.", not the title,
  not the call to action) cut into lines of ≤ 42 Latin / ≤ 16 CJK characters.
- call to action: a known phrase found in the text ("link in bio", "立即购买"), else one picked by
  the subject (shop / food / booking), else none (birthdays and trips get no sales pitch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.director.words import (
    alt,
    find_quotes,
    has_cjk,
    mask_quotes,
    parse_aspect,
    parse_duration,
    parse_mood,
)

TITLE_LATIN, TITLE_CJK = 40, 16
LINE_LATIN, LINE_CJK = 42, 16

_CTA_EN = (r"shop now|buy now|order (?:now|today|online)|book (?:now|today|a table|your (?:table|spot|stay))|"
           r"link in (?:the )?bio|visit (?:us|our (?:website|site|store|shop))(?: today)?|learn more|"
           r"sign up(?: today| now)?|get yours(?: today| now)?|subscribe(?: now)?|follow (?:us|for more)|"
           r"call (?:us )?(?:now|today)|swipe up|try it (?:today|now|free)|download (?:now|today|the app)|"
           r"reserve (?:now|your spot)|get (?:it|yours) now")
_CTA_ZH = alt("立即购买|马上购买|立即下单|马上下单|立即预订|马上预订|立即预约|点击链接|链接在简介",
              "关注我们|了解更多|快来购买|赶快下单|立即抢购|扫码(?:购买|关注)?|欢迎光临|立即订购")
_INSTRUCTION_EN = re.compile(
    r"^\s*(?:(?:please|pls|hey|hi|hello|ok(?:ay)?|great|cool|nice|thanks|so|now|and)\b\s*[,!.]?\s*){0,3}"
    r"(?:can you |could you |would you |i want(?: you)? to |"
    r"i'd like(?: you)? to |i need |i want |let's |lets |help me )?(?:make|create|generate|produce|build|"
    r"do|turn|put together|edit|render|give me|use|add|set|include|keep|play|put|with|no|without|show|cut|"
    r"trim|start over|start again|redo|restart|try again)\b", re.I | re.A)
_ABOUT_THE_VIDEO = re.compile(  # "A fast-paced vertical video with wipe transitions for our gym."
    r"^\s*an?\s+(?:[\w-]+\s+){0,4}(?:video|promo|reel|clip|slideshow|montage|tiktok)\b", re.I | re.A)
_ZH_COMMAND_START = ("请", "帮", "给", "麻烦", "我想", "我要", "用", "加", "配", "把", "要")
_SETTING_WORDS = re.compile(
    r"\b(?:\d+(?:\.\d+)?\s*-?\s*(?:seconds?|secs?|s|minutes?|mins?)|vertical|portrait|square|landscape|horizontal|"
    r"tiktok|reels?|shorts|youtube|instagram|upbeat|energetic|calm|relaxing|chill|lo-?fi|music|video|format|"
    r"long|length|aspect|ratio|\d+\s*[:x]\s*\d+)\b", re.I | re.A)
_GENERIC = {"photos", "pictures", "images", "clips", "videos", "photo", "picture", "image", "clip", "video",
            "them", "it", "this", "me", "us", "these", "those", "照片", "图片", "视频", "我", "我们",
            "这些照片"}
_ZH_SETTINGS = alt("竖屏|竖版|横屏|横版|方形|正方形|抖音|快手|小红书", "的?(?:宣传|广告|推广|介绍)",
                   "用?这些照片|照片|图片")
_SMALL = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}
_DANGLING = _SMALL | {"my", "our", "your", "their", "his", "her", "this", "that", "these", "those", "is",
                      "are",
                      "will", "so", "but"}
_CTA_BY_SUBJECT: list[tuple[str, str, str]] = [
    (r"\b(?:food|restaurant|cafe|café|coffee|pizza|burger|menu|bakery|cake|dish|meal|lunch|dinner|brunch|tea)\b"
     r"|餐厅|美食|咖啡|奶茶|蛋糕|面包|外卖|菜单|小吃", "Order today", "立即下单"),
    (r"\b(?:hotel|resort|spa|salon|class|classes|workshop|course|event|concert|tour|studio|gym|clinic)\b"
     r"|酒店|民宿|课程|活动|演出|健身|沙龙|美容", "Book now", "立即预订"),
    (alt(r"\b(?:sale|discount|deal|deals|off|shop|store|buy|price|product|products|collection|launch|brand)\b",
         r"\b(?:sneakers?|shoes?|dress|dresses|shirt|bag|bags|watch|skincare|jewelry|jewellery|fashion|outfit)\b",
         r"\bgadgets?\b|%", "促销|打折|折扣|新品|上新|店|购买|价格|产品|优惠|品牌|限时",
         "球鞋|鞋|衣服|包包|护肤|口红"), "Shop now", "立即购买"),
]


@dataclass
class Brief:
    title: str | None = None
    captions: list[str] = field(default_factory=list)
    cta: str | None = None
    mood: str | None = None


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]


def find_cta(text: str) -> str | None:
    """A call to action written in the text ("…link in bio", "立即购买"), capitalised; None if absent."""
    m = re.search(rf"\b(?:{_CTA_EN})\b", text, re.I | re.A) or re.search(_CTA_ZH, text)
    if not m:
        return None
    phrase = m.group(0)
    return phrase[0].upper() + phrase[1:]


def default_cta(text: str, zh: bool) -> str | None:
    low = text.lower()
    for pattern, en, zh_text in _CTA_BY_SUBJECT:
        if re.search(pattern, low, re.A):
            return zh_text if zh else en
    return None


def _strip_cta(text: str) -> str:
    text = re.sub(rf"\b(?:{_CTA_EN})\b[.!]*", "", text, flags=re.I | re.A)
    return re.sub(rf"(?:{_CTA_ZH})[。！!]*", "", text).strip(" ,，;；-—–:")


def _clean_end(text: str) -> str:
    return text.strip().strip(" ,，、;；:：-—–").rstrip(".。").strip()


def _title_case(text: str) -> str:
    words = text.split()
    return " ".join(w if (i and w.lower() in _SMALL) or not w[:1].islower() else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def shorten(text: str, limit_latin: int = TITLE_LATIN, limit_cjk: int = TITLE_CJK) -> str:
    """Cut at a clause, then a word boundary, to fit the limit; CJK text is cut by characters."""
    text = _clean_end(text)
    cjk = has_cjk(text)
    limit = limit_cjk if cjk else limit_latin
    if len(text) <= limit:
        return text
    first = re.split(r"[,，、;；:：—–]| - ", text)[0].strip()
    if 4 <= len(first) <= limit:
        return _clean_end(first)
    if cjk:
        return _clean_end(text[:limit])
    words, out = text.split(), ""
    for word in words:
        if len(out) + len(word) + (1 if out else 0) > limit:
            break
        out = f"{out} {word}".strip()
    while out and len(out.split()) > 1 and (out.split()[-1].lower() in _DANGLING
                                           or re.fullmatch(r"[\d.,%]+", out.split()[-1])):  # "with 16"
        out = out.rsplit(" ", 1)[0]
    return _clean_end(out or text[:limit])


def _strip_settings_en(text: str) -> str:
    platforms = (r"(?:tiktok|instagram(?:\s+(?:reels?|stor(?:y|ies)|post))?|reels?|youtube(?:\s+shorts)?"
                 r"|shorts|facebook|social media)\b")
    text = re.sub(r"\b(?:for|on|as)\s+(?:my\s+|our\s+)?" + platforms, "", text, flags=re.I | re.A)
    text = re.sub(r"\b(?:from|using|with|out of)\s+(?:these|those|my|the|our)\s+(?:\d+\s+)?"
                  r"(?:photos|pictures|images|clips|videos|shots)\b", "", text, flags=re.I | re.A)
    return re.sub(r"\s{2,}", " ", text)


def product_name(sentence: str) -> str | None:
    """The subject of an instruction: "a 30s video for my new sneakers" → "New Sneakers"."""
    if has_cjk(sentence):
        return _product_zh(sentence)
    text = _strip_settings_en(sentence)
    m = re.search(r"\b(?:for|about|of|showing|showcasing|promoting|featuring|advertising|introducing)\s+(.+)",
                  text, re.I | re.A)
    if not m:
        return None
    name = re.split(r"\s+(?:with|using|that|which|where|set to|in \d|and (?:add|use|make|put))\b|[,;:!?.(]",
                    m.group(1), maxsplit=1, flags=re.I | re.A)[0].strip()
    while True:
        stripped = re.sub(r"^(?:my|our|the|a|an|this|these|those|his|her|their|your|some|all)\s+", "", name,
                          flags=re.I | re.A)
        if stripped == name:
            break
        name = stripped
    counted = re.sub(r"^(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\s+", "", name, flags=re.I | re.A)
    if not name or counted.lower() in _GENERIC or parse_duration(name) or parse_aspect(name):
        return None
    return _title_case(shorten(name))


def _product_zh(sentence: str) -> str | None:
    for pattern in (r"关于(.+?)的", r"(?:给|为|帮)(.+?)(?:做|生成|制作|剪)",
                    r"(?:做|生成|制作|剪)(?:一个|个|一段|段|一条|条|一支|支)?(.+?)(?:短视频|视频|短片|片子|影片)",
                    r"(?:介绍|宣传|推广|展示)(?:一下)?(.+?)(?:[，,。！!；;]|$)"):
        m = re.search(pattern, sentence)
        if not m:
            continue
        name = m.group(1)
        name = re.sub(r"[零〇一二两三四五六七八九十百\d.]+\s*(?:秒钟?|分钟|分半)|半分钟", "", name)
        name = re.sub(_ZH_SETTINGS, "", name)
        name = re.sub(r"^(?:我们的|我的|你的|一个|个|我们|我)", "", name).strip("的 ，,")
        if re.search(r"做|生成|制作|视频|短片|图片|照片|素材|宣传|介绍", name):
            continue  # "用我的产品图片和介绍做一个宣传视频" names no product
        if name and name not in _GENERIC:
            return shorten(name)
    return None


_ZH_NOT_WORDS = re.compile(alt(r"^(?:介绍|宣传|推广|展示)|标题|字幕|音乐|配乐|logo|标志|水印",
                               r"转场|节奏|风格|画面|时长|结尾|«q\d+»"), re.I)


def zh_description(sentence: str) -> str:
    """The descriptive clauses of a Chinese instruction:
    "做一个视频，保温24小时，轻巧便携" → "保温24小时，轻巧便携"."""
    masked, _ = mask_quotes(sentence)
    clauses = [c.strip() for c in re.split(r"[，,、；;]", masked) if c.strip()]
    kept = [c for c in clauses if has_cjk(c) and not is_instruction(c) and not _ZH_NOT_WORDS.search(c)
            and not parse_duration(c) and not parse_aspect(c) and not parse_mood(c)
            and len(re.sub(_ZH_SETTINGS, "", c)) >= 2]
    return "，".join(kept)


def is_instruction(sentence: str) -> bool:
    if has_cjk(sentence):
        return sentence.startswith(_ZH_COMMAND_START) or bool(
            re.search(r"(?:做|生成|制作|剪).{0,12}(?:视频|短片|片子)", sentence))
    if _INSTRUCTION_EN.search(sentence) or _ABOUT_THE_VIDEO.search(sentence):
        return True
    rest = _SETTING_WORDS.sub("", sentence)
    return len(re.findall(r"[A-Za-z]{2,}", rest)) < 2  # "30 seconds, vertical." says only settings


def caption_lines(text: str) -> list[str]:
    """Text → short caption lines: ≤ 42 Latin / ≤ 16 CJK characters, cut at sentences, clauses, words."""
    lines: list[str] = []
    for sentence in sentences(text):
        sentence = _clean_end(sentence) if not sentence.endswith(("!", "?", "！", "？")) else sentence.strip()
        if not sentence:
            continue
        limit = LINE_CJK if has_cjk(sentence) else LINE_LATIN
        if len(sentence) <= limit:
            lines.append(sentence)
            continue
        lines.extend(_wrap(sentence, limit))
    return [line for line in lines if line]


def _wrap(sentence: str, limit: int) -> list[str]:
    cjk = has_cjk(sentence)
    clauses = [c.strip() for c in re.split(r"(?<=[,，、;；:：])\s*|\s+[—–-]\s+", sentence) if c.strip()]
    out: list[str] = []
    current = ""
    joiner = "" if cjk else " "
    for clause in clauses:
        if len(clause) > limit:
            if current:
                out.append(current)
                current = ""
            out.extend(_split_long(clause, limit, cjk))
        elif not current:
            current = clause
        elif len(current) + len(joiner) + len(clause) <= limit:
            current = current + joiner + clause
        else:
            out.append(current)
            current = clause
    if current:
        out.append(current)
    if not cjk and len(out) > -(-len(sentence) // limit):  # clause cuts wasted a line: wrap evenly
        out = _split_long(sentence, limit, cjk)
    return [_clean_end(line) if not line.endswith(("!", "?", "！", "？")) else line for line in out]


def _split_long(text: str, limit: int, cjk: bool) -> list[str]:
    pieces = max(2, -(-len(text) // limit))
    if cjk:
        size = -(-len(text) // pieces)
        return [text[i:i + size] for i in range(0, len(text), size)]
    words = text.split()
    target = -(-len(text) // pieces)
    out, current = [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and (len(candidate) > limit or len(current) >= target):
            out.append(current)
            current = word
        else:
            current = candidate
    if current:
        out.append(current)
    return [line[:limit] for line in out]


def _split_at_colon(sentence: str) -> tuple[str, str, str]:
    """`str.partition` at the first colon outside quotes ("标题“周末限定：…”" has none)."""
    spans = find_quotes(sentence)
    for n, ch in enumerate(sentence):
        if ch in ":：" and not any(start <= n < end for start, end, _ in spans):
            return sentence[:n], ch, sentence[n + 1:]
    return sentence, "", ""


def read_brief(message: str) -> Brief:
    """Everything on screen that the description asks for."""
    brief = Brief(mood=parse_mood(message))
    quotes = find_quotes(message)
    if quotes:
        brief.title = shorten(quotes[0][2], 90, 32)  # the user's own words: kept whole when they fit
    found_cta = find_cta(message)
    parts = sentences(message)
    descriptive: list[str] = []
    for n, sentence in enumerate(parts):
        if is_instruction(sentence):
            if n == 0 and brief.title is None:
                brief.title = product_name(sentence)
            # "create a promo from my photos and description: Meet X, a ..." → the description
            _head, colon, tail = _split_at_colon(sentence)
            if colon and tail.strip() and not is_instruction(tail.strip()):
                sentence = tail.strip()
            elif has_cjk(sentence) and zh_description(sentence):  # "做一个视频，保温24小时，轻巧便携"
                sentence = zh_description(sentence)
            else:
                continue
        bare = sentence
        for _s, _e, inner in quotes:
            quoted = r"[“\"「『‘']" + re.escape(inner) + r"[”\"」』’']"
            sentence = re.sub(quoted, inner.replace("\\", "\\\\"), sentence)  # the name stays, unquoted
            bare = re.sub(quoted, "", bare)
        sentence = _strip_cta(sentence)
        if sentence and re.search(r"\w", _strip_cta(bare)):  # not just the quoted title itself
            descriptive.append(sentence)
    if brief.title is None and descriptive:
        first = descriptive[0]
        brief.title = shorten(first)
        rest = _clean_end(first)[len(brief.title):].strip(" ,，、;；:：-—–")
        descriptive = ([rest] if rest and len(rest) > 3 else []) + descriptive[1:]
    brief.captions = [line for sentence in descriptive for line in caption_lines(sentence)]
    brief.cta = found_cta or (default_cta(message, has_cjk(message)) if message.strip() else None)
    return brief
