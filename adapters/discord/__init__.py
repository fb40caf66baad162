"""The Discord adapter (discord.py 2.7): `build_bot(settings)` and `main(argv)`.

    client.py     build_bot: VideoBot / ShardedVideoBot, setup_hook (services, persistent view,
                  command sync, resume), close
    commands.py   the slash commands on an app_commands.CommandTree; guild or global sync
    texts.py      command names and descriptions in English and Chinese (a discord.py Translator)
    handlers.py   interaction / message → defer → size checks, downloads → Incoming → engine
    incoming.py   attachments: size refusal, download to a temp dir, mentions stripped
    reply.py      bot.channel.events.Reply on Discord: interaction token first, then the channel
    channel.py    plain channel messages, the user's DMs when the channel refuses us
    errors.py     every discord.py error translated in one place; one more try for a new message
    views.py      the persistent quick-action buttons (fixed custom ids)
    runtime.py    embedded services, Store, NemoClient, Engine for one process
    run.py        `videobot discord`

The package is not called `discord` so that `import discord` is always the library.
"""

from adapters.discord.client import build_bot
from adapters.discord.run import main

__all__ = ["build_bot", "main"]
