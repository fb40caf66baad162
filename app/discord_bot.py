"""`videobot discord`: the Discord bot, wired onto the composition root's runtime.

    videobot discord [--message-content]

Needs DISCORD_BOT_TOKEN. DISCORD_GUILD_IDS syncs the slash commands to those servers only
(instant), else globally; DISCORD_SHARDS runs that many shards in this process. SIGTERM (docker
stop) closes the bot like Ctrl-C: the turns in flight are stopped first, their renders stay in Redis
for the next start. See docs/discord.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import discord

from adapters.discord.client import build_bot
from adapters.discord.run import check_settings, quiet_token_loggers, serve, wants_message_content
from app.runtime import start_runtime
from app.settings import settings_for, switches
from common.redact import redact

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    return switches(
        "videobot discord",
        "Run the Discord bot. Needs DISCORD_BOT_TOKEN; DISCORD_GUILD_IDS syncs the slash commands to "
        "those servers only (instant), else globally; DISCORD_SHARDS runs that many shards.",
        message_content="request the privileged message-content intent (enable it in the Developer "
        "Portal first)",
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv if argv is not None else sys.argv[1:])
    settings = settings_for("videobot discord", check_settings, logs=True)
    if settings is None:
        return 2
    quiet_token_loggers(settings.log_level)
    assert settings.discord_bot_token is not None
    content = wants_message_content(settings, args.message_content)
    bot = build_bot(settings, message_content=content, runtime=start_runtime)
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
