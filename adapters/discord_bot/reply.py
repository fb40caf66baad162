"""`bot.events.Reply` on Discord: an interaction while its token lives, the channel after that.

Where a message goes:

    deferred interaction, nothing shown yet   edit_original_response (replaces "thinking…")
    interaction token alive                    followup.send
    token expired (15 min after the           channel.send (then the user's DMs when the
    interaction), or Discord answers           channel refuses us, e.g. a user-installed app
    401 / 10015 Unknown Webhook /              in a server the bot is not in)
    50027 Invalid Webhook Token
    no interaction (mentions, DMs, resume)     channel.send

A message keeps its route for edits and deletes: an interaction message whose token has died
is reported as `MessageGone`, and `bot.streaming` sends the current text anew (to the channel).
Every discord.py exception is translated in one place, `translate_error`:

    RateLimited, HTTP 429                  → RetryLater(retry_after)
    401, 10015, 50027 (token gone),
    10008 Unknown Message, 50005, 10003    → MessageGone on edits, DeliveryError on sends
    5xx                                    → retried once after `retry_delay`, then DeliveryError
    anything else                          → DeliveryError

Mentions are never pinged (`AllowedMentions.none()`): the engine may echo what users typed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import discord

from adapters.discord_bot.views import ActionHandler, release, view_for
from bot.events import (
    Activity,
    Button,
    ChannelLimits,
    DeliveryError,
    MessageGone,
    MessageRef,
    RetryLater,
    VideoFile,
)

log = logging.getLogger(__name__)

MAX_TEXT = 2000
TOKEN_LIFETIME = dt.timedelta(minutes=15) - dt.timedelta(seconds=30)  # a margin for a slow upload
SERVER_ERROR_RETRY_DELAY = 1.0  # seconds; discord.py waits 1 s before its own first 5xx retry
TYPING_REFRESH = dt.timedelta(seconds=8)  # "typing…" shows for 10 s on Discord
_TOKEN_GONE = frozenset({10015, 50027})  # Unknown Webhook, Invalid Webhook Token
_MESSAGE_GONE = frozenset({10008, 10003, 50005})  # Unknown Message, Unknown Channel, not our message
NO_MENTIONS = discord.AllowedMentions.none()

Operation = Literal["send", "edit", "delete"]
Route = Literal["original", "followup", "channel"]
T = TypeVar("T")


def token_gone(exc: BaseException) -> bool:
    """Discord says the interaction token can no longer be used."""
    return isinstance(exc, discord.HTTPException) and (exc.status == 401 or exc.code in _TOKEN_GONE)


def _describe(exc: discord.HTTPException) -> str:
    return f"{exc.status} (code {exc.code}): {exc.text[:200]}"


def translate_error(exc: discord.DiscordException, op: Operation) -> DeliveryError:
    """The one mapping from discord.py's exceptions to the conditions `bot.streaming` understands."""
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


def limits_for(
    edit_interval: float,
    *,
    interaction: discord.Interaction | None = None,
    guild: discord.Guild | None = None,
) -> ChannelLimits:
    """2000 characters; the upload limit of the interaction, else the guild's, else 10 MiB."""
    if interaction is not None:
        max_video = interaction.filesize_limit
    elif guild is not None:
        max_video = guild.filesize_limit
    else:
        max_video = discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
    return ChannelLimits(
        max_text=MAX_TEXT,
        max_caption=MAX_TEXT,
        edit_interval=edit_interval,
        max_video_bytes=max_video,
        supports_buttons=True,
        supports_edit=True,
    )


class DiscordReply:
    """What the engine can do in one Discord conversation (an interaction and/or a channel)."""

    def __init__(
        self,
        *,
        limits: ChannelLimits,
        channel: discord.abc.Messageable | None = None,
        interaction: discord.Interaction | None = None,
        user: discord.User | discord.Member | None = None,
        deferred: bool = False,
        actions: ActionHandler | None = None,
        token_lifetime: dt.timedelta = TOKEN_LIFETIME,
        retry_delay: float = SERVER_ERROR_RETRY_DELAY,
        clock: Callable[[], dt.datetime] = discord.utils.utcnow,
    ) -> None:
        self._limits = limits
        self._channel = channel
        self._interaction = interaction
        self._user = user
        self._pending_original = deferred and interaction is not None
        self._actions = actions
        self._token_lifetime = token_lifetime
        self._retry_delay = retry_delay
        self._clock = clock
        self._token_dead = interaction is None
        self._routes: dict[str, Route] = {}
        self._dm: discord.abc.Messageable | None = None
        self._typing_since: dt.datetime | None = None

    @property
    def limits(self) -> ChannelLimits:
        return self._limits

    @property
    def pending_original(self) -> bool:
        """The deferred "thinking…" response has not been replaced by anything yet."""
        return self._pending_original and self.token_alive

    @property
    def token_alive(self) -> bool:
        it = self._interaction
        if it is None or self._token_dead:
            return False
        return self._clock() < it.created_at + self._token_lifetime

    # --- Reply protocol -----------------------------------------------------------------------

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        # Discord renders light Markdown itself: `formatted` needs no conversion
        return await self._send({"content": text}, buttons)

    async def edit_text(
        self,
        ref: MessageRef,
        text: str,
        *,
        buttons: list[Button] | None = None,
        formatted: bool = False,
    ) -> MessageRef:
        view = view_for(buttons, self._actions)
        route = self._routes.get(ref.id, "channel")
        kw: dict[str, Any] = {"content": text, "view": view, "allowed_mentions": NO_MENTIONS}
        try:
            if route == "channel":
                await self._partial(ref).edit(**kw)
            else:
                it = self._live_interaction()
                if it is None:
                    raise MessageGone("the interaction token has expired")
                if route == "original":
                    await it.edit_original_response(**kw)
                else:
                    await it.followup.edit_message(int(ref.id), **kw)
        except discord.DiscordException as exc:
            self._note_token(exc)
            raise translate_error(exc, "edit") from None
        release(view)
        return ref

    async def delete(self, ref: MessageRef) -> None:
        route = self._routes.get(ref.id, "channel")
        try:
            if route == "channel":
                await self._partial(ref).delete()
                return
            it = self._live_interaction()
            if it is None:
                return  # cannot be reached any more; nothing to do
            if route == "original":
                await it.delete_original_response()
            else:
                await it.followup.delete_message(int(ref.id))
        except discord.DiscordException as exc:
            self._note_token(exc)
            err = translate_error(exc, "delete")
            if not isinstance(err, MessageGone):
                raise err from None

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """The MP4 as an attachment (the engine checked `limits.max_video_bytes`)."""
        if len(caption) > MAX_TEXT:
            caption = caption[: MAX_TEXT - 1].rstrip() + "…"
        if not video.path.is_file():
            raise DeliveryError("the video file is missing")
        return await self._send({"content": caption or None}, buttons, file=video.path)

    async def show_activity(self, activity: Activity) -> None:
        """"Bot is typing…" in the channel (Discord has no upload indicator); it shows for 10 s,
        so a call within 8 s of the last one is skipped."""
        channel = self._channel
        now = self._clock()
        if channel is None or (self._typing_since is not None and now - self._typing_since < TYPING_REFRESH):
            return
        self._typing_since = now
        try:
            await channel.typing()
        except discord.DiscordException as exc:  # an indicator is never worth failing a turn for
            log.debug("typing not shown: %s", type(exc).__name__)

    async def finish(self) -> None:
        """After the turn: remove a "thinking…" response nothing replaced (never left spinning)."""
        if not self.pending_original:
            return
        it = self._interaction
        assert it is not None
        try:
            await it.delete_original_response()
        except discord.DiscordException as exc:
            log.debug("thinking response not removed: %s", type(exc).__name__)
        self._pending_original = False

    # --- routes -------------------------------------------------------------------------------

    def _live_interaction(self) -> discord.Interaction | None:
        return self._interaction if self.token_alive else None

    def _note_token(self, exc: BaseException) -> None:
        if token_gone(exc) and not self._token_dead:
            log.info("interaction token no longer accepted; going on in the channel")
            self._token_dead = True

    async def _send(
        self, body: dict[str, Any], buttons: list[Button] | None, *, file: Path | None = None
    ) -> MessageRef:
        view = view_for(buttons, self._actions)
        it = self._live_interaction()
        if it is not None:
            try:
                ref = await self._send_interaction(it, body, view, file)
            except discord.DiscordException as exc:
                self._note_token(exc)
                if not (token_gone(exc) or _server_error(exc)):
                    raise translate_error(exc, "send") from None
                log.warning("interaction send failed (%s); sending to the channel", type(exc).__name__)
            else:
                release(view)
                return ref
        ref = await self._send_channel(body, view, file)
        release(view)
        return ref

    async def _send_interaction(
        self, it: discord.Interaction, body: dict[str, Any], view: discord.ui.View | None, file: Path | None
    ) -> MessageRef:
        if self._pending_original and file is None:
            msg: discord.Message = await self._retrying(
                lambda: it.edit_original_response(
                    content=body["content"], view=view, allowed_mentions=NO_MENTIONS
                )
            )
            self._pending_original = False
            return self._remember(msg, "original")

        def call() -> Awaitable[discord.Message]:
            kw: dict[str, Any] = {"wait": True, "allowed_mentions": NO_MENTIONS}
            if view is not None:
                kw["view"] = view
            if file is not None:
                kw["file"] = discord.File(file, filename=file.name)
            return it.followup.send(body["content"] or "", **kw)

        msg = await self._retrying(call)
        self._pending_original = False  # a first followup replaces the "thinking…" response
        return self._remember(msg, "followup")

    async def _send_channel(
        self, body: dict[str, Any], view: discord.ui.View | None, file: Path | None
    ) -> MessageRef:
        def call(target: discord.abc.Messageable) -> Callable[[], Awaitable[discord.Message]]:
            def go() -> Awaitable[discord.Message]:
                kw: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
                if view is not None:
                    kw["view"] = view
                if file is not None:
                    kw["file"] = discord.File(file, filename=file.name)
                return target.send(body["content"], **kw)

            return go

        channel = self._channel
        try:
            if channel is None:
                raise DeliveryError("no channel to send to")
            msg = await self._retrying(call(channel))
        except (discord.Forbidden, discord.NotFound, DeliveryError) as exc:
            dm = await self._dm_channel()
            if dm is None:
                if isinstance(exc, DeliveryError):
                    raise
                raise translate_error(exc, "send") from None
            log.info("the channel refused the message (%s); sending it as a DM", type(exc).__name__)
            try:
                msg = await self._retrying(call(dm))
            except discord.DiscordException as dm_exc:
                raise translate_error(dm_exc, "send") from None
        except discord.DiscordException as exc:
            raise translate_error(exc, "send") from None
        return self._remember(msg, "channel")

    async def _dm_channel(self) -> discord.abc.Messageable | None:
        if self._dm is None and self._user is not None:
            try:
                self._dm = await self._user.create_dm()
            except discord.DiscordException as exc:
                log.info("cannot open a DM: %s", type(exc).__name__)
        return self._dm

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        """One retry after a 5xx (simcord, or discord.py after its own retries)."""
        try:
            return await call()
        except discord.HTTPException as exc:
            if not _server_error(exc):
                raise
            log.warning("Discord answered %s; retrying once in %.1fs", exc.status, self._retry_delay)
        await asyncio.sleep(self._retry_delay)
        return await call()

    def _remember(self, msg: discord.Message, route: Route) -> MessageRef:
        ref = MessageRef(id=str(msg.id), chat_id=str(msg.channel.id))
        self._routes[ref.id] = route
        return ref

    def _partial(self, ref: MessageRef) -> discord.PartialMessage:
        for target in (self._channel, self._dm):
            if isinstance(target, discord.abc.Messageable) and _channel_id(target) == ref.chat_id:
                return _partial_message(target, int(ref.id))
        raise DeliveryError("message from an unknown channel")


def _server_error(exc: BaseException) -> bool:
    return isinstance(exc, discord.HTTPException) and exc.status >= 500


def _channel_id(target: discord.abc.Messageable) -> str | None:
    value = getattr(target, "id", None)
    return str(value) if value is not None else None


def _partial_message(target: discord.abc.Messageable, message_id: int) -> discord.PartialMessage:
    getter = getattr(target, "get_partial_message", None)
    if getter is None:
        raise DeliveryError("this channel cannot edit messages")
    result = getter(message_id)
    assert isinstance(result, discord.PartialMessage)
    return result
