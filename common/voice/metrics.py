"""Word and character error rates, to judge narration with Whisper-base (English WER, Mandarin CER)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .timings import is_cjk
from .whisper import to_simplified

_NUMBERS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
}


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def en_words(text: str) -> list[str]:
    """Lower-case words without punctuation; hyphens split; spelled-out small numbers as digits."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("-", " ")
    text = re.sub(r"(\d),(\d)", r"\1\2", text)
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)
    return [_NUMBERS.get(w, w) for w in words]


_ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """Chinese numerals for 0..99999 (as read: 7 -> 七, 20 -> 二十, 105 -> 一百零五)."""
    if n < 10:
        return _ZH_DIGITS[n]
    out = ""
    zero = False
    for value, unit in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += ("" if (value == 10 and d == 1 and not out) else _ZH_DIGITS[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def zh_chars(text: str) -> list[str]:
    """Simplified CJK characters only (Arabic numbers read out; punctuation, spaces and Latin dropped)."""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text = re.sub(r"\d{1,5}", lambda m: zh_number(int(m.group(0))), text)
    return [c for c in text if is_cjk(c)]


def wer(reference: str, hypothesis: str) -> float:
    ref = en_words(reference)
    return edit_distance(ref, en_words(hypothesis)) / max(1, len(ref))


def cer(reference: str, hypothesis: str) -> float:
    ref = zh_chars(reference)
    return edit_distance(ref, zh_chars(hypothesis)) / max(1, len(ref))


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    """WER for English, CER for Chinese."""
    return cer(reference, hypothesis) if language == "zh" else wer(reference, hypothesis)
