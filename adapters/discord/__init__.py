"""The Discord adapter (discord.py 2.7): `build_bot(settings)`.

    client.py     build_bot: VideoBot / ShardedVideoBot around a BotHost; setup_hook (host start,
                  persistent view, command sync), close, the Reply for a resumed render's channel
    commands.py   the slash commands on an app_commands.CommandTree; guild or global sync
    texts.py      command texts (i18n namespace `discord`) and their discord.py Translator
    handlers.py   interaction / message → defer → size checks, downloads → Incoming → host
    incoming.py   attachments: size refusal, download to a temp dir, mentions stripped
    reply.py      bot.channel.events.Reply on Discord: interaction token first, then the channel
    channel.py    plain channel messages, the user's DMs when the channel refuses us
    errors.py     every discord.py error translated in one place; one more try for a new message
    views.py      the persistent quick-action buttons (fixed custom ids)
    run.py        how `videobot discord` runs (the command itself: app.discord_bot)

Inside this package `import discord` is the library: imports are absolute.
"""

from adapters.discord.client import build_bot

__all__ = ["build_bot"]
