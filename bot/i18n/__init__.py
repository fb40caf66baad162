"""Every user-facing string, per namespace and language, and the one rule that picks the language.

    bot/i18n/<namespace>/<lang>.json     engine    what the conversation says (the default)
                                         timeline  the words of the timeline summary and change lines
                                         telegram  Telegram-only sentences and the command menu
                                         discord   slash-command names, descriptions, options
                                         console   the terminal's own lines (start-up failures, the demo)

    t(lang, key, **kw)                   an engine string, formatted (`{url}`, `{n}` placeholders)
    TELEGRAM(lang, key, **kw)            a string of another namespace (`Strings` objects below)
    language_for(locale)                 the one language rule: "zh", "zh-CN", "zh_TW.UTF-8",
                                         "zh-hans" → "zh"; anything else → "en"

Adding a language is adding a file per namespace (and a line in `language_for`). A key missing in a
language falls back to English; a key missing everywhere is a programming error (KeyError), caught by
the test that compares the files.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

Lang = Literal["en", "zh"]
LANGUAGES: tuple[Lang, ...] = ("en", "zh")
DEFAULT_LANG: Lang = "en"

_DIR = Path(__file__).parent


def language_for(locale: str | None) -> Lang:
    """The bot's language for a platform locale or a stored language value: "zh", "zh-CN",
    "zh_TW.UTF-8", "zh-hans", "ZH-hant" → zh; anything else (or nothing) → en."""
    if not locale:
        return DEFAULT_LANG
    code = locale.strip().lower().replace("_", "-")
    if code == "zh" or code.startswith("zh-"):
        return "zh"
    return DEFAULT_LANG


def session_language(lang: str | None) -> str:
    """The language code the backend's session wants (`en`, `zh-CN`)."""
    return "zh-CN" if language_for(lang) == "zh" else "en"


@cache
def _table(namespace: str, lang: str) -> dict[str, str]:
    path = _DIR / namespace / f"{lang}.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


class Strings:
    """The strings of one namespace: `strings(lang, key, **kw)`."""

    def __init__(self, namespace: str) -> None:
        if not (_DIR / namespace).is_dir():
            raise ValueError(f"no string namespace {namespace!r} under {_DIR}")
        self.namespace = namespace

    def table(self, lang: Lang) -> dict[str, str]:
        """Every string of one language (read once)."""
        return _table(self.namespace, lang)

    def __call__(self, lang: str | None, key: str, **kw: object) -> str:
        """The string `key` in `lang` (English when missing there), formatted with `kw`."""
        template = self.table(language_for(lang)).get(key)
        if template is None:
            template = self.table(DEFAULT_LANG)[key]
        if not kw:
            return template
        try:
            return template.format(**kw)
        except (KeyError, IndexError, ValueError):
            log.warning("i18n: bad placeholders for %s/%s/%s", self.namespace, lang, key)
            return template

    def __repr__(self) -> str:
        return f"Strings({self.namespace!r})"


ENGINE = Strings("engine")
TIMELINE = Strings("timeline")
TELEGRAM = Strings("telegram")
DISCORD = Strings("discord")
CONSOLE = Strings("console")
NAMESPACES: tuple[Strings, ...] = (ENGINE, TIMELINE, TELEGRAM, DISCORD, CONSOLE)


def t(lang: str | None, key: str, **kw: object) -> str:
    """The engine's string `key` in `lang` (English when missing there), formatted with `kw`."""
    return ENGINE(lang, key, **kw)


def count(lang: str | None, noun: str, n: int) -> str:
    """"1 photo" / "3 photos" / "3 张照片": keys `count.<noun>.one` and `count.<noun>.other`."""
    form = "one" if n == 1 else "other"
    return t(lang, f"count.{noun}.{form}", n=n)


def joined(lang: str | None, items: list[str]) -> str:
    """"a, b, c" ("a、b、c" in Chinese)."""
    return t(lang, "list.sep").join(items)
