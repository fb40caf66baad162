"""The string tables: every key in both languages, the same placeholders, locale mapping."""

from __future__ import annotations

import string

import pytest

from bot.i18n import count, language_for, session_language, strings, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_english_string_has_a_chinese_one_with_the_same_placeholders() -> None:
    en, zh = strings("en"), strings("zh")
    assert set(en) == set(zh)
    for key in en:
        assert _fields(en[key]) == _fields(zh[key]), key


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
