"""Plain messages in a channel, and in the user's DMs when the channel refuses us.

The route a `DiscordReply` takes without an interaction (mentions, DMs, restart resume) or once the
interaction token is gone. The DM fallback covers a user-installed app used in a server the bot is
not in: followups work there, channel messages do not.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import discord

from adapters.discord.errors import send_once_more, translate_error
from bot.channel.errors import DeliveryError
from bot.channel.events import MessageRef

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()  # the engine may echo what users typed

Attachment = Path | tuple[str, bytes]  # a file on disk, or (filename, content)


def as_file(attachment: Attachment) -> discord.File:
    """A fresh `discord.File` (one is consumed by each send, so a retry needs a new one)."""
    if isinstance(attachment, Path):
        return discord.File(attachment, filename=attachment.name)
    name, data = attachment
    return discord.File(io.BytesIO(data), filename=name)


class ChannelRoute:
    def __init__(
        self,
        channel: discord.abc.Messageable | None,
        user: discord.User | discord.Member | None,
        *,
        retry_delay: float,
    ) -> None:
        self.channel = channel
        self._user = user
        self._dm: discord.abc.Messageable | None = None
        self._retry_delay = retry_delay

    async def send(
        self, content: str | None, view: discord.ui.View | None, file: Attachment | None
    ) -> discord.Message:
        """A new message; raises DeliveryError (or RetryLater) when neither place takes it."""

        def to(target: discord.abc.Messageable) -> Any:
            async def call() -> discord.Message:
                kw: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
                if view is not None:
                    kw["view"] = view
                if file is not None:
                    kw["file"] = as_file(file)
                return await target.send(content, **kw)

            return call

        try:
            if self.channel is None:
                raise DeliveryError("no channel to send to")
            return await send_once_more(to(self.channel), delay=self._retry_delay)
        except (discord.Forbidden, discord.NotFound, DeliveryError) as exc:
            dm = await self._dm_channel()
            if dm is None:
                if isinstance(exc, DeliveryError):
                    raise
                raise translate_error(exc, "send") from None
            log.info("the channel refused the message (%s); sending it as a DM", type(exc).__name__)
            try:
                return await send_once_more(to(dm), delay=self._retry_delay)
            except discord.DiscordException as dm_exc:
                raise translate_error(dm_exc, "send") from None
        except discord.DiscordException as exc:
            raise translate_error(exc, "send") from None

    def message(self, ref: MessageRef) -> discord.PartialMessage:
        """A message this route sent, for editing or deleting."""
        for target in (self.channel, self._dm):
            if target is not None and str(getattr(target, "id", "")) == ref.chat_id:
                getter = getattr(target, "get_partial_message", None)
                if getter is not None:
                    partial = getter(int(ref.id))
                    assert isinstance(partial, discord.PartialMessage)
                    return partial
        raise DeliveryError("not a message of this conversation")

    async def typing(self) -> None:
        if self.channel is None:
            return
        try:
            await self.channel.typing()
        except discord.DiscordException as exc:  # an indicator is never worth failing a turn for
            log.debug("typing not shown: %s", type(exc).__name__)

    async def _dm_channel(self) -> discord.abc.Messageable | None:
        if self._dm is None and self._user is not None:
            try:
                self._dm = await self._user.create_dm()
            except discord.DiscordException as exc:
                log.info("cannot open a DM: %s", type(exc).__name__)
        return self._dm
