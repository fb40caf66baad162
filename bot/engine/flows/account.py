"""First contact and the account commands: greeting, /new, /token, and the short answers
(empty message, unknown command) that need no backend at all."""

from __future__ import annotations

import logging

from bot.backend.errors import TokenInvalid
from bot.engine.flows.context import Turn

log = logging.getLogger(__name__)


async def setup(turn: Turn) -> bool:
    """Make sure the user has a token and a session; True on first contact.

    On first contact a "Setting things up…" status goes out first; the next answer (normally
    the greeting) replaces it.
    """
    rec = await turn.store.users.get(turn.user_key)
    first = rec.session_id is None
    if first:
        turn.status_ref = await turn.reply.send_text(turn.t("setup.status"))
    created = await turn.nemo.ensure_ready()
    if created and not first:
        log.info("token or session of %s renewed on the way in", turn.user_key)
    return first


async def greet(turn: Turn) -> None:
    """What the bot does and a few "Try saying" examples (/start, first contact)."""
    await turn.say("greeting", buttons=turn.quick_buttons())


_PLATFORM_HELP = {"telegram": "help.telegram", "discord": "help.discord", "console": "help.console"}


async def help_text(turn: Turn) -> None:
    """`/help`: the greeting's examples, then every command with what it does, and what this
    channel adds (Discord's /video and /upload, the terminal's /attach and how to quit)."""
    greeting = turn.t("greeting").rsplit("\n\n", 1)[0]  # without its short "Commands:" line
    parts = [greeting, turn.t("help.commands")]
    extra = _PLATFORM_HELP.get(turn.user_key.platform)
    if extra:
        parts.append(turn.t(extra))
    await turn.send("\n\n".join(parts), buttons=turn.quick_buttons())


async def new_project(turn: Turn) -> None:
    await turn.nemo.new_session()
    turn.nemo.session_renewed = False  # asked for: no "your project expired" notice
    await turn.say("new.done")


async def set_token(turn: Turn, value: str) -> None:
    """`/token <value>`: the user's own token, stored encrypted; never echoed."""
    value = value.strip()
    if not value:
        await turn.say("token.help")
        return
    try:
        await turn.nemo.set_own_token(value)
    except TokenInvalid:
        await turn.say("token.refused")
        return
    await turn.say("token.saved")


async def empty(turn: Turn) -> None:
    await turn.say("empty")


async def unknown_command(turn: Turn, text: str) -> None:
    command = (text.split() or ["/"])[0].split("@", 1)[0][:32]
    await turn.say("unknown_command", command=command, commands=turn.t("commands"))
