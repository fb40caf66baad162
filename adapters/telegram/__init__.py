"""The Telegram adapter (python-telegram-bot 22): `build_application(builder, settings)` and `main(argv)`.

    app.py         build_application: handlers, lifecycle (services in post_init), command menu, resume
    handlers.py    update → Incoming (albums, size checks, downloads, /token hygiene, groups)
    incoming.py    pure helpers over PTB messages: media, mentions, commands, file-size rules
    albums.py      one media_group_id → one Incoming, collected through the store across processes
    reply.py       bot.channel.events.Reply on the Bot API; every telegram.error translated in one place
    formatting.py  light Markdown → Telegram HTML
    runtime.py     embedded services, Store, NemoClient, Engine for one process
    run.py         `videobot telegram`: polling or webhook
    texts.py       the few Telegram-only sentences (20 MB limit, token in a group, command menu)
"""

from adapters.telegram.app import build_application
from adapters.telegram.run import main

__all__ = ["build_application", "main"]
