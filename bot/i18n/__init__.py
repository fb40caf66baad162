"""Every user-facing string, per language: `t(lang, key, **kw)` and `language_for(locale)`.

The strings live in data files next to this module (`en.json`, `zh.json`); adding a language is
adding a file and a line in `language_for`. A key missing in a language falls back to English; a
key missing everywhere is a programming error (KeyError), caught by the test that compares the
files. Placeholders use `str.format` names (`{url}`, `{n}`).
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


@cache
def strings(lang: str) -> dict[str, str]:
    """The table of one language (read once)."""
    path = _DIR / f"{lang}.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def language_for(locale: str | None) -> Lang:
    """The bot's language for a platform locale: "zh", "zh-CN", "zh_TW.UTF-8", "zh-hans" → zh; else en."""
    if not locale:
        return DEFAULT_LANG
    code = locale.strip().lower().replace("_", "-")
    if code == "zh" or code.startswith("zh-"):
        return "zh"
    return DEFAULT_LANG


def normalize(lang: str | None) -> Lang:
    """A stored language value ("zh", "zh-CN", "en", …) turned back into one we have."""
    return language_for(lang)


def session_language(lang: str | None) -> str:
    """The language code the backend's session wants (`en`, `zh-CN`)."""
    return "zh-CN" if normalize(lang) == "zh" else "en"


def t(lang: str | None, key: str, **kw: object) -> str:
    """The string `key` in `lang` (English when missing there), formatted with `kw`."""
    table = strings(normalize(lang))
    template = table.get(key)
    if template is None:
        template = strings(DEFAULT_LANG)[key]
    if not kw:
        return template
    try:
        return template.format(**kw)
    except (KeyError, IndexError, ValueError):
        log.warning("i18n: bad placeholders for %s/%s", lang, key)
        return template


def count(lang: str | None, noun: str, n: int) -> str:
    """"1 photo" / "3 photos" / "3 张照片": keys `count.<noun>.one` and `count.<noun>.other`."""
    form = "one" if n == 1 else "other"
    return t(lang, f"count.{noun}.{form}", n=n)
