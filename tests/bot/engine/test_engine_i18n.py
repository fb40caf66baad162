"""The string tables: every key in both languages, the same placeholders, locale mapping."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

import bot.i18n
from bot.i18n import NAMESPACES, Strings, count, joined, language_for, session_language, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("strings", NAMESPACES, ids=lambda s: s.namespace)
def test_every_english_string_has_a_chinese_one_with_the_same_placeholders(strings: Strings) -> None:
    en, zh = strings.table("en"), strings.table("zh")
    assert en and set(en) == set(zh)
    for key in en:
        assert _fields(en[key]) == _fields(zh[key]), key


def test_the_namespaces_are_the_folders_next_to_the_module() -> None:
    here = Path(bot.i18n.__file__).parent
    folders = {p.name for p in here.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {s.namespace for s in NAMESPACES}
    assert folders == {"engine", "timeline", "telegram", "discord", "console"}


def test_lists_are_joined_the_way_each_language_writes_them() -> None:
    assert joined("en", ["a", "b"]) == "a, b" and joined("zh-CN", ["a", "b"]) == "a、b"


@pytest.mark.parametrize(
    ("locale", "lang"),
    [(None, "en"), ("", "en"), ("en", "en"), ("en-US", "en"), ("de", "en"), ("zh", "zh"),
     ("zh-CN", "zh"), ("zh-hans", "zh"), ("zh_TW.UTF-8", "zh"), ("ZH-hant", "zh")],
)
def test_locale_picks_english_or_chinese(locale: str | None, lang: str) -> None:
    assert language_for(locale) == lang


def test_session_language_is_the_backend_code() -> None:
    assert session_language("zh") == "zh-CN"
    assert session_language("en") == "en"
    assert session_language("fr") == "en"


def test_counts_read_naturally_in_both_languages() -> None:
    assert count("en", "photo", 1) == "1 photo"
    assert count("en", "photo", 3) == "3 photos"
    assert count("zh", "photo", 3) == "3 张照片"


def test_unknown_language_falls_back_to_english() -> None:
    assert t("xx", "queued") == t("en", "queued")
    assert "30-second" in t("en", "greeting")
    assert "30 秒" in t("zh", "greeting")
