"""The `videobot` command: one subcommand per process kind, each implemented in its own module.

    videobot chat           the terminal channel            app.chat:main
    videobot demo           scripted demo, all embedded      app.demo:main
    videobot studio         the self-hosted backend          studio.server:main
    videobot studio-worker  a render worker                  studio.jobs.worker:main
    videobot telegram       the Telegram bot                 app.telegram_bot:main
    videobot discord        the Discord bot                  app.discord_bot:main
    videobot doctor         checks settings and services     app.doctor:main

Each target is `main(argv: list[str]) -> int`; it is imported only when its subcommand runs, so a
missing optional piece never breaks the others.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from bot import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "chat": ("app.chat", "talk to the bot in this terminal"),
    "demo": ("app.demo", "play a scripted conversation that ends with an MP4 under ./out"),
    "studio": ("studio.server", "run the self-hosted NemoVideo-compatible backend"),
    "studio-worker": ("studio.jobs.worker", "run a render worker for the studio"),
    "telegram": ("app.telegram_bot", "run the Telegram bot"),
    "discord": ("app.discord_bot", "run the Discord bot"),
    "doctor": ("app.doctor", "check settings, Redis, the backend, ffmpeg and fonts"),
}


def _usage() -> str:
    lines = [f"videobot {__version__}", "", "usage: videobot COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<14} {desc}" for name, (_, desc) in COMMANDS.items()]
    lines += ["", "Run 'videobot COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    if args[0] in {"-V", "--version"}:
        print(__version__)
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"videobot: unknown command {name!r}; run 'videobot --help'.", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    entry: Callable[[list[str]], int] = module.main
    return int(entry(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
