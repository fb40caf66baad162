"""The dimension parser: numbers, durations, ordinals, ratios, percentages and prices, both languages.

Like Duckling, but small: it reads a message's units (`tokens.read`) and returns one item per
dimension found, with its value:

- `dur` (ms): "15s", "30-second", "1:30", "half a minute", "a minute and a half", "1m30s",
  十五秒, 一分钟, 一分半, 1分30秒, 半分钟;
- `ord` (1-based; -1 last, -2 second to last): "first", "3rd", "second to last", "last", 第三个,
  第2张, 最后一段, 第3版; `Meaning.key` is the measure word's kind (`image`, `video`, `version`, `any`);
- `ratio` ("9:16", only the five canvases): "9:16", "16 by 9", "4x5", "1080x1920", 3比4;
- `pct` (float): "20%", "50 percent", 百分之五十;
- `price` (the text as written): "$24", "€35", "24 dollars", "99元", "¥199";
- `mult` (float): "2x", "1.5x", "3 times";
- `num` (float; `key`: the measure word's kind): "3", "twenty-five", 两张.

The words (number names, units, ordinals, currencies, measure words) come from the lexicons; the
rules are the few grammar shapes in this file. Nothing here guesses: text that is not a dimension
yields nothing.
"""

from __future__ import annotations

from math import gcd

from studio.director.items import Item, Message
from studio.director.lexicon import Lexicon, Meaning, lexicon
from studio.director.units import join_texts

ASPECT_PAIRS = {(9, 16), (16, 9), (1, 1), (4, 5), (3, 4)}
_ZH_NUMERALS = set("零〇一二两三四五六七八九十百俩仨")
_MEASURE = {
    "个": "any",
    "张": "image",
    "幅": "image",
    "段": "video",
    "条": "video",
    "支": "video",
    "版": "version",
    "稿": "version",
    "位": "any",
    "次": "any",
    "部": "any",
    # goods, not shots: "第二件半价", "第二杯半价"
    "件": "item",
    "杯": "item",
    "份": "item",
    "瓶": "item",
    "盒": "item",
    "束": "item",
    "双": "item",
}
_SUFFIX = {"st", "nd", "rd", "th"}
_ABOUT = (("左", "右"), ("上", "下"), ("以", "内"), ("之", "内"), ("内",), ("ish",))
_MAGNITUDES = {"万": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "m": 1e6, "million": 1e6, "thousand": 1e3}
_RATIO_SEP = {":", "x", "/", "by", "比", "×", "*"}


def zh_number(text: str) -> int | None:
    """'3', '十五', '四十五', '一百二十', '两' → int; None when it is not a number."""
    if text.isdigit():
        return int(text)
    numbers = lexicon().numbers
    total, current, seen = 0, 0, False
    for ch in text:
        value = numbers.get(ch)
        if value is None:
            return None
        seen = True
        if value == 10:
            total += (current or 1) * 10
            current = 0
        elif value == 100:
            total += (current or 1) * 100
            current = 0
        else:
            current = value
    return total + current if seen else None


class _Reader:
    def __init__(self, message: Message, lex: Lexicon) -> None:
        self.m = message
        self.t = message.texts
        self.u = message.units
        self.lex = lex
        self.n = len(message.units)

    def text(self, k: int) -> str:
        return self.t[k] if 0 <= k < self.n else ""

    def attached(self, k: int) -> bool:
        """Unit k follows unit k-1 with no space between."""
        return 0 < k < self.n and self.u[k].start == self.u[k - 1].end

    def unit_is(self, k: int, table: str, key: str) -> bool:
        return any(m.cat == table and m.key == key for m in self.lex.phrases.get((self.text(k),), ()))

    # --- numbers ---------------------------------------------------------------------------
    def number(self, k: int, *, articles: bool = False) -> tuple[float, int] | None:
        """(value, end) of a number starting at unit k."""
        if k >= self.n:
            return None
        unit = self.u[k]
        if unit.kind == "num":
            return float(unit.text), k + 1
        if unit.kind == "cjk":
            end = k
            while (
                end < self.n
                and self.u[end].kind == "cjk"
                and self.t[end] in _ZH_NUMERALS
                and (end == k or self.attached(end))
            ):
                end += 1
            if end == k:
                return None
            value = zh_number("".join(self.t[k:end]))
            return (float(value), end) if value is not None else None
        if unit.kind != "word":
            return None
        word = self.t[k]
        if word in ("a", "an") and not articles:
            return None
        if word in ("couple", "few"):
            return None
        value = self.lex.numbers.get(word)
        if value is None:
            return None
        end = k + 1
        if 20 <= value < 100 and value % 10 == 0:  # "twenty five", "twenty-five"
            nxt = end + 1 if self.text(end) == "-" else end
            unit_value = self.lex.numbers.get(self.text(nxt))
            if (
                unit_value is not None
                and 0 < unit_value < 10
                and self.u[nxt].kind == "word"
                and self.text(nxt) not in ("a", "an")
            ):
                return float(value + unit_value), nxt + 1
        if value == 100 and k > 0:
            return None
        return float(value), end

    def unit(self, k: int) -> tuple[str, int] | None:
        """('second' | 'minute', end) of a time unit at k; 'half' for 半."""
        word = self.text(k)
        for kind in ("second", "minute"):
            if self.unit_is(k, "units", kind):
                if kind == "minute" and word == "m" and not self.attached(k):
                    return None
                if kind == "second" and word == "s" and not self.attached(k) and not self._ends(k + 1):
                    return None
                if word == "分" and not self._minute_char(k):
                    return None
                if word == "秒" and self.text(k + 1) == "钟":
                    return kind, k + 2
                if word == "分" and self.text(k + 1) == "钟":
                    return kind, k + 2
                return kind, k + 1
        return None

    def _ends(self, k: int) -> bool:
        return (
            k >= self.n
            or self.u[k].kind in ("punct", "cjk")
            or self.text(k) in ("and", "long", "video", "vid")
        )

    def _minute_char(self, k: int) -> bool:
        """分 alone is a minute only as 分钟, 分半 or 分 + N秒 ("十分好看" is "very nice")."""
        nxt = self.text(k + 1)
        if nxt in ("钟", "半"):
            return True
        after = self.number(k + 1)
        return after is not None and self.text(after[1]) == "秒"

    # --- dimensions ------------------------------------------------------------------------
    def duration(self, k: int) -> Item | None:
        t = self.text
        # "half a minute", "half-minute", 半分钟
        if t(k) in ("half", "半"):
            j = k + 1
            if t(j) in ("a", "an", "-"):
                j += 1
            got = self.unit(j)
            if got and got[0] == "minute":
                return self._item(k, got[1], 30000)
        # "a minute and a half", "one and a half minutes", "2 and a half minutes"
        num = self.number(k, articles=True)
        if num is None:
            return None
        value, j = num
        if self._after_shot_noun(k):
            return None  # "move photo 3 second" names a place
        if t(j) == "and" and t(j + 1) in ("a", "an") and t(j + 2) == "half":
            got = self.unit(j + 3)
            if got and got[0] == "minute":
                return self._item(k, got[1], round((value + 0.5) * 60000))
        if t(j) == "-":
            j += 1
        got = self.unit(j)
        if got is None:
            if t(j) == ":" and self.u[k].kind == "num" and j + 1 < self.n and self.u[j + 1].kind == "num":
                sec = self.t[j + 1]
                if len(sec) == 2 and (int(value), int(sec)) not in ASPECT_PAIRS and value <= 10:
                    return self._item(k, j + 2, round((value * 60 + int(sec)) * 1000))
            return None
        kind, end = got
        if self.text(k) in ("a", "an") and kind != "minute":
            return None
        if kind == "second":
            return self._item(k, end, round(value * 1000))
        total = round(value * 60000)
        if t(end) == "半":  # 一分半(钟)
            end += 1
            if t(end) == "钟":
                end += 1
            return self._item(k, end, total + 30000)
        if t(end) == "and" and t(end + 1) in ("a", "an") and t(end + 2) == "half":
            return self._item(k, end + 3, total + 30000)
        k2 = end + 1 if t(end) == "and" else end
        more = self.number(k2)
        if more is not None:
            got2 = self.unit(more[1])
            if got2 and got2[0] == "second":
                return self._item(k, got2[1], total + round(more[0] * 1000))
        return self._item(k, end, total)

    def _after_shot_noun(self, k: int) -> bool:
        j = k - 1
        if self.text(j) in ("#", "no", "number"):
            j -= 1
        word = self.text(j)
        if word in ("video", "videos", "vid", "vids", "视频"):
            return False  # "a video 5 min long" is a length
        return j >= 0 and any(
            m.cat == "target" and m.key in ("shot", "photo", "clip")
            for m in self.lex.phrases.get((word,), ())
        )

    def ratio(self, k: int) -> Item | None:
        first = self.number(k)
        if first is None or self.text(first[1]) not in _RATIO_SEP:
            return None
        second = self.number(first[1] + 1)
        if second is None:
            return None
        a, b = int(first[0]), int(second[0])
        if a != first[0] or b != second[0] or a <= 0 or b <= 0:
            return None
        g = gcd(a, b)
        pair = (a // g, b // g)
        if pair not in ASPECT_PAIRS:
            return None
        return Item(
            k,
            second[1],
            (Meaning("ratio", f"{pair[0]}:{pair[1]}"),),
            value=f"{pair[0]}:{pair[1]}",
            text=join_texts(self.t[k : second[1]]),
        )

    def percent(self, k: int) -> Item | None:
        if self.text(k) == "百" and self.text(k + 1) == "分" and self.text(k + 2) == "之":
            num = self.number(k + 3)
            if num:
                return Item(k, num[1], (Meaning("pct", "pct"),), value=num[0], text=self.m.orig(k, num[1]))
            return None
        num = self.number(k)
        if num is None:
            return None
        value, j = num
        if self.text(j) == "%" or self.text(j) in ("percent", "pct"):
            return Item(k, j + 1, (Meaning("pct", "pct"),), value=value, text=self.m.orig(k, j + 1))
        if self.text(j) == "per" and self.text(j + 1) == "cent":
            return Item(k, j + 2, (Meaning("pct", "pct"),), value=value, text=self.m.orig(k, j + 2))
        return None

    def _currency(self, k: int) -> bool:
        return any(m.cat in ("currency",) for m in self.lex.phrases.get((self.text(k),), ()))

    def _currency_word(self, k: int) -> bool:
        return any(m.cat == "currency_word" for m in self.lex.phrases.get((self.text(k),), ()))

    def price(self, k: int) -> Item | None:
        if self._currency(k):
            num = self.number(k + 1)
            if num is not None and self.u[k + 1].kind == "num":
                return self._price(k, self.magnitude(num[1])[1])  # "$24", "$1.2M"
            return None
        num = self.number(k)
        if num is None or self.u[k].kind not in ("num", "cjk"):
            return None
        j = self.magnitude(num[1])[1] if self.u[k].kind == "num" else num[1]
        if self._currency_word(j) or (self._currency(j) and self.attached(j)):
            return self._price(k, j + 1)  # "99元", "280万元"
        return None

    def _price(self, i: int, j: int) -> Item:
        text = self.m.orig(i, j).strip()
        return Item(i, j, (Meaning("price", "price"),), value=text, text=join_texts(self.t[i:j]))

    def ordinal(self, k: int) -> Item | None:
        t = self.text
        if t(k) == "第":
            num = self.number(k + 1)
            if num is None:
                return None
            end = num[1]
            kind = _MEASURE.get(t(end))
            if kind is not None:
                end += 1
            return self._ord(k, end, int(num[0]), kind or "any")
        if t(k) == "最" and t(k + 1) == "后":
            end = k + 2
            if t(end) == "一":
                end += 1
            kind = _MEASURE.get(t(end))
            if kind is None:
                return None  # 最后 alone: the lexicon's (a destination or "the last")
            return self._ord(k, end + 1, -1, kind)
        unit = self.u[k] if k < self.n else None
        if unit is not None and unit.kind == "num" and self.text(k + 1) in _SUFFIX and self.attached(k + 1):
            return self._ord(k, k + 2, int(float(unit.text)), "any")
        for length in (4, 3, 2, 1):
            phrase = tuple(self.t[k : k + length])
            if (
                len(phrase) == length
                and phrase in self.lex.ordinals
                and self.m.boundary[k]
                and self.m.boundary[k + length]
            ):
                if phrase == ("second",) and self._is_time_unit(k):
                    return None
                extra = tuple(m for m in self.lex.phrases.get(phrase, ()) if m.cat != "ordinal")
                return self._ord(k, k + length, self.lex.ordinals[phrase], "any", extra)
        return None

    def _is_time_unit(self, k: int) -> bool:
        return k > 0 and self.number(k - 1) is not None

    def _ord(self, i: int, j: int, value: int, kind: str, extra: tuple[Meaning, ...] = ()) -> Item:
        return Item(i, j, (Meaning("ord", kind), *extra), value=value, text=join_texts(self.t[i:j]))

    def multiplier(self, k: int) -> Item | None:
        num = self.number(k)
        if num is None or self.u[k].kind != "num":
            return None
        j = num[1]
        if (self.text(j) == "x" and self.attached(j)) or self.text(j) == "times":
            return Item(
                k, j + 1, (Meaning("mult", "mult"),), value=num[0], text=join_texts(self.t[k : j + 1])
            )
        return None

    def magnitude(self, j: int) -> tuple[float, int]:
        """(factor, end) of a magnitude right after a number: 280万, $1.2M, 15k; (1, j) when none."""
        word = self.text(j)
        if word in _MAGNITUDES and (self.attached(j) or word in ("million", "thousand")):
            return _MAGNITUDES[word], j + 1
        return 1.0, j

    def plain(self, k: int) -> Item | None:
        num = self.number(k)
        if num is None:
            return None
        value, j = num
        kind = _MEASURE.get(self.text(j))
        if self.u[k].kind == "cjk":
            if kind is None:
                return None  # a bare Chinese numeral is part of a word (一下, 十分, 一起)
            return Item(k, j + 1, (Meaning("num", kind),), value=value, text=join_texts(self.t[k : j + 1]))
        factor, j = self.magnitude(j)
        return Item(
            k,
            j,
            (Meaning("num", "any"),),
            value=value * factor,
            text=self.m.orig(k, j) if factor != 1 else join_texts(self.t[k:j]),
        )

    def _item(self, i: int, j: int, ms: int) -> Item:
        for words in _ABOUT:  # "十五秒左右", "30秒以内": the length is the one said
            if tuple(self.t[j : j + len(words)]) == words:
                j += len(words)
                break
        return Item(i, j, (Meaning("dur", "ms"),), value=ms, text=join_texts(self.t[i:j]))


def is_numeral(text: str) -> bool:
    return text in _ZH_NUMERALS


def find(message: Message, taken: list[bool] | None = None) -> list[Item]:
    """Every dimension in the message, left to right, non-overlapping (see the table above); units
    already `taken` by a phrase are skipped."""
    reader = _Reader(message, lexicon())
    out: list[Item] = []
    k = 0
    kinds = (
        reader.duration,
        reader.ratio,
        reader.percent,
        reader.price,
        reader.ordinal,
        reader.multiplier,
        reader.plain,
    )
    while k < reader.n:
        unit = message.units[k]
        if unit.kind in ("punct", "gap", "quote", "file", "url", "handle", "hex") or (
            not message.boundary[k] and unit.kind != "cjk"
        ):
            k += 1
            continue
        if taken is not None and taken[k]:
            k += 1
            continue
        for parse in kinds:
            item = parse(k)
            if item is not None and (taken is None or not any(taken[item.i : item.j])):
                out.append(item)
                k = item.j
                break
        else:
            k += 1
    return out
