"""`videobot discord`: run the bot on Discord's gateway until interrupted.

Needs DISCORD_BOT_TOKEN. DISCORD_GUILD_IDS syncs the commands to those servers only (instant, for
development); unset, they are synced globally. DISCORD_SHARDS runs that many shards in this process.
`--message-content` (or DISCORD_MESSAGE_CONTENT=1) asks for the privileged message-content intent,
which must then be enabled in the Developer Portal; mentions and DMs work without it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

import discord

from adapters.discord.client import build_bot
from bot.settings import ConfigError, Settings, load_settings
from common.logs import configure_logging, redact

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}
TOKEN_LOGGERS = ("discord.webhook", "discord.gateway", "discord.http")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="videobot discord",
        description=(
            "Run the Discord bot. Needs DISCORD_BOT_TOKEN; DISCORD_GUILD_IDS syncs the slash commands "
            "to those servers only (instant), else globally; DISCORD_SHARDS runs that many shards."
        ),
    )
    p.add_argument(
        "--message-content",
        action="store_true",
        help="request the privileged message-content intent (enable it in the Developer Portal first)",
    )
    return p


def check_settings(settings: Settings) -> str | None:
    """One line saying what is missing, or None."""
    token = settings.discord_bot_token
    if token is None or not token.get_secret_value().strip():
        return "DISCORD_BOT_TOKEN is not set (Developer Portal → your application → Bot → Reset Token)"
    return None


def wants_message_content(settings: Settings, flag: bool) -> bool:
    """`--message-content`, else the DISCORD_MESSAGE_CONTENT setting (environment or `.env`)."""
    return flag or settings.discord_message_content


def quiet_token_loggers(level: str) -> None:
    """discord.py's DEBUG lines carry interaction tokens (webhook URLs, raw gateway events): never
    below INFO for those loggers, whatever VIDEOBOT_LOG_LEVEL says."""
    floor = max(logging.INFO, logging.getLevelName(level))
    for name in TOKEN_LOGGERS:
        logging.getLogger(name).setLevel(floor)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv if argv is not None else sys.argv[1:])
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"videobot discord: {exc}", file=sys.stderr)
        return 2
    problem = check_settings(settings)
    if problem:
        print(f"videobot discord: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json_lines=settings.log_json)
    quiet_token_loggers(settings.log_level)
    assert settings.discord_bot_token is not None
    bot = build_bot(settings, message_content=wants_message_content(settings, args.message_content))
    try:
        asyncio.run(serve(bot, settings.discord_bot_token.get_secret_value()))
    except KeyboardInterrupt:
        pass
    except discord.LoginFailure:
        print("videobot discord: Discord refused DISCORD_BOT_TOKEN (reset it in the Developer Portal)",
              file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "videobot discord: the Message Content intent is not enabled for this application "
            "(Developer Portal → Bot → Privileged Gateway Intents), or run without --message-content",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # one clear line, never a traceback on the console
        log.debug("discord bot stopped", exc_info=True)
        print(f"videobot discord: stopped: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
        return 1
    return 0


async def serve(bot: discord.Client, token: str) -> None:
    """Run until closed; SIGTERM (docker stop) closes the bot like Ctrl-C: turns in flight are
    stopped first, their renders stay in Redis for the next start."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # not on Windows
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)
