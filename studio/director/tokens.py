"""A message read into items: quotes, numbers and durations (`dims`), lexicon phrases, and the rest.

`read(text)` does, in order:
1. quoted passages (“…”, "…", 「…」, 『…』, ‘…’, '…') become one `quote` item each: their words are
   content, never commands ("change the title to 'Faster in 30s'");
2. the text is NFKC-normalised and lower-cased per character (full-width "：" and "１５" read as ":"
   and "15"), traditional characters are read as simplified ones (幫我做一個影片 as 帮我做一个影片,
   `lexicon/traditional.txt`), keeping a map back to the original so content is always cut from what
   the user typed;
3. it is split into units (`units.split`); each run of Chinese characters is segmented by jieba,
   which decides where words begin and end (a word jieba does not know that is a known word plus a
   place suffix, 甜品店, is read as the two: `[suffix]` in zh.toml);
4. a Latin word the lexicon does not know, one letter away from a distinctive word, is read as that
   word ("vertcal" → vertical, "tittle" → title);
5. numbers, durations, ordinals, ratios, percentages and prices are found (`dims.find`);
6. lexicon phrases are matched on what is left, longest first, never starting or ending inside a
   Chinese word; everything else stays a `word` / `cjk` item, so the grammar can tell what it did
   not understand.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from studio.director import dims, segment
from studio.director.items import Item, Message, find_quotes
from studio.director.lexicon import Lexicon, Meaning, lexicon
from studio.director.units import Unit, is_cjk, join_texts, split


def _normalise(text: str, traditional: dict[int, str]) -> tuple[str, list[int]]:
    out: list[str] = []
    to_orig: list[int] = []
    for n, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch).lower() if ord(ch) > 127 else ch.lower()
        norm = norm.translate(traditional)  # 個 → 个: traditional characters read as simplified
        if ch in "“”「」『』‘’":  # quote marks are their own thing (NFKC would keep them anyway)
            norm = ch
        for c in norm:
            out.append(c)
            to_orig.append(n)
    to_orig.append(len(text))
    return "".join(out), to_orig


def _boundaries(norm: str, units: list[Unit]) -> list[bool]:
    boundary = [True] * (len(units) + 1)
    n = 0
    while n < len(units):
        if units[n].kind != "cjk":
            n += 1
            continue
        end = n
        while (
            end + 1 < len(units) and units[end + 1].kind == "cjk" and units[end + 1].start == units[end].end
        ):
            end += 1
        run = norm[units[n].start : units[end].end]
        at = n
        for word in segment.cut(run):
            for k in range(1, len(word)):
                boundary[at + k] = False
            stem = _stem_of(word)
            if stem:  # "甜品店" → 甜品 | 店: a known word and a place suffix
                boundary[at + stem] = True
            at += len(word)
        n = end + 1
    return boundary


def _stem_of(word: str) -> int:
    """The length of a known word at the start of an unknown one that ends in a place suffix
    (店, 馆, 工作室, 公司 ...: "宠物店", "饰品店", "露营基地"), or 0."""
    lex = lexicon()
    if len(word) < 3 or tuple(word) in lex.phrases:
        return 0
    for suffix in [*lex.suffixes, *lex.kind_suffixes]:
        stem = len(word) - len(suffix)
        if stem >= 2 and word.endswith(suffix) and tuple(word[:stem]) in lex.phrases:
            return stem
    return 0


@cache
def _typo_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for word in sorted(lexicon().typo_targets):
        for k in range(len(word)):
            index.setdefault(word[:k] + word[k + 1 :], word)
    return index


def correct(word: str, lex: Lexicon) -> str:
    """A one-letter slip of a distinctive lexicon word → that word, and a plural of a known word the
    lexicon lists only in the singular ("voiceovers") → the singular; anything else as it is."""
    if word in lex.words or word in lex.typo_keep:
        return word
    if word.endswith("'s") and word[:-2] in lex.words:
        return word[:-2]  # "title's too small": the title
    if not word.isalpha():
        return word
    if (
        len(word) >= 5
        and word.endswith("s")
        and word[:-1] in lex.words
        and len(lex.phrases.get((word[:-1],), ()))
    ):
        return word[:-1]
    if len(word) < 5:
        return word
    index = _typo_index()
    targets = lex.typo_targets
    if word in index:  # a letter left out
        return index[word]
    deletes = [word[:k] + word[k + 1 :] for k in range(len(word))]
    for d in deletes:  # a letter too many
        if d in targets:
            return d
    for d in deletes:  # a letter wrong, or two swapped
        if d in index and abs(len(index[d]) - len(word)) == 0:
            return index[d]
    return word


def read(text: str) -> Message:
    """The message's items, in order (see the module docstring)."""
    lex = lexicon()
    quotes = find_quotes(text)
    norm, to_orig = _normalise(text, lex.traditional)
    raw_units = split(norm)
    # quoted passages collapse to one unit each
    orig_to_norm = {o: k for k, o in reversed(list(enumerate(to_orig)))}
    units: list[Unit] = []
    quote_texts: list[str] = []
    spans = [(orig_to_norm.get(s, 0), orig_to_norm.get(e, len(norm)), inner) for s, e, inner in quotes]
    q = 0
    for unit in raw_units:
        while q < len(spans) and unit.start >= spans[q][1]:
            q += 1
        if q < len(spans) and spans[q][0] <= unit.start < spans[q][1]:
            if not units or units[-1].kind != "quote" or units[-1].start != spans[q][0]:
                units.append(Unit(f"«q{len(quote_texts)}»", spans[q][0], spans[q][1], "quote"))
                quote_texts.append(spans[q][2])
            continue
        units.append(unit)
    texts = [correct(u.text, lex) if u.kind == "word" else u.text for u in units]
    message = Message(text, norm, to_orig, units, texts, _boundaries(norm, units), quote_texts)
    taken = [False] * len(units)
    items: list[Item] = []
    for item in _protected(message, lex):  # "第二杯半价", "买一送一": phrases before numbers
        for k in range(item.i, item.j):
            taken[k] = True
        items.append(item)
    found = dims.find(message, taken)
    for item in found:
        for k in range(item.i, item.j):
            taken[k] = True
        items.append(item)
    items.extend(_phrases(message, taken, lex))
    items.sort(key=lambda it: it.i)
    message.items = items
    return message


_UNPROTECTED = {"units", "ordinal", "dest", "relative"}


def _protected(message: Message, lex: Lexicon) -> list[Item]:
    """Phrases that contain a number ("第二杯半价", "买一送一", "写一段产品描述"), matched before the
    numbers are read, so the number does not break the phrase (ordinals and places stay numbers)."""
    units, texts, boundary = message.units, message.texts, message.boundary
    out: list[Item] = []
    n = 0
    while n < len(units):
        if not boundary[n]:
            n += 1
            continue
        for phrase, meanings in lex.by_first.get(texts[n], ()):
            end = n + len(phrase)
            if end > len(units) or not boundary[end]:
                continue
            if len(phrase) < 3 and not _tight_word(units, n, end):  # "mp4", "4k", "60fps" stay words
                continue
            if all(m.cat in _UNPROTECTED for m in meanings):
                continue
            if not any(units[k].kind == "num" or dims.is_numeral(texts[k]) for k in range(n, end)):
                continue
            if all(texts[n + k] == phrase[k] for k in range(1, len(phrase))):
                out.append(Item(n, end, tuple(meanings), text=join_texts(texts[n:end])))
                n = end - 1
                break
        n += 1
    return out


def _tight_word(units: list[Unit], start: int, end: int) -> bool:
    """Latin letters and digits written together as one word ("mp4", "4k")."""
    return (
        end - start == 2
        and all(units[k].kind in ("word", "num") for k in range(start, end))
        and any(units[k].kind == "word" for k in range(start, end))
        and units[start + 1].start == units[start].end
    )


_KIND_ITEMS = {
    "file": "file",
    "url": "url",
    "handle": "handle",
    "hex": "hex",
    "punct": "punct",
    "sym": "sym",
    "other": "other",
    "quote": "quote",
    "gap": "punct",  # a space next to Chinese: a soft clause end (units.py)
}


def _phrases(message: Message, taken: list[bool], lex: Lexicon) -> list[Item]:
    units, texts, boundary = message.units, message.texts, message.boundary
    out: list[Item] = []
    n = 0
    count = len(units)
    while n < count:
        if taken[n]:
            n += 1
            continue
        match = _longest(message, taken, lex, n)
        if match is not None and match[0] > n + 1:
            later = _longest(message, taken, lex, n + 1)  # "the bottom left": "bottom left" wins
            if later is not None and later[0] > match[0]:
                match = _longest(message, taken, lex, n, limit=1)
        if match is not None:
            end, meanings = match
            out.append(Item(n, end, tuple(meanings), text=join_texts(texts[n:end])))
            n = end
            continue
        unit = units[n]
        kind = unit.kind
        if kind == "cjk":  # an unknown Chinese word: as jieba cut it
            end = n + 1
            while end < count and not boundary[end] and not taken[end]:
                end += 1
            word = "".join(texts[n:end])
            out.append(Item(n, end, _kind_of_unknown(word, lex), text=word))
            n = end
            continue
        if kind == "quote":
            index = int(unit.text[2:-1])
            out.append(
                Item(n, n + 1, (Meaning("quote", str(index)),), value=message.quotes[index], text=unit.text)
            )
        elif kind in _KIND_ITEMS:
            out.append(
                Item(n, n + 1, (Meaning(_KIND_ITEMS[kind], texts[n]),), value=unit.text, text=texts[n])
            )
        else:
            out.append(Item(n, n + 1, (), text=texts[n]))
        n += 1
    return out


def _kind_of_unknown(word: str, lex: Lexicon) -> tuple[Meaning, ...]:
    """An unknown Chinese word that ends like a kind of business is one: 钢琴课, 驾校, 宠物医院."""
    for suffix in sorted(lex.kind_suffixes, key=len, reverse=True):
        if len(word) > len(suffix) and word.endswith(suffix):
            return (Meaning("business", lex.kind_suffixes[suffix]),)
    return ()


def _longest(
    message: Message, taken: list[bool], lex: Lexicon, n: int, limit: int = 0
) -> tuple[int, list[Meaning]] | None:
    """(end, meanings) of the longest lexicon phrase at unit n (at most `limit` units when set)."""
    units, texts, boundary = message.units, message.texts, message.boundary
    if n >= len(units) or not boundary[n] or taken[n]:
        return None
    for phrase, meanings in lex.by_first.get(texts[n], ()):
        end = n + len(phrase)
        if limit and len(phrase) > limit:
            continue
        if end > len(units) or not boundary[end] or any(taken[k] for k in range(n, end)):
            continue
        if all(texts[n + k] == phrase[k] for k in range(1, len(phrase))) and _tight(units, n, end):
            return end, meanings
    return None


def _tight(units: list[Unit], start: int, end: int) -> bool:
    """A phrase of Chinese characters must be written together (no space inside a CJK word)."""
    for k in range(start + 1, end):
        if units[k].kind == "cjk" and units[k - 1].kind == "cjk" and units[k].start != units[k - 1].end:
            return False
    return True


def is_chinese(text: str) -> bool:
    return any(is_cjk(c) for c in text)
