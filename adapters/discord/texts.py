"""Slash-command names, descriptions and option texts (the i18n namespace `discord`), and their
discord.py Translator.

Every command text is an `app_commands.locale_str` whose `key` (and `fields`, for the numbered
image options) point into bot/i18n/discord/; the English text is the default Discord shows,
`CommandTexts` answers the other languages `bot.i18n.language_for` knows (the Chinese locales zh-CN
and zh-TW) when the tree is synced. Names follow Discord's rules: lower case, 1-32 characters, no
spaces (Chinese characters are allowed).

Everything else the user reads comes from the engine (`bot.i18n`).
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import DEFAULT_LANG, DISCORD, language_for


def text(key: str, **fields: object) -> app_commands.locale_str:
    """The English text of `key`, marked for translation."""
    return app_commands.locale_str(DISCORD("en", key, **fields), key=key, fields=fields)


class CommandTexts(app_commands.Translator):
    """Answers the languages other than English from the `discord` strings; English is the default."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = language_for(locale.value)
        key = string.extras.get("key")
        if lang == DEFAULT_LANG or not isinstance(key, str) or key not in DISCORD.table(lang):
            return None
        fields = string.extras.get("fields")
        return DISCORD(lang, key, **(fields if isinstance(fields, dict) else {}))
