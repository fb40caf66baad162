"""`bot.channel.events.Reply` on Discord: the interaction while its token lives, the channel after that.

Where a new message goes:

    deferred interaction, nothing shown yet   edit_original_response (replaces "thinking…")
    interaction token alive                    followup.send
    token expired (15 min after the           channel.send (then the user's DMs when the
    interaction), or Discord answers           channel refuses us: see `channel.py`)
    401 / 10015 Unknown Webhook /
    50027 Invalid Webhook Token, or a 5xx
    twice in a row
    no interaction (mentions, DMs, resume)     channel.send

A message keeps its route for edits and deletes: an interaction message whose token has died
is reported as `MessageGone`, and `bot.channel.streaming` sends the current text anew (to the channel).
discord.py's exceptions are translated in `errors.py`. Mentions are never pinged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Literal

import discord

from adapters.discord.channel import NO_MENTIONS, Attachment, ChannelRoute, as_file
from adapters.discord.errors import send_once_more, server_error, token_gone, translate_error
from adapters.discord.views import ActionHandler, release, view_for
from bot.channel.errors import DeliveryError, DraftsRefused, MessageGone
from bot.channel.events import Activity, Button, ChannelLimits, ImageFile, MessageRef, VideoFile

log = logging.getLogger(__name__)

MAX_TEXT = 2000
LONG_TEXT_MESSAGES = 3  # a final text needing more messages than this goes out as a .txt file
TOKEN_LIFETIME = dt.timedelta(minutes=15) - dt.timedelta(seconds=30)  # a margin for a slow upload
SERVER_ERROR_RETRY_DELAY = 1.0  # seconds; discord.py waits 1 s before its own first 5xx retry
TYPING_REFRESH = dt.timedelta(seconds=8)  # "typing…" shows for 10 s on Discord

Route = Literal["original", "followup", "channel"]


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
        platform="discord",
        max_text=MAX_TEXT,
        max_caption=MAX_TEXT,
        edit_interval=edit_interval,
        max_video_bytes=max_video,
        supports_buttons=True,
        supports_edit=True,
        supports_documents=True,
        long_text_messages=LONG_TEXT_MESSAGES,
        max_image_bytes=max_video,  # a picture is an attachment like any file
    )


class DiscordReply:
    """What the engine can do in one Discord conversation (an interaction and/or a channel).

    `clock` is Discord's time (`discord.utils.utcnow`): the token's age is measured from the
    interaction's snowflake, so a test environment that moves Discord's clock moves it too.
    """

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
        self._interaction = interaction
        self._channel = ChannelRoute(channel, user, retry_delay=retry_delay)
        self._pending_original = deferred and interaction is not None
        self._actions = actions
        self._token_lifetime = token_lifetime
        self._retry_delay = retry_delay
        self._clock = clock
        self._token_dead = interaction is None
        self._routes: dict[str, Route] = {}
        self._typing_since: dt.datetime | None = None

    @property
    def limits(self) -> ChannelLimits:
        return self._limits

    @property
    def token_alive(self) -> bool:
        it = self._interaction
        if it is None or self._token_dead:
            return False
        return self._clock() < it.created_at + self._token_lifetime

    @property
    def pending_original(self) -> bool:
        """The deferred "thinking…" response has not been replaced by anything yet."""
        return self._pending_original and self.token_alive

    # --- Reply protocol -----------------------------------------------------------------------

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        # Discord renders light Markdown itself: `formatted` needs no conversion
        return await self._send(text, buttons)

    async def edit_text(
        self, ref: MessageRef, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        view = view_for(buttons, self._actions)
        route = self._routes.get(ref.id, "channel")
        kw: dict[str, Any] = {"content": text, "view": view, "allowed_mentions": NO_MENTIONS}
        try:
            if route == "channel":
                await self._channel.message(ref).edit(**kw)
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
                await self._channel.message(ref).delete()
                return
            it = self._live_interaction()
            if it is None:
                return  # out of reach for good: nothing to do
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
        return await self._send(caption or None, buttons, file=video.path)

    async def send_document(
        self, filename: str, data: bytes, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """One message carrying the file (a long answer as `answer.txt`)."""
        return await self._send(caption, buttons, file=(filename, data))

    async def send_image(
        self, image: ImageFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """The picture as an attachment (Discord shows it inline) under the caption."""
        if self._limits.max_image_bytes is not None and image.size > self._limits.max_image_bytes:
            raise DeliveryError("the picture is larger than this channel's upload limit")
        if len(caption) > MAX_TEXT:
            caption = caption[: MAX_TEXT - 1].rstrip() + "…"
        return await self._send(caption or None, buttons, file=(image.filename, image.data))

    async def send_draft(self, draft_id: int, text: str) -> None:
        raise DraftsRefused("Discord has no native drafts (ChannelLimits.supports_drafts is off)")

    async def show_activity(self, activity: Activity) -> None:
        """"Bot is typing…" in the channel (Discord has no upload indicator). It shows for 10 s,
        so a call within 8 s of the last one is skipped."""
        now = self._clock()
        if self._typing_since is not None and now - self._typing_since < TYPING_REFRESH:
            return
        self._typing_since = now
        await self._channel.typing()

    async def finish(self) -> None:
        """After the turn: remove a "thinking…" response nothing replaced (never left spinning)."""
        if not self.pending_original:
            return
        it = self._interaction
        assert it is not None
        self._pending_original = False
        try:
            await it.delete_original_response()
        except discord.DiscordException as exc:
            log.debug("thinking response not removed: %s", type(exc).__name__)

    # --- routes -------------------------------------------------------------------------------

    def _live_interaction(self) -> discord.Interaction | None:
        return self._interaction if self.token_alive else None

    def _note_token(self, exc: BaseException) -> None:
        if token_gone(exc) and not self._token_dead:
            log.info("interaction token no longer accepted; going on in the channel")
            self._token_dead = True

    async def _send(
        self, content: str | None, buttons: list[Button] | None, *, file: Attachment | None = None
    ) -> MessageRef:
        view = view_for(buttons, self._actions)
        sent: tuple[discord.Message, Route] | None = None
        it = self._live_interaction()
        if it is not None:
            try:
                sent = await self._send_interaction(it, content, view, file)
            except discord.DiscordException as exc:
                self._note_token(exc)
                if not (token_gone(exc) or server_error(exc)):
                    raise translate_error(exc, "send") from None
                log.warning("interaction send failed (%s); sending to the channel", type(exc).__name__)
        route: Route = "channel"
        if sent is None:
            msg = await self._channel.send(content, view, file)
        else:
            msg, route = sent
        release(view)
        ref = MessageRef(id=str(msg.id), chat_id=str(msg.channel.id))
        self._routes[ref.id] = route
        return ref

    async def _send_interaction(
        self,
        it: discord.Interaction,
        content: str | None,
        view: discord.ui.View | None,
        file: Attachment | None,
    ) -> tuple[discord.Message, Route]:
        if self._pending_original and file is None:
            msg: discord.Message = await send_once_more(
                lambda: it.edit_original_response(content=content, view=view, allowed_mentions=NO_MENTIONS),
                delay=self._retry_delay,
            )
            self._pending_original = False
            return msg, "original"

        async def followup() -> discord.Message:
            kw: dict[str, Any] = {"wait": True, "allowed_mentions": NO_MENTIONS}
            if view is not None:
                kw["view"] = view
            if file is not None:
                kw["file"] = as_file(file)
            sent: discord.Message = await it.followup.send(content or "", **kw)  # wait=True: a message
            return sent

        msg = await send_once_more(followup, delay=self._retry_delay)
        self._pending_original = False  # a first followup replaces the "thinking…" response
        return msg, "followup"
