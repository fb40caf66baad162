"""`videobot chat`: the same engine behind a terminal (and the channel scripted tests drive).

    videobot chat [--user NAME] [--out DIR] [--transcript FILE] [--locale LOCALE]

It opens with a two-line banner (what to type, /attach, /help, how to quit). Each standard-input
line is one user message; `/attach PATH [PATH ...]` sends those files as one
message (like an album; a folder stands for the files in it); other `/` lines are the bot's
commands. The next line is read only when the bot has finished its turn, render delivery
included. The bot's messages are printed once, when final, as `bot: <text>`; a delivered video
is copied under `--out` and printed as `video: <path>`.
`--transcript FILE` gets one JSON line per Reply operation
`{"t", "op": send|edit|delete|typing|video|buttons, "id", "text", "path"}`.
End of input: exit 0 once all work is done. SIGTERM: stop cleanly (an unfinished render stays in
Redis; the next run with the same data dir and user delivers it). A fatal error: one line, exit 1.
The terminal channel itself is `adapters.console`; this module wires it onto the runtime.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from pathlib import Path
from typing import IO

from adapters.console import ConsoleReply, FatalError, LineReader, serve
from app.runtime import start_runtime
from app.settings import settings_for
from bot.engine.host import BotHost
from bot.settings import Settings
from common.logs import configure_logging


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="videobot chat", description="Talk to the bot in this terminal.")
    p.add_argument("--user", default=None, help="user id the state is kept under (default: login name)")
    p.add_argument("--out", default="out", type=Path, help="where delivered videos are saved (default ./out)")
    p.add_argument("--transcript", default=None, type=Path, help="write one JSON line per bot operation")
    p.add_argument("--locale", default=None, help="language code, e.g. en or zh-CN (default: $LANG)")
    return p


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "me"


def _env_locale() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in {"C", "POSIX"} and not value.startswith("C."):
            return value.split(".", 1)[0]
    return None


def _append(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("a", encoding="utf-8")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = settings_for("videobot chat")
    if settings is None:
        return 2
    if "VIDEOBOT_LOG_LEVEL" in os.environ:  # asked for: logs on stderr
        configure_logging(settings.log_level, json_lines=settings.log_json)
    else:  # the terminal is the chat: logs (and any traceback) go to a file
        try:
            log_file = _append(settings.data_dir / "logs" / "chat.log")
        except OSError as exc:
            print(f"videobot chat: cannot write logs under {settings.data_dir}: {exc}", file=sys.stderr)
            return 1
        configure_logging("INFO", json_lines=settings.log_json, stream=log_file)
        # the embedded studio's render workers are processes logging to this terminal's stderr:
        # warnings only there, so no INFO worker lines land in the middle of the conversation
        settings = settings.model_copy(update={"log_level": "WARNING"})
    user = args.user or _login_name()
    locale = args.locale or _env_locale()
    try:
        return asyncio.run(_run(settings, user=user, locale=locale, out=args.out, transcript=args.transcript))
    except FatalError as exc:
        print(f"videobot chat: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _run(
    settings: Settings, *, user: str, locale: str | None, out: Path, transcript: Path | None
) -> int:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    stopping = False

    def on_term() -> None:  # the turn in flight stops; its render job stays in Redis
        nonlocal stopping
        stopping = True
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_term)
    log_file = _append(transcript) if transcript else None
    live = sys.stdin.isatty() and sys.stdout.isatty()
    reply = ConsoleReply(out_dir=out, edit_interval=settings.console_edit_interval, stdout=sys.stdout,
                         transcript=log_file, live=live)
    host = BotHost(settings, platform="console", runtime=start_runtime)
    try:
        return await serve(host, reply, LineReader(sys.stdin.fileno()), user=user, locale=locale)
    except asyncio.CancelledError:
        if stopping:
            return 0
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if log_file is not None:
            log_file.close()
