"""One terminal conversation on a `BotHost`: the same lifecycle as Telegram and Discord.

`serve(host, ...)` starts the host (the runtime, the resume pass for this user's undelivered
renders, the adoption passes), then hands each input line to the host as one turn and prints the
bot's messages once the turn, render delivery included, is over. End of input: return 0 once all
work is done (the host is closed) — a render of this user that a killed run left behind included:
`BotHost.settle` adopts it as soon as the dead run's lease runs out, and it is delivered once.
A store that cannot be reached, or a runtime that cannot start, is a `FatalError`: one clear
line for the command to print.
"""

from __future__ import annotations

from adapters.console.incoming import to_incoming
from adapters.console.reply import ConsoleReply
from adapters.console.stdin import LineReader
from bot.engine.host import BotHost
from bot.i18n import CONSOLE
from bot.ids import UserKey
from bot.state.store import JobRecord, StoreError
from common.logs import new_request_id


class FatalError(Exception):
    """Stops `videobot chat` with one clear line."""


async def serve(
    host: BotHost, reply: ConsoleReply, lines: LineReader, *, user: str, locale: str | None,
    banner: bool = True,
) -> int:
    """Talk to `host` as `user` until the end of `lines`; 0 when all work is done. `banner`: open
    with two lines on what to type, /attach, /help and how to quit."""
    user_key = UserKey("console", user)

    async def reply_for(job: JobRecord) -> ConsoleReply | None:
        return reply if job.user_key == user_key else None

    try:
        try:
            await host.start(reply_for)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise FatalError(CONSOLE(locale, "fatal.start", error=error)) from None
        try:
            await host.runtime.store.ping()
        except StoreError as exc:
            raise FatalError(CONSOLE(locale, "fatal.redis", error=exc)) from None
        if banner:
            reply.note(CONSOLE(locale, "chat.banner"))
        try:
            await host.wait_resumed()
        finally:
            reply.flush()
        while (line := await lines.readline()) is not None:
            new_request_id()
            try:
                await host.handle(to_incoming(line, user=user, locale=locale), reply)
            finally:
                reply.flush()
        try:  # all work done: a render a killed run left for this user is delivered first
            await host.settle(reply_for, lambda job: job.user_key == user_key)
        finally:
            reply.flush()
        return 0
    finally:
        await host.aclose()
