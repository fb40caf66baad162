"""Copy from a description: the hook (title), benefit captions, the offer, a price and a fitting CTA.

Rules (deterministic, English and Chinese, no network; the words come from the lexicons):
- the title: the first quoted text; else the product the request names ("a video for my new
  sneakers" → "New Sneakers", "给我的新球鞋做视频" → "新球鞋"); else the first descriptive clause,
  shortened at a clause or word boundary to ≤ 40 Latin / ≤ 16 CJK characters;
- captions: the descriptive sentences (not instructions like "Make it vertical.", not the title,
  not the call to action, not the offer) cut into lines of ≤ 42 Latin / ≤ 16 CJK characters;
- the offer: a clause with an offer word ("free shipping", "20% off", 包邮, 八折), shown on its own;
- the price: a price written in the description ("$24", "99元");
- the call to action: one written in the text ("link in bio", 立即购买), else the one of the kind
  of business the text is about (candles: "Shop now", salons: "Book now", 餐厅: 立即订座), in the
  description's language; personal videos (birthdays, trips) get none;
- a product description ("…and description: Meet “Aurora Bottle”: …", 描述：…, or sentences that
  describe after the request; `split_description`, `split_sentences`) is read by `describe` /
  `compose`: the quoted name is the hook ("Meet" folded in), each sentence or comma clause a benefit
  caption (≤ `CAPTIONS_MAX`), the strongest offer clause the offer; its requests go to the grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from studio.director import tokens
from studio.director.content import is_filler
from studio.director.items import Item, Message, find_quotes
from studio.director.lexicon import LANGUAGES, business_cta, lexicon, raw, simplified
from studio.director.units import CJK_CHARS, is_cjk, join_texts

TITLE_LATIN, TITLE_CJK = 40, 16
# emoji, pictographs and their joiners at the end of a line ("20% off launch week 👟")
_TAIL_SYMBOLS = re.compile(r"[\s\u200d\ufe0f\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]+$")
LINE_LATIN, LINE_CJK = 42, 16
_SMALL = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}
_DANGLING = _SMALL | {
    "my",
    "our",
    "your",
    "their",
    "his",
    "her",
    "this",
    "that",
    "these",
    "those",
    "is",
    "are",
    "will",
    "so",
    "but",
}
_ZH_COMMAND_START = ("请", "帮", "给", "麻烦", "我想", "我要", "用", "加", "配", "把", "要")
_ZH_VIDEO = "短视频|视频|短片|片子|影片|宣传片|宣传视频|广告片|广告|vlog"
_ZH_CREATE = "做|生成|制作|剪|弄|搞|拍|出|整"
# what stands before the name of a product or a business and is not part of it: "帮我给我的手工蜡烛店"
# → 手工蜡烛店 (the benefactive, the owner, "introduce", a count); stripped again and again
_ZH_NAME_LEAD = re.compile(
    r"^(?:帮忙|麻烦|请|帮|给|为|替|关于|"
    r"介绍一下|介绍下|介绍|宣传一下|宣传下|宣传|推广一下|推广下|推广|展示一下|展示下|展示|讲讲|讲一下|讲|说说|聊聊|"
    r"我们家的|我们家|我们的|我们|咱们家|咱们的|咱们|咱家的|咱家|我家的|我家|我的|俺家|俺们|你们的|你的|您的|"
    r"自己的|自家的|自家|本店的|这一家|这家|这个|那个|一家|一个|我|"
    r"新开了一家|新开了|开了一家|开了家|开了|新开的|开的|是一家|是卖|是做|专门卖|专门做|主营|卖|是|做)"
)
_ZH_NAME_TAIL = re.compile(r"(?:的)?(?:宣传|广告|推广|介绍|种草|带货|展示|招商|一下|吧|呀|啊|哦|啦)$")
_ZH_MODAL = re.compile(r"(?<=.{2})(?:要|想|准备)(?=.{2})")  # "瑜伽课要招新学员": the topic comes first
_ZH_NOT_WORDS = re.compile(
    r"^(?:介绍|宣传|推广|展示)|标题|字幕|音乐|配乐|logo|标志|水印|价格|副标题|转场|节奏|"
    r"风格|画面|时长|结尾|片尾|品牌|«q\d+»",
    re.I,
)
_SETTING_TARGETS = ("style", "format", "length", "pace", "music", "transition", "font", "color", "size")
_SETTING_CATS = (
    "dur",
    "aspect",
    "platform",
    "ratio",
    "pace",
    "transition",
    "transition_word",
    "mood",
    "style",
)


@dataclass
class Brief:
    title: str | None = None
    subtitle: str | None = None
    captions: list[str] = field(default_factory=list)
    cta: str | None = None
    offer: str | None = None
    price: str | None = None
    mood: str | None = None
    kind: str | None = None  # the kind of business (lexicon `business` table)


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


def mostly_cjk(text: str) -> bool:
    """Written mostly in Chinese: at least as many Chinese characters as Latin words ("做个tiktok视频
    15s" is Chinese, "make a promo for my 火锅 restaurant" English, and so are its copy and its
    call to action)."""
    cjk = sum(1 for c in text if is_cjk(c))
    return cjk > 0 and cjk >= len(re.findall(r"[A-Za-z]+", text))


def _clean_end(text: str) -> str:
    return text.strip().strip(" ,，、;；:：-—–").rstrip(".。").strip()


_EN_LEAD = re.compile(
    r"^(?:(?:we|i)(?:'re| are| am|'m)? (?:a |an )?(?:small |little |local |family )?"
    r"(?:sell|make|run|own|bake|brew|do|offer|have|opened|just opened|are|am)\s+(?:a |an |our |my )?|"
    r"(?:we're|we are|i'm|i am) (?:a |an ))",  # ("Meet Nova, …" is a hook: kept)
    re.I,
)


def en_hook(text: str) -> str:
    """An English hook without the speaker: "we sell handmade leather wallets" → "handmade leather
    wallets", "i run a small bakery" → "small bakery"."""
    m = _EN_LEAD.match(text.strip())
    return sentence_case(text.strip()[m.end() :]) if m and m.end() < len(text.strip()) else text


def title_case(text: str) -> str:
    words = text.split()
    return " ".join(
        w if (i and w.lower() in _SMALL) or not w[:1].islower() else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


def sentence_case(text: str) -> str:
    """ "lavender and cedar" → "Lavender and cedar"; a line that continues a sentence stays as it is
    ("with 16 million colours")."""
    first = text.split(" ", 1)[0].lower()
    if not text[:1].islower() or first in _SMALL:
        return text
    return text[:1].upper() + text[1:]


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
    while (
        out
        and len(out.split()) > 1
        and (out.split()[-1].lower() in _DANGLING or re.fullmatch(r"[\d.,%]+", out.split()[-1]))
    ):  # "with 16"
        out = out.rsplit(" ", 1)[0]
    return _clean_end(out or text[:limit])


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]


# a comma, or a space between Chinese words ("烧烤店开业 全场五折"), not before a unit ("30 秒")
_CLAUSE_SPLIT = re.compile(
    rf"[,，、;；]|(?<=[{CJK_CHARS}])\s+(?=[{CJK_CHARS}\d])|(?<=\d)\s+(?=[{CJK_CHARS}])(?![秒分元块%])"
)


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c.strip()]


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
    parts = [c.strip() for c in re.split(r"(?<=[,，、;；:：])\s*|\s+[—–-]\s+", sentence) if c.strip()]
    out: list[str] = []
    current = ""
    joiner = "" if cjk else " "
    for clause in parts:
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
        words = _cjk_words(text)
        size = -(-len(text) // pieces)
        out, current = [], ""
        for w in words:  # break between words, never inside one
            if current and len(current) + len(w) > max(size, 1) and len(current) >= size // 2:
                out.append(current)
                current = w
            else:
                current += w
        if current:
            out.append(current)
        return [line[:limit] if len(line) > limit else line for line in _rebalance(out, limit)]
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


def _cjk_words(text: str) -> list[str]:
    message = tokens.read(text)
    words, current = [], ""
    for n in range(len(message.units)):
        piece = message.orig(n, n + 1)
        if message.boundary[n] and current:
            words.append(current)
            current = ""
        current += piece
    if current:
        words.append(current)
    return words


def _rebalance(lines: list[str], limit: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        while len(line) > limit:
            out.append(line[:limit])
            line = line[limit:]
        if line:
            out.append(line)
    return out


# --- reading the message -----------------------------------------------------------------------
def find_cta(text: str) -> str | None:
    """A call to action written in the text ("…link in bio", "立即购买"), capitalised; None if absent."""
    for item in tokens.read(text).items:
        if item.has("cta"):
            phrase = item.key("cta") or item.text
            return sentence_case(phrase)
    return None


def business_kind(items: list[Item], *, weak: bool = True) -> str | None:
    """The kind of business the words are about: the first business named, where a name is a run of
    words ("pottery class", "wine tasting event", 手工蜡烛店) and its kind is its head, the last
    business word in it that is not a weak one ("shop", "store", 店) nor a personal one ("dog
    grooming" is grooming); a personal video only when nothing else is named."""
    lex = lexicon()
    runs: list[list[Item]] = []
    current: list[Item] = []
    for it in items:
        if it.has("business") or (not it.meanings and not it.has("punct")):
            current.append(it)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    heads: list[str] = []
    for run in runs:
        words = [it for it in run if it.has("business")]
        if not words:
            continue
        strong = [it for it in words if it.key("business") != "personal" and it.text not in lex.weak_business]
        other = [it for it in words if it.key("business") != "personal"]
        if not weak and not strong:
            continue  # (only "shop", "20% off" or a birthday: no kind of business of its own)
        head = (strong or other or words)[-1]
        heads.append(str(head.key("business")))
    for kind in heads:
        if kind != "personal":
            return kind
    return "personal" if heads else None


def default_cta(text: str, zh: bool) -> str | None:
    kind = business_kind(tokens.read(text).items)
    if kind is None:
        return None
    return business_cta(kind, "zh" if zh else "en")


def _strip_cta(text: str) -> str:
    message = tokens.read(text)
    keep = [it for it in message.items if not it.has("cta")]
    if len(keep) == len(message.items):
        return text.strip()
    out = _join_items(message, keep)
    return out.strip(" ,，;；-—–:.!！。")


def _join_items(message: Message, items: list[Item]) -> str:
    """The original text of the given items, with the user's own spacing between neighbours."""
    out = ""
    prev: Item | None = None
    for it in items:
        piece = message.orig(it.i, it.j)
        if prev is not None:
            gap = message.original[
                message.to_orig[message.units[prev.j - 1].end] : message.to_orig[message.units[it.i].start]
            ]
            out += gap if prev.j == it.i else " "
        out += piece
        prev = it
    return re.sub(r"\s{2,}", " ", out).strip()


def _is_setting(item: Item) -> bool:
    return (
        any(item.has(c) for c in _SETTING_CATS)
        or item.has("target", "music")
        or item.has("target", "video")
        or item.has("unsupported")  # "black and white vibe" is a request (refused by name), no caption
        or item.has("voice")  # "…, slower voice": about the voice-over, not words for the screen
    )


def is_instruction(sentence: str) -> bool:
    if mostly_cjk(sentence):
        items = tokens.read(sentence).items
        first = next((it for it in items if not is_filler(it)), None)
        plain = simplified(sentence)
        creates = [n for n, it in enumerate(items) if it.has("verb", "create")]
        return (
            plain.startswith(_ZH_COMMAND_START)
            or bool(re.search(rf"(?:{_ZH_CREATE}).{{0,12}}(?:{_ZH_VIDEO})", plain))
            or bool(creates and any(it.has("platform") for it in items[creates[0] :]))  # 做个抖音
            or (
                first is not None
                and (first.has("verb", "create") or first.has("verb", "write") or first.has("intent", "copy"))
            )
        )
    items = [it for it in tokens.read(sentence).items if not it.has("punct")]
    lead = [
        it
        for it in items
        if not (
            it.has("intent", "greet")
            or it.has("intent", "ack")
            or it.has("polite")
            or (is_filler(it) and not it.has("verb"))
        )
    ]
    if not lead:
        return True
    first = lead[0]
    if (
        first.has("verb")
        or first.has("platform")
        or first.has("target", "video")
        or first.has("dur")
        or first.has("aspect")
    ):
        return True
    words = [it for it in items[:6]]
    if words and words[0].text in ("a", "an") and any(it.has("target", "video") for it in words[1:6]):
        return True  # "A fast-paced vertical video with wipe transitions for our gym."
    rest = [it for it in items if not _is_setting(it) and not is_filler(it) and not it.has("sym")]
    return len(rest) < 2  # "30 seconds, vertical." says only settings


def _strip_settings(message: Message, items: list[Item]) -> list[Item]:
    """Items of a product phrase without platform words ("for TikTok") and media ("from my photos")."""
    out: list[Item] = []
    skip = False
    for n, it in enumerate(items):
        if (
            it.has("about")
            and n + 1 < len(items)
            and (items[n + 1].has("platform") or items[n + 1].has("aspect"))
        ):
            skip = True
            continue
        if skip and (it.has("platform") or it.has("aspect") or is_filler(it)):
            continue
        skip = False
        out.append(it)
    return out


def product_name(sentence: str) -> tuple[str | None, str | None]:
    """The subject of an instruction and an offer written into it:
    "a 30s video for my new sneakers" → ("New Sneakers", None);
    "promo for our black friday sale 50% off" → ("Black Friday Sale", "50% off")."""
    if mostly_cjk(sentence):
        return _product_zh(sentence), None
    message = tokens.read(sentence)
    # (the spaces around a Chinese word are only spaces here: "for my 火锅 restaurant")
    items = _strip_settings(message, [it for it in message.items if not (it.has("punct") and it.text == " ")])
    start = None
    for n, it in enumerate(items):
        if it.has("about") and not it.has("target"):
            nxt = items[n + 1] if n + 1 < len(items) else None
            if nxt is None or nxt.has("platform") or (nxt.has("generic") and _all_generic(items[n + 1 :])):
                continue
            start = n + 1
            break
    if start is None:
        return None, None
    phrase: list[Item] = []
    offer: list[Item] = []
    for it in items[start:]:
        if offer:
            if it.has("punct"):
                break
            offer.append(it)
            continue
        if (
            it.has("punct")
            or it.has("cta")
            or it.has("dur")
            or it.has("ratio")
            or it.has("quote")
            or it.text in _PRODUCT_STOPS
            or (phrase and it.has("verb") and _starts_request(items, it))
        ):
            break
        if it.has("pct") and phrase:
            offer.append(it)
            continue
        if it.has("num") and len(phrase) >= 2 and not phrase[-1].has("num"):
            break  # "my condo listing | 2 bed 2 bath downtown": a new description starts
        phrase.append(it)
    while phrase and (
        phrase[0].text
        in (
            "my",
            "our",
            "the",
            "a",
            "an",
            "this",
            "these",
            "those",
            "his",
            "her",
            "their",
            "your",
            "some",
            "all",
        )
        or phrase[0].has("num")
    ):
        phrase = phrase[1:]
    while phrase and (
        (is_filler(phrase[-1]) and not phrase[-1].has("business"))
        or phrase[-1].has("other")
        or phrase[-1].has("sym")
        or (phrase[-1].has("intent") and not phrase[-1].has("business"))  # "… lemonade stand lol"
    ):
        phrase = phrase[:-1]
    if not phrase:
        return None, None
    name = _join_items(message, phrase)
    if _all_generic(phrase) or name.lower() in _generic_words():
        return None, None
    offer_text = _join_items(message, offer) if offer else None
    return title_case(shorten(name)), offer_text


_PRODUCT_STOPS = {
    "with",
    "using",
    "that",
    "which",
    "where",
    "and",
    "set",
    "in",
    "on",
    "featuring",
    "selling",
    "starting",
    "n",
    "&",
    "plus",
    "including",
}


def _starts_request(items: list[Item], verb: Item) -> bool:
    """ "for my coffee shop | make it vertical": a verb followed by what it acts on."""
    n = items.index(verb)
    nxt = items[n + 1] if n + 1 < len(items) else None
    return nxt is not None and (
        nxt.text in ("it", "the", "this", "a", "an", "my", "our") or nxt.has("target") or nxt.has("aspect")
    )


@cache
def _generic_words() -> frozenset[str]:
    return frozenset(
        join_texts(list(p)) for p, ms in lexicon().phrases.items() if any(m.cat == "generic" for m in ms)
    )  # ("照片", not "照 片")


def _all_generic(items: list[Item]) -> bool:
    meaningful = [it for it in items if not it.has("punct")]
    return bool(meaningful) and all(it.has("generic") or is_filler(it) or it.has("num") for it in meaningful)


def zh_name(text: str) -> str:
    """A Chinese name without what stands around it: "帮我给我的手工蜡烛店" → 手工蜡烛店,
    "我们餐厅周年庆" → 餐厅周年庆, "宣传下我们的洗车店" → 洗车店; "瑜伽课要招新学员" → 瑜伽课."""
    name = text.strip("的 ，,：:！!~～")
    while True:
        plain = simplified(name)
        lead = _ZH_NAME_LEAD.match(plain)
        tail = _ZH_NAME_TAIL.search(plain)
        if lead:
            name = name[lead.end() :].strip("的 ，,")  # (all of it: "一个" names nothing)
        elif tail:
            name = name[: tail.start()].strip("的 ，,")  # (all of it: "种草" names nothing)
        else:
            break
    modal = _ZH_MODAL.search(simplified(name))
    if modal:
        name = name[: modal.start()]
    return name.strip("的 ，,！!")


_ZH_FOR = rf"(?:给|为|帮|替)([^，,。！!；;？?]+?)(?:{_ZH_CREATE})"  # (never across a clause)
_ZH_KIND = (
    rf"(?:{_ZH_CREATE})(?:一个|个|一段|段|一条|条|一支|支|一部|部)?([^，,。！!；;？?]+?)(?:{_ZH_VIDEO})"
)


def _product_zh(sentence: str) -> str | None:
    """The subject of a Chinese request; "给火锅店做个开业视频" → 火锅店开业 (who it is for, and the
    occasion when one is said)."""
    first = _name_zh(sentence, _ZH_FOR)
    if first is not None:
        occasion = _name_zh(sentence, _ZH_KIND)
        if (
            occasion
            and occasion not in first
            and len(first) + len(occasion) <= TITLE_CJK
            and has_cjk(occasion)
        ):
            return first + occasion
        return first
    for pattern in (
        r"关于(.+?)的",
        _ZH_KIND,
        r"(?:介绍|宣传|推广|展示|讲)(?:一下|下)?(.+?)(?:[，,。！!；;\s]|的(?:视频|短片|片子|影片)|$)",
        r"(?:给|为)(.+?)(?:[，,。！!；;\s]|$)",
    ):
        name = _name_zh(sentence, pattern)
        if name is not None:
            return name
    return None


def _name_zh(sentence: str, pattern: str) -> str | None:
    plain = simplified(sentence)  # same length: the name is cut from what the user typed
    for m in re.finditer(pattern, plain):
        name = zh_name(sentence[m.start(1) : m.end(1)])
        message = tokens.read(name)
        keep = [
            it
            for it in message.items
            if not (
                it.has("dur")
                or it.has("aspect")
                or it.has("platform")
                or it.has("ratio")
                or it.has("style")
                or it.has("mood")
                or any(it.has("target", t) for t in _SETTING_TARGETS)  # "简约风格的视频"
            )
        ]
        name = zh_name(_join_items(message, keep)) if keep else ""
        name = re.sub(r"^(?:用)?这些(?:照片|图片)", "", name).strip("的 ，,")
        if len(name) < 2:
            continue  # "做个视频": the measure word, not a name
        if re.search(r"做|生成|制作|视频|短片|图片|照片|素材|宣传|介绍|标题", simplified(name)):
            continue  # "用我的产品图片和介绍做一个宣传视频" names no product
        if name and name not in _generic_words():
            return shorten(name)
    return None


def zh_description(sentence: str) -> str:
    """The descriptive clauses of a Chinese instruction:
    "做一个视频，保温24小时，轻巧便携" → "保温24小时，轻巧便携"."""
    masked = sentence
    for start, end, _ in reversed(find_quotes(sentence)):
        masked = masked[:start] + "«q»" + masked[end:]
    kept = []
    for clause in clauses(masked):
        if (
            not has_cjk(clause)
            or is_instruction(clause)
            or _ZH_NOT_WORDS.search(simplified(clause))
            or "«q" in clause
        ):
            continue
        items = [it for it in tokens.read(clause).items if not it.has("punct")]
        if any(_is_setting(it) or it.has("verb", "remove") or it.has("neg") for it in items):
            continue
        if _all_generic(items):
            continue  # "用 这些 照片 做 视频": the photos are no description
        rest = [it for it in items if not is_filler(it)]
        if len("".join(it.text for it in rest)) >= 2:
            kept.append(clause)
    return "，".join(kept)


def _split_at_colon(sentence: str) -> tuple[str, str, str]:
    """`str.partition` at the first colon outside quotes ("标题“周末限定：…”" has none)."""
    spans = find_quotes(sentence)
    for n, ch in enumerate(sentence):
        if ch in ":：" and not any(start <= n < end for start, end, _ in spans):
            return sentence[:n], ch, sentence[n + 1 :]
    return sentence, "", ""


def _commands(clause: str) -> bool:
    """An English clause that starts with a request: "make something classy", "need a reel for …"."""
    items = [it for it in tokens.read(clause).items if not it.has("punct") and not it.has("polite")]
    lead = next((it for it in items if not is_filler(it) or it.has("verb")), None)
    return lead is not None and (lead.has("verb") or lead.has("platform") or lead.has("target", "video"))


def _instruction_tail_en(sentence: str) -> list[str]:
    """The descriptive clauses after the first of an English instruction:
    "make a video for our gym, membership 50% off this month, sign up today" → the last two."""
    out = []
    for clause in clauses(sentence)[1:]:
        items = [it for it in tokens.read(clause).items if not it.has("punct")]
        meaningful = [
            it
            for it in items
            if not (is_filler(it) or _is_setting(it) or it.has("cta") or it.has("sym") or it.has("other"))
        ]
        if not meaningful or is_instruction(clause):
            continue
        out.append(clause)
    return out


def _without_settings(sentence: str) -> str:
    """The sentence without clauses that only say settings ("…, 9:16", "…, around 45 sec")."""
    pieces = re.split(r"([,，、;；])", sentence)  # (a space between Chinese words stays inside a clause)
    out = []
    for n in range(0, len(pieces), 2):
        clause = pieces[n]
        items = [it for it in tokens.read(clause).items if not it.has("punct")]
        if items and all(_is_setting(it) or is_filler(it) or it.has("sym") for it in items):
            continue
        out.append(clause + (pieces[n + 1] if n + 1 < len(pieces) else ""))
    return "".join(out).strip().rstrip(",，、;；").strip()


def _is_offer(clause: str) -> bool:
    items = tokens.read(clause).items
    return any(it.has("offer") or it.has("pct") for it in items) and not all(
        it.has("cta") for it in items if not it.has("punct")
    )


def _price(text: str) -> str | None:
    return next((str(it.value) for it in tokens.read(text).items if it.has("price")), None)


def read_brief(message: str) -> Brief:
    """Everything on screen that the description asks for."""
    read = tokens.read(message)
    brief = Brief(
        mood=next((it.key("mood") for it in read.items if it.has("mood") and not it.has("style")), None)
    )
    unquoted = message
    for start, end, inner in reversed(find_quotes(message)):
        unquoted = unquoted[:start] + " " + inner + " " + unquoted[end:]
    brief.kind = business_kind(tokens.read(unquoted).items)  # "a video for “Luna Bakery”" is food
    quotes = find_quotes(message)
    if quotes:
        brief.title = shorten(quotes[0][2], 90, 32)  # the user's own words: kept whole when they fit
    found_cta = find_cta(message)
    parts = sentences(message)
    descriptive: list[str] = []
    for n, sentence in enumerate(parts):
        if is_instruction(sentence) or (
            mostly_cjk(sentence)
            and any(is_instruction(c) for c in clauses(sentence))  # "烧烤店开业 … 做个抖音"
        ):
            if n == 0 and brief.title is None:
                brief.title, offer = product_name(sentence)
                brief.offer = brief.offer or offer
            # "create a promo from my photos and description: Meet X, a ..." → the description
            _head, colon, tail = _split_at_colon(sentence)
            if colon and tail.strip() and not is_instruction(tail.strip()):
                descriptive.append(tail.strip())
            elif mostly_cjk(sentence) and zh_description(sentence):  # "做一个视频，保温24小时，轻巧便携"
                descriptive.append(zh_description(sentence))
            elif not mostly_cjk(sentence):
                descriptive.extend(_instruction_tail_en(sentence))
            continue
        if not mostly_cjk(sentence):  # "we sell leather wallets, make something classy": a request inside
            pieces = [c for c in re.split(r",\s*|\s+[-—–]\s+", sentence) if c.strip()]
            asks = [c for c in pieces[1:] if _commands(c)]
            if asks:
                sentence = ", ".join(c for c in pieces if c not in asks)
        descriptive.append(sentence)
    kept: list[str] = []
    for sentence in descriptive:
        sentence = _without_settings(sentence)
        bare = sentence
        for _s, _e, inner in quotes:
            quoted = r"[“\"「『‘']" + re.escape(inner) + r"[”\"」』’']"
            sentence = re.sub(quoted, inner.replace("\\", "\\\\"), sentence)  # the name stays, unquoted
            bare = re.sub(quoted, "", bare)
        sentence = _strip_cta(sentence)
        if not (sentence and re.search(r"\w", _strip_cta(bare))):  # not just the quoted title itself
            continue
        kept.append(sentence)
    if brief.title is not None and kept:  # the product named again at the start of the description
        first = clauses(kept[0])
        joiner = "，" if has_cjk(kept[0]) else ", "
        head = _clean_end(first[0]).strip("：: ") if first else ""
        if head == brief.title:
            kept = ([joiner.join(first[1:])] if first[1:] else []) + kept[1:]
        elif head.lower().startswith(brief.title.lower() + " ") and not has_cjk(head):
            rest = sentence_case(head[len(brief.title) :].strip())  # "Grand Opening this saturday" → "This …"
            kept = [joiner.join([rest, *first[1:]]), *kept[1:]]
    if brief.title is None and kept:
        opening = kept[0]
        pieces = clauses(_clean_end(opening))
        cjk = has_cjk(opening)
        if len(pieces) > 1 and len(pieces[0]) >= (2 if cjk else 4) and not _is_offer(pieces[0]):
            brief.title = shorten(pieces[0])
        else:
            brief.title = shorten(opening)
        rest = _clean_end(opening)[len(brief.title) :].strip(" ,，、;；:：-—–")
        kept = ([rest] if rest and len(rest) > (1 if cjk else 3) else []) + kept[1:]
        if cjk:  # the hook without the owner or the benefactive: "我们餐厅周年庆" → 餐厅周年庆
            brief.title = zh_name(brief.title) or brief.title
        else:
            brief.title = en_hook(brief.title)
    lines: list[str] = []
    for sentence in kept:
        pieces = clauses(sentence) if re.search(r"[,，、;；]", sentence) else [sentence]
        if brief.offer is None:
            offers = [c for c in pieces if _is_offer(c)]
            if (
                (offers and len(offers) < len(pieces))
                or (offers and len(kept) > 1)
                or (offers and brief.title)
            ):
                brief.offer = sentence_case(_clean_end(_TAIL_SYMBOLS.sub("", offers[0])))
                pieces = [c for c in pieces if c != offers[0]]
                joiner = "，" if has_cjk(sentence) else ", "
                sentence = joiner.join(pieces)
        if brief.price is None:
            brief.price = _price(sentence)
        if sentence.strip():
            lines.extend(sentence_case(line) for line in caption_lines(sentence))
    brief.captions = [line for line in lines if line]
    zh = mostly_cjk(message)
    brief.cta = found_cta or (business_cta(brief.kind, "zh" if zh else "en") if brief.kind else None)
    return brief


def copy_text(brief: Brief, zh: bool) -> str:
    """The copy as one line for the reply: hook — benefits — offer — CTA."""
    parts = [p for p in (brief.title, *brief.captions, brief.offer, brief.price, brief.cta) if p]
    return ("，" if zh else " · ").join(parts)



# --- a product description given after "description:" / "描述：" / "介绍：" ---------------------------
CAPTIONS_MAX = 6  # hook + at most six benefit captions + offer + CTA: more is a wall of text
BENEFIT_LATIN = 32  # a benefit clause longer than this is cut at "that" / "which" / "who"
_RELATIVE = re.compile(r"\s+(?:that|which|who)\s+", re.I)
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.I)
_REQUEST_LINK = re.compile(r"(?:[\s,，、]+(?:and|&|with|plus|和|及|与|跟|还有)?)+$", re.I)
_DASH_SPLIT = re.compile(r"\s+[-—–]\s+|\s*[—–]\s*")


@cache
def _brief_words(key: str) -> tuple[str, ...]:
    """A list of the lexicons' `[brief]` table, both languages, longest first."""
    words = {
        normalize_word(w) for language in LANGUAGES for w in (raw(language).get("brief") or {}).get(key, [])
    }
    return tuple(sorted(words, key=len, reverse=True))


def normalize_word(text: str) -> str:
    return simplified(text).lower().strip()


def _ends_with_word(text: str, word: str) -> bool:
    if not text.endswith(word):
        return False
    before = text[: len(text) - len(word)]
    return has_cjk(word) or not before or not before[-1].isalnum()


def split_description(text: str) -> tuple[str, str] | None:
    """ "create a promo from my photos and description: Meet “Aurora Bottle”: …" → (the request, the
    description): the words after a description marker and a colon (`[brief] markers`: description,
    描述, 介绍 …, outside quotes) describe the product; they are copy, not commands. None without one."""
    spans = find_quotes(text)
    for n, ch in enumerate(text):
        colon = ch in ":："
        dash = ch in "-—–" and text[n - 1 : n] == " " and text[n + 1 : n + 2] == " "  # "description - …"
        if not (colon or dash) or any(start <= n < end for start, end, _ in spans):
            continue
        head = text[:n].rstrip()
        low = normalize_word(head)
        for word in _brief_words("markers"):
            if _ends_with_word(low, word):
                tail = text[n + 1 :].strip()
                if not tail:
                    return None
                request = _REQUEST_LINK.sub("", head[: len(head) - len(word)].rstrip())
                return request.strip(), tail
    return None  # the first marker wins: a colon inside the description ("…: Meet “X”: a …") is its own


def _drop_hook_words(text: str) -> str:
    """ "Meet" / "introducing the" / 隆重推出 at the start: folded into the hook (the title)."""
    low = normalize_word(text)
    for word in _brief_words("hook"):
        if low == word:
            return ""
        if low.startswith(word) and (has_cjk(word) or not low[len(word)].isalnum()):
            return text.strip()[len(word) :].strip(" ,，:：-—–")
    return text.strip()


def _is_name(text: str) -> bool:
    """A product's name after "Meet": a few words written with capitals ("Nova", "Aurora Bottle") or a
    short Chinese one (隆重推出小石头)."""
    if has_cjk(text):
        return 2 <= len(text) <= 8
    words = text.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _is_command_clause(clause: str) -> bool:
    """A clause of a description that asks for something ("make it vertical", "做成竖屏"): the grammar
    reads it; a hyphenated word that starts like a verb ("double-walled") is a description."""
    if _ARTICLE.match(clause.strip()) or re.match(r"^\W*[A-Za-z]+-[A-Za-z]", clause):
        return False  # ("a double-walled steel bottle" names a thing)
    if mostly_cjk(clause):
        return is_instruction(clause)
    return _commands(clause)


def _is_request(clause: str) -> bool:
    """A clause among the description's that asks for something: it starts with a request ("make it
    vertical") or says only settings ("30 seconds", "upbeat music pls", 配乐欢快点); a look or a
    length inside a description is the product's ("five bright colours" is no bold style, "pairs with
    any phone in seconds" no length), and an offer is copy."""
    if _is_offer(clause):
        return False
    if _is_command_clause(clause):
        return True
    items = [it for it in tokens.read(clause).items if not it.has("punct")]
    allowed = ("sym", "polite", "verb")  # ("做成竖屏": a verb and a setting)
    return any(_is_setting(it) for it in items) and all(
        _is_setting(it) or is_filler(it) or any(it.has(c) for c in allowed) for it in items
    )


def _description_clauses(text: str) -> list[str]:
    return [c for s in sentences(text) for part in _DASH_SPLIT.split(s) for c in clauses(part)]


def description_requests(description: str) -> list[str]:
    """The clauses of a description that ask for something ("…, lasts 3 months. make it vertical")."""
    return [c for c in _description_clauses(description) if _is_request(c)]


def split_sentences(text: str) -> tuple[str, str] | None:
    """ "make a 30s promo for my bottle. Meet “Aurora Bottle”: a … Leak-proof lid, …" → (the request,
    the description): a request sentence first, then sentences that describe (not requests, not only
    the offer or a call to action). None when nothing after the request describes."""
    parts = sentences(text)
    if len(parts) < 2 or not is_instruction(parts[0]):
        return None
    rest = parts[1:]
    describing = [
        c
        for c in _description_clauses(" ".join(rest))
        if not _is_request(c)
        and not _is_offer(c)
        and not (find_cta(c) and not _strip_cta(c).strip(" .!。！"))
        and re.search(r"\w", c)
    ]
    if not describing:
        return None
    joiner = "" if mostly_cjk(text) else " "
    return parts[0], joiner.join(rest)


def _benefit_lines(clause: str) -> list[str]:
    """One benefit clause → caption lines of a readable length (a long one cut at its relative
    pronoun: "a double-walled steel bottle that keeps drinks cold for 24 hours" → "Double-walled steel
    bottle", "Keeps drinks cold for 24 hours")."""
    cjk = has_cjk(clause)
    text = clause if cjk else _ARTICLE.sub("", clause)
    pieces = [text]
    if not cjk and len(text) > BENEFIT_LATIN:
        pieces = [p for p in _RELATIVE.split(text, maxsplit=1) if p.strip()]
    out: list[str] = []
    for piece in pieces:
        out.extend(sentence_case(line) for line in caption_lines(piece))
    return out


def describe(description: str) -> Brief:
    """A product description → the hook (a quoted name; else none, the caller decides), benefit
    captions (each sentence or comma clause one, ≤ `CAPTIONS_MAX`), the offer, a price and a CTA written
    in it. Clauses that ask for something are left to the grammar."""
    brief = Brief()
    text = description.strip()
    quotes = find_quotes(text)
    if quotes:
        start, end, inner = quotes[0]
        brief.title = shorten(inner, 90, 32)
        before, after = text[:start], text[end:]
        cut = max((before.rfind(c) for c in ".!?。！？;；,，、\n"), default=-1) + 1
        lead = _drop_hook_words(before[cut:])
        after = re.sub(r"^\s*(?:[:：,，]|[-—–])\s*", " ", after)
        text = (before[:cut] + (" " + lead if lead else "") + " " + after.strip()).strip()
        # the rest of the name's sentence says what it does ("“Habitly” builds habits …"): never a request
        first = sentences(after.strip())[:1]
        parts = clauses(_DASH_SPLIT.split(first[0])[0]) if first else []
        named = _clean_end(_TAIL_SYMBOLS.sub("", parts[0])) if parts else ""
    else:
        named = ""
        opening = sentences(text)[:1]
        head = (clauses(_DASH_SPLIT.split(opening[0])[0]) or [""])[0] if opening else ""
        name = _drop_hook_words(head)
        if name != head.strip() and name and _is_name(name):  # "Meet Nova, the smart lamp …" → "Nova"
            brief.title = _clean_end(name)
            text = text.strip()[len(head.strip()) :].lstrip(" ,，:：-—–")
    for start, end, inner in reversed(find_quotes(text)):
        text = text[:start] + inner + text[end:]
    lines: list[str] = []
    offers: list[tuple[int, str]] = []  # (strength, clause): the strongest is the offer, the rest benefits
    for sentence in sentences(text):
        for part in _DASH_SPLIT.split(sentence):
            for clause in clauses(part):
                clause = _clean_end(_TAIL_SYMBOLS.sub("", clause))
                if not clause:
                    continue
                cta = find_cta(clause)
                if cta is not None:
                    brief.cta = brief.cta or cta
                    clause = _clean_end(_TAIL_SYMBOLS.sub("", _strip_cta(clause)))
                    if not clause:
                        continue
                if brief.price is None:
                    brief.price = _price(clause)
                if _is_offer(clause):
                    strength = sum(1 for it in tokens.read(clause).items if it.has("offer") or it.has("pct"))
                    offers.append((strength, clause))
                    lines.append(f"\0offer{len(offers) - 1}")
                    continue
                if (clause != named and _is_request(clause)) or not re.search(r"\w", clause):
                    continue
                lines.extend(_benefit_lines(clause))
    best = max(range(len(offers)), key=lambda n: (offers[n][0], -n)) if offers else None
    if best is not None:
        brief.offer = sentence_case(offers[best][1])
    out: list[str] = []
    for line in lines:
        if line.startswith("\0offer"):
            n = int(line[len("\0offer") :])
            if n != best:  # a second offer ("送花瓶" beside "首单九折") is one more benefit
                out.extend(_benefit_lines(offers[n][1]))
            continue
        out.append(line)
    brief.captions = [line for line in dict.fromkeys(out) if line][:CAPTIONS_MAX]
    return brief


def compose(request: str, description: str, *, titled: bool = False) -> Brief:
    """The copy of a request with a product description: the request's own reading (its product name,
    mood, offer) and the description's hook, benefits, offer and CTA; the hook is the quoted name, else
    the product the request names, else the description's first benefit (`titled`: the request gave
    the title itself, "title: Summer Flask, description: …", so every benefit stays a caption)."""
    asked = read_brief(request) if request.strip() else Brief()
    described = describe(description)
    brief = Brief(
        title=described.title or asked.title,
        subtitle=asked.subtitle,
        captions=list(dict.fromkeys([*asked.captions, *described.captions]))[:CAPTIONS_MAX],
        offer=asked.offer or described.offer,
        price=asked.price or described.price,
        mood=asked.mood,
    )
    if brief.title is None and brief.captions and not titled:
        hook = _drop_hook_words(brief.captions.pop(0))
        brief.title = zh_name(hook) or hook if has_cjk(hook) else en_hook(sentence_case(hook))
    whole = f"{request} {description}"
    unquoted = whole
    for start, end, inner in reversed(find_quotes(whole)):
        unquoted = unquoted[:start] + " " + inner + " " + unquoted[end:]
    brief.kind = business_kind(tokens.read(unquoted).items)
    zh = mostly_cjk(description) if description.strip() else mostly_cjk(request)
    brief.cta = (
        described.cta
        or find_cta(request)
        or (business_cta(brief.kind, "zh" if zh else "en") if brief.kind else None)
    )
    return brief
