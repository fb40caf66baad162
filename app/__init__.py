"""The composition root: the only package that wires the others together.

    cli.py           `videobot COMMAND`: each subcommand's module imported only when it runs
    runtime.py       start_runtime: embedded services, Store, NemoClient, Engine, metrics (the
                     RuntimeFactory every BotHost uses; also the `videobot.runtime` entry point)
    embedded.py      one-machine mode: the embedded Redis and the in-process studio
    telegram_bot.py, discord_bot.py, chat.py   the bot commands: settings, logging, signals, run
    demo.py          `videobot demo`     doctor.py  `videobot doctor`     samples.py  demo photos
    settings.py      every variable of a deployment (bot + studio), what the bot commands share
"""
