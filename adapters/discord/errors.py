"""Every discord.py exception translated in one place, and the one retry a new message gets.

    RateLimited, HTTP 429                  → RetryLater(retry_after)
    401, 10015, 50027 (token gone),
    10008 Unknown Message, 50005, 10003    → MessageGone on edits and deletes
    anything else                          → DeliveryError

`send_once_more` sends a new message a second time after a 5xx or a 429 (the request was not
carried out): discord.py retries 5xx itself, but its last answer may still be one.
Exception texts carry Discord's status, code and message only, never a token or a URL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

import discord

from bot.channel.errors import DeliveryError, MessageGone, RetryLater

log = logging.getLogger(__name__)

Operation = Literal["send", "edit", "delete"]

MAX_SEND_WAIT = 30.0  # seconds: the longest 429 wait before a send is tried once more
_TOKEN_GONE = frozenset({10015, 50027})  # Unknown Webhook, Invalid Webhook Token
_MESSAGE_GONE = frozenset({10008, 10003, 50005})  # Unknown Message, Unknown Channel, not our message


def token_gone(exc: BaseException) -> bool:
    """Discord says the interaction token can no longer be used."""
    return isinstance(exc, discord.HTTPException) and (exc.status == 401 or exc.code in _TOKEN_GONE)


def server_error(exc: BaseException) -> bool:
    return isinstance(exc, discord.HTTPException) and exc.status >= 500


def _describe(exc: discord.HTTPException) -> str:
    return f"{exc.status} (code {exc.code}): {exc.text[:200]}"


def translate_error(exc: discord.DiscordException, op: Operation) -> DeliveryError:
    """The one mapping from discord.py's exceptions to the conditions `bot.channel.streaming` understands."""
    if isinstance(exc, discord.RateLimited):
        return RetryLater(exc.retry_after)
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
            try:
                return RetryLater(float(retry) if retry else 1.0)
            except ValueError:
                return RetryLater(1.0)
        if op != "send" and (token_gone(exc) or exc.code in _MESSAGE_GONE):
            return MessageGone(_describe(exc))
        return DeliveryError(f"Discord refused the {op}: {_describe(exc)}")
    return DeliveryError(f"Discord refused the {op}: {type(exc).__name__}")


async def send_once_more[T](call: Callable[[], Awaitable[T]], *, delay: float) -> T:
    """`call()`, and after a 5xx (wait `delay`) or a 429 (wait what Discord says) once more."""
    try:
        return await call()
    except discord.HTTPException as exc:
        if server_error(exc):
            wait = delay
        elif exc.status == 429:
            err = translate_error(exc, "send")
            wait = min(err.seconds if isinstance(err, RetryLater) else 1.0, MAX_SEND_WAIT)
        else:
            raise
        log.warning("Discord answered %s; sending once more in %.1fs", exc.status, wait)
    await asyncio.sleep(wait)
    return await call()
