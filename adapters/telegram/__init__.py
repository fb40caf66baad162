"""The Telegram adapter (python-telegram-bot 22): `build_application(builder, settings)`.

    app.py         build_application: handlers, PTB's lifecycle hooks around the BotHost, command
                   menu, the Reply for a resumed render's chat
    handlers.py    update → Incoming (albums, size checks, downloads, /token hygiene, groups)
    incoming.py    pure helpers over PTB messages: media, mentions, commands, file-size rules
    albums.py      one media_group_id → one Incoming, collected through the store across processes
    reply.py       bot.channel.events.Reply on the Bot API; every telegram.error translated in one place
    formatting.py  light Markdown → Telegram HTML
    run.py         how `videobot telegram` serves: polling or webhook (the command: app.telegram_bot)

Its few Telegram-only sentences (the 20 MB limit, a token in a group, the command menu) are the
i18n namespace `telegram` (bot/i18n/telegram/).
"""

from adapters.telegram.app import build_application

__all__ = ["build_application"]
