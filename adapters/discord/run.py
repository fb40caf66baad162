"""How `videobot discord` runs the bot on Discord's gateway until interrupted (the command
itself is `app.discord_bot`).

Needs DISCORD_BOT_TOKEN. DISCORD_GUILD_IDS syncs the commands to those servers only (instant, for
development); unset, they are synced globally. DISCORD_SHARDS runs that many shards in this process.
`--message-content` (or DISCORD_MESSAGE_CONTENT=1) asks for the privileged message-content intent,
which must then be enabled in the Developer Portal; mentions and DMs work without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import discord

from bot.settings import Settings

log = logging.getLogger(__name__)

TOKEN_LOGGERS = ("discord.webhook", "discord.gateway", "discord.http")


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


async def serve(bot: discord.Client, token: str) -> None:
    """Run until closed; SIGTERM (docker stop) closes the bot like Ctrl-C: turns in flight are
    stopped first, their renders stay in Redis for the next start."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # not on Windows
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)
