"""Small parsers shared by the director: durations, aspect ratios, quotes, numbers, moods, corners.

Every parser understands English and Chinese whatever the reply language is, and returns `None`
when the text does not say the thing (never a guess).
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
ZH_NUM = r"[零〇一二两三四五六七八九十百\d]+"


def alt(*patterns: str) -> str:
    """Regex alternatives joined with `|` (keeps long keyword lists readable)."""
    return "|".join(patterns)


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def zh_number(text: str) -> int | None:
    """'3', '十五', '四十五', '一百二十', '两' → int; None when it is not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _en_numbers_to_digits(text: str) -> str:
    tens = "|".join(_EN_TENS)
    units = "|".join(_EN_UNITS)

    def compound(m: re.Match[str]) -> str:
        return str(_EN_TENS[m.group(1)] + (_EN_UNITS[m.group(2)] if m.group(2) else 0))

    text = re.sub(rf"\b({tens})(?:[- ]({units}))?\b", compound, text, flags=re.A)
    return re.sub(rf"\b({units})\b", lambda m: str(_EN_UNITS[m.group(1)]), text, flags=re.A)


SHOT_NOUNS = r"(?:shots?|photos?|pictures?|pics?|images?|clips?|scenes?|slides?|ones?)"
_EN_SEC = r"(?:seconds?|secs?|s)\b"
_EN_MIN = r"(?:minutes?|mins?)\b"


def parse_duration(text: str) -> int | None:
    """The length the text asks for, in ms (not clamped): '30-second', '30s', 'half a minute', '一分钟'."""
    low = text.lower()
    low = re.sub(r"\b(?:a|an|one)\s+minute\s+and\s+a\s+half\b", "90 seconds", low, flags=re.A)
    low = re.sub(r"\bhalf\s*(?:a\s*|-\s*)?minute\b", "30 seconds", low, flags=re.A)
    low = re.sub(r"\b(?:a|an)\s+minute\b", "1 minute", low, flags=re.A)
    low = _en_numbers_to_digits(low)
    low = re.sub(r"\b(\d+)\s+and\s+a\s+half\s+" + _EN_MIN, lambda m: f"{m.group(1)}.5 minutes", low,
                 flags=re.A)
    in_minutes = rf"(\d+(?:\.\d+)?)\s*-?\s*(?:{_EN_MIN}|m(?=\s*\d|\b))"
    m = re.search(in_minutes + rf"(?:\s*(?:and\s*)?(\d+)\s*-?\s*{_EN_SEC})?", low, re.A)
    if m:
        return round(float(m.group(1)) * 60000) + (int(m.group(2)) * 1000 if m.group(2) else 0)
    for m in re.finditer(rf"(?<![\d:.])(\d+(?:\.\d+)?)\s*-?\s*{_EN_SEC}", low, re.A):
        # "move shot 3 second" names a place, not a length
        if not re.search(rf"\b{SHOT_NOUNS}\s*#?\s*$", low[: m.start()], re.A):
            return round(float(m.group(1)) * 1000)
    if "半分钟" in text:
        return 30000
    m = re.search(rf"({ZH_NUM})\s*个?\s*分(?:钟)?\s*(半|({ZH_NUM})\s*秒)?", text)
    if m and (("分钟" in m.group(0)) or m.group(2)):
        whole = zh_number(m.group(1))
        if whole is not None:
            extra = 30000 if m.group(2) == "半" else (zh_number(m.group(3) or "") or 0) * 1000
            return whole * 60000 + extra
    m = re.search(rf"({ZH_NUM})\s*秒", text)
    if m and (value := zh_number(m.group(1))) is not None:
        return value * 1000
    return None


_ASPECT_RULES: list[tuple[str, str]] = [
    (r"\b9\s*[:x/×]\s*16\b", "9:16"),
    (r"\b16\s*[:x/×]\s*9\b", "16:9"),
    (r"\b1\s*[:x/×]\s*1\b", "1:1"),
    (r"\b(?:vertical|vertically|portrait|tik\s?tok|douyin|reels?|(?:youtube|yt)\s+shorts?|"
     r"(?:for|as|on)\s+shorts|shorts\s+(?:video|format)|(?:instagram|ig)\s+stor(?:y|ies)|stories\s+format)\b|竖屏|竖版|竖向|竖的|抖音|快手",
     "9:16"),
    (r"\b(?:square|(?:instagram|ig)\s+(?:post|feed)|instagram|feed\s+post)\b|正方形|方形|方的", "1:1"),
    (r"\b(?:16\s*by\s*9|landscape|horizontal|horizontally|widescreen|wide\s+screen|youtube)\b|横屏|横版|横向|横的|B站",
     "16:9"),
]


def parse_aspect(text: str) -> str | None:
    """'vertical', 'TikTok', '9:16', '竖屏' → '9:16'; 'square' → '1:1'; 'YouTube', '横屏' → '16:9'."""
    low = re.sub(r"\btimes\s+square\b", "", text.lower(), flags=re.A)
    for pattern, aspect in _ASPECT_RULES:
        if re.search(pattern, low, re.A):
            return aspect
    return None


_QUOTES = re.compile(alt("“([^”]+)”", r'"([^"]+)"', "「([^」]+)」", "『([^』]+)』", "‘([^’]+)’",
                         r"(?<![\w'])'([^']+)'(?![\w])"))


def find_quotes(text: str) -> list[tuple[int, int, str]]:
    """Quoted passages as (start, end, inner text), in order: “…”, "…", 「…」, 『…』, ‘…’, '…'."""
    found = []
    for m in _QUOTES.finditer(text):
        inner = next(g for g in m.groups() if g is not None).strip()
        if inner:
            found.append((m.start(), m.end(), inner))
    return found


def mask_quotes(text: str) -> tuple[str, list[str]]:
    """The text with each quote replaced by «qN» (so keywords inside quotes are not obeyed)."""
    quotes = find_quotes(text)
    out, last = [], 0
    for n, (start, end, _inner) in enumerate(quotes):
        out.append(text[last:start] + f"«q{n}»")
        last = end
    out.append(text[last:])
    return "".join(out), [q[2] for q in quotes]


def unmask(text: str, quotes: list[str]) -> str:
    return re.sub(r"«q(\d+)»", lambda m: quotes[int(m.group(1))], text)


MOODS: dict[str, tuple[str, str]] = {
    "upbeat": ("synth://upbeat", "Upbeat"),
    "calm": ("synth://calm", "Calm"),
    "lofi": ("synth://lofi", "Lo-fi"),
}


def parse_mood(text: str) -> str | None:
    low = text.lower()
    if re.search(r"\b(?:upbeat|energetic|energy|happy|happier|fun|exciting|party|dance|lively|livelier"
                 r"|cheerful|pumped)\b"
                 r"|欢快|动感|活力|激昂|热闹|轻快|嗨", low, re.A):
        return "upbeat"
    if re.search(r"\b(?:calm|calmer|calming|relaxing|relaxed|chill|peaceful|soothing|gentle|ambient|quiet"
                 r"|mellow)\b"
                 r"|舒缓|安静|放松|平静|柔和|轻柔", low, re.A):
        return "calm"
    if re.search(r"\blo-?\s?fi\b|低保真", low, re.A):
        return "lofi"
    return None


def parse_corner(text: str) -> str | None:
    low = text.lower()
    m = re.search(r"\b(top|upper|bottom|lower)[\s-]*(left|right)\b", low, re.A)
    if m:
        return ("top" if m.group(1) in ("top", "upper") else "bottom") + "-" + m.group(2)
    corners = {"左上": "top-left", "右上": "top-right", "左下": "bottom-left", "右下": "bottom-right"}
    for zh, corner in corners.items():
        if zh in text:
            return corner
    return None


def ms_to_text(ms: int) -> str:
    """15000 → '15', 12500 → '12.5' (seconds, for replies)."""
    seconds = ms / 1000
    return str(int(seconds)) if seconds == int(seconds) else f"{seconds:.1f}"
