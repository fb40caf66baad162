"""The director's vocabulary, loaded from `lexicon/en.toml` and `lexicon/zh.toml` (data, not code).

Both files have the same tables; both are always loaded, so a Chinese message with an English word
("做一个TikTok视频") or the other way round is understood whatever the reply language is. Every
phrase becomes a `Meaning` (`cat`, `key`): `("color", "#ffffff")` for "white" and "白色",
`("target", "title")` for "title" and "标题", `("platform", "xiaohongshu")` for "小红书", ... A
phrase listed in several tables has several meanings; the grammar (`understand.py`) picks the one
that fits.

Phrases are stored as tuples of *units* (`units.units_of`): a Latin word or number is one unit, a
Chinese character is one unit. Matching (`tokens.match_phrases`) walks the message's units, so
"lo-fi", "lo fi" and "低保真" are all looked up the same way.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from studio.director.units import is_cjk, join_texts, units_of

LEXICON_DIR = Path(__file__).with_name("lexicon")
LANGUAGES = ("en", "zh")

# tables whose keys are meanings and whose values are phrase lists
_TABLES = (
    "intent",
    "verb",
    "content",
    "target",
    "aspect",
    "mood",
    "color",
    "position",
    "font",
    "size",
    "emphasis",
    "anim",
    "style",
    "transition",
    "transition_word",
    "pace",
    "volume",
    "relative",
    "dest",
    "rel",
    "units",
    "unsupported",
    "voice",
    "color_set",
)
# tables that are one plain list of phrases: (table, list key, meaning cat)
_LISTS = (
    ("to", "words", "to"),
    ("conj", "words", "conj"),
    ("offer", "words", "offer"),
    ("cta", "phrases", "cta"),
    ("filler", "words", "filler"),
    ("question", "starts", "question"),
    ("question", "polite", "polite"),
    ("generic", "words", "generic"),
    ("about", "words", "about"),
    ("currency", "symbols", "currency"),
    ("currency", "words", "currency_word"),
    ("names", "words", "name"),
    ("price_now", "words", "price_now"),
    ("dislike", "words", "dislike"),
)


@dataclass(frozen=True)
class Meaning:
    cat: str
    key: str


@dataclass
class Business:
    """A kind of business: the words that name it, and its call to action per language."""

    kind: str
    cta: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Lexicon:
    phrases: dict[tuple[str, ...], list[Meaning]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    ordinals: dict[tuple[str, ...], int] = field(default_factory=dict)
    platforms: dict[str, str] = field(default_factory=dict)  # platform -> aspect
    businesses: dict[str, Business] = field(default_factory=dict)
    cta_phrases: dict[tuple[str, ...], str] = field(default_factory=dict)  # units -> the phrase as written
    question_ends: set[str] = field(default_factory=set)
    question_words: set[str] = field(default_factory=set)  # 什么, 多少: a question when they end it
    typo_targets: set[str] = field(default_factory=set)  # Latin words a one-letter typo is corrected to
    typo_keep: set[str] = field(default_factory=set)  # real words never corrected
    words: set[str] = field(default_factory=set)  # every unit of every phrase (what is not a typo)
    longest: int = 1
    by_first: dict[str, list[tuple[tuple[str, ...], list[Meaning]]]] = field(default_factory=dict)
    traditional: dict[int, str] = field(default_factory=dict)  # str.translate table: 個 → 个
    weak_business: set[str] = field(default_factory=set)  # "shop", 店: a kind only when nothing closer
    suffixes: set[str] = field(default_factory=set)  # 店, 馆, 工作室: split off an unknown Chinese word
    font_of_style: dict[str, str] = field(default_factory=dict)  # playful → rounded ("a cute font")
    kind_suffixes: dict[str, str] = field(default_factory=dict)  # 课 → classes: "钢琴课", "驾校"

    def add(self, phrase: str, meaning: Meaning) -> None:
        units = tuple(units_of(phrase))
        if not units:
            return
        found = self.phrases.setdefault(units, [])
        if meaning not in found:
            found.append(meaning)
        self.words.update(units)

    def finish(self) -> None:
        by_first: dict[str, list[tuple[tuple[str, ...], list[Meaning]]]] = {}
        for units, meanings in self.phrases.items():
            by_first.setdefault(units[0], []).append((units, meanings))
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.by_first = by_first
        self.longest = max((len(u) for u in self.phrases), default=1)

    def meanings(self, phrase: str) -> list[Meaning]:
        return self.phrases.get(tuple(units_of(phrase)), [])

    def cjk_words(self) -> list[str]:
        """Every Chinese phrase (for the segmenter's dictionary, so it keeps them whole)."""
        out = []
        for units in self.phrases:
            if len(units) > 1 and all(len(u) == 1 and is_cjk(u) for u in units):
                out.append("".join(units))
        return out


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


def _traditional(used: set[str]) -> dict[int, str]:
    """`lexicon/traditional.txt` as a translate table, without characters the lexicon itself uses."""
    table: dict[int, str] = {}
    for line in (LEXICON_DIR / "traditional.txt").read_text(encoding="utf-8").splitlines():
        if len(line) == 2 and not line.startswith("#") and line[0] not in used:
            table[ord(line[0])] = line[1]
    return table


def simplified(text: str) -> str:
    """The text with traditional characters read as simplified ones, character for character (the
    length and every offset stay the same): 幫我做一個影片 → 帮我做一个影片."""
    return text.translate(lexicon().traditional)


def _read(language: str) -> dict[str, Any]:
    with (LEXICON_DIR / f"{language}.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def raw(language: str) -> dict[str, Any]:
    """One language's tables as written (replies and copy read their own language's CTA lists)."""
    return _read(language)


@cache
def lexicon() -> Lexicon:
    """Both languages' vocabulary, merged (loaded once per process)."""
    lex = Lexicon()
    for language in LANGUAGES:
        data = raw(language)
        for table in _TABLES:
            for key, phrases in (data.get(table) or {}).items():
                meaning = Meaning("neg", "neg") if (table, key) == ("verb", "neg") else Meaning(table, key)
                for phrase in phrases:
                    lex.add(phrase, meaning)
        for table, list_key, cat in _LISTS:
            for phrase in (data.get(table) or {}).get(list_key, []):
                lex.add(phrase, Meaning(cat, phrase))
        for name, spec in (data.get("platform") or {}).items():
            lex.platforms[name] = spec["aspect"]
            for phrase in spec["words"]:
                lex.add(phrase, Meaning("platform", name))
        for kind, spec in (data.get("business") or {}).items():
            business = lex.businesses.setdefault(kind, Business(kind))
            business.cta[language] = list(spec.get("cta", []))
            for phrase in [*spec["words"], *spec.get("weak", [])]:
                lex.add(phrase, Meaning("business", kind))
            lex.weak_business.update(join_texts(units_of(w)) for w in spec.get("weak", []))
            for suffix in spec.get("suffixes", []):
                lex.kind_suffixes[suffix] = kind
        for word, value in (data.get("numbers") or {}).items():
            lex.numbers[normalize(word)] = int(value)
        for phrase, value in (data.get("ordinals") or {}).items():
            lex.ordinals[tuple(units_of(phrase))] = int(value)
            lex.add(phrase, Meaning("ordinal", str(value)))
        for phrase in (data.get("cta") or {}).get("phrases", []):
            lex.cta_phrases[tuple(units_of(phrase))] = phrase
        lex.question_ends.update((data.get("question") or {}).get("ends", []))
        lex.question_words.update((data.get("question") or {}).get("words", []))
        lex.suffixes.update((data.get("suffix") or {}).get("words", []))
        lex.font_of_style.update(data.get("font_of_style") or {})
        lex.typo_targets.update(normalize(w) for w in (data.get("typo") or {}).get("words", []))
        lex.typo_keep.update(normalize(w) for w in (data.get("typo") or {}).get("keep", []))
    lex.finish()
    lex.traditional = _traditional({ch for units in lex.phrases for u in units for ch in u if is_cjk(ch)})
    return lex


def business_cta(kind: str, language: str) -> str | None:
    business = lexicon().businesses.get(kind)
    if business is None:
        return None
    ctas = business.cta.get(language) or []
    return ctas[0] if ctas else None
