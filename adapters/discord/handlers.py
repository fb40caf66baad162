"""Interactions and messages in, one `Incoming` to the engine, a `DiscordReply` for its answers.

Thin by design. Every interaction (slash command or button) is deferred with `thinking=True` before
anything else, so it is acknowledged well inside Discord's 3 seconds; then the attachments are
size-checked and downloaded, and the engine runs the turn (render delivery included) on a reply
that streams into the deferred response and falls back to the channel when the token runs out.
Per-user state is keyed by the Discord user id; the language comes from `interaction.locale`.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from adapters.discord.incoming import download, new_temp_dir, refusal, strip_mention
from adapters.discord.reply import SERVER_ERROR_RETRY_DELAY, TOKEN_LIFETIME, DiscordReply, limits_for
from bot.channel.events import Incoming, quietly
from bot.channel.uploads import has_words
from bot.engine.host import BotHost
from bot.i18n import language_for, t
from bot.ids import ChatRef, UserKey
from common.logs import new_request_id

log = logging.getLogger(__name__)


@dataclass
class ReplyOptions:
    """Knobs of every reply this bot makes (tests shorten them)."""

    token_lifetime: dt.timedelta = TOKEN_LIFETIME
    retry_delay: float = SERVER_ERROR_RETRY_DELAY


@dataclass(frozen=True)
class Source:
    """Who wrote where, in the engine's terms."""

    user: discord.abc.User
    chat_id: int
    update_id: str
    locale: str | None
    is_group: bool


class Handlers:
    """The bot's entry points; the host runs the turns (and stops them at shutdown)."""

    def __init__(self, host: BotHost, options: ReplyOptions) -> None:
        self._host = host
        self.options = options

    # --- interactions ---------------------------------------------------------------------------

    async def command(
        self, interaction: discord.Interaction, text: str, files: Sequence[discord.Attachment] = ()
    ) -> None:
        """A slash command: `text` is what the engine reads ("/export", or the prompt of /video)."""
        new_request_id()
        deferred = await _defer(interaction)
        reply = self.interaction_reply(interaction, deferred=deferred)
        source = Source(
            user=interaction.user,
            chat_id=interaction.channel_id or interaction.user.id,
            update_id=str(interaction.id),
            locale=interaction.locale.value,
            is_group=interaction.guild_id is not None,
        )
        try:
            await self._deliver(source, reply, text, files)
        finally:
            await reply.finish()

    async def button(self, interaction: discord.Interaction, action: str) -> None:
        """A quick-action button: the same as typing its action."""
        await self.command(interaction, action)

    def interaction_reply(self, interaction: discord.Interaction, *, deferred: bool) -> DiscordReply:
        channel: discord.abc.Messageable | None = None
        if isinstance(interaction.channel, discord.abc.Messageable):
            channel = interaction.channel
        elif interaction.channel_id is not None:
            channel = interaction.client.get_partial_messageable(interaction.channel_id)
        return DiscordReply(
            limits=limits_for(self._host.settings.discord_edit_interval, interaction=interaction),
            channel=channel,
            interaction=interaction if deferred else None,
            user=interaction.user,
            deferred=deferred,
            actions=self.button,
            token_lifetime=self.options.token_lifetime,
            retry_delay=self.options.retry_delay,
        )

    # --- messages (mentions in servers, anything in DMs) -------------------------------------------

    async def message(
        self, message: discord.Message, me: discord.ClientUser, *, content_intent: bool
    ) -> None:
        if message.author.bot or message.author.id == me.id:
            return
        if not addressed(message, me.id, content_intent=content_intent):
            return
        new_request_id()
        reply = DiscordReply(
            limits=limits_for(self._host.settings.discord_edit_interval, guild=message.guild),
            channel=message.channel,
            user=message.author,
            actions=self.button,
            retry_delay=self.options.retry_delay,
        )
        source = Source(
            user=message.author,
            chat_id=message.channel.id,
            update_id=str(message.id),
            locale=None,  # messages carry no locale: the engine uses the one saved for the user
            is_group=message.guild is not None,
        )
        await self._deliver(source, reply, strip_mention(message.content, me.id), message.attachments)

    # --- shared -----------------------------------------------------------------------------------

    async def _deliver(
        self, source: Source, reply: DiscordReply, text: str, files: Sequence[discord.Attachment]
    ) -> None:
        """Check sizes, download, hand one Incoming to the engine, clean up the downloads."""
        settings = self._host.settings
        usable = []
        for att in files:
            words = refusal(att, source.locale, settings.max_upload_mb)
            if words is None:
                usable.append(att)
            else:
                await quietly(reply.send_text(words))
        if files and not usable and not has_words(text):
            return  # refused, said; a prompt sent with the files still runs without them
        tmp = new_temp_dir(settings.data_dir)
        try:
            attachments, failed = await download(usable, tmp) if usable else ([], [])
            lang = language_for(source.locale)
            for name in failed:
                await quietly(reply.send_text(t(lang, "upload.fetch_failed", name=name)))
            if usable and not attachments and not has_words(text):
                return
            incoming = Incoming(
                user=UserKey.of("discord", source.user.id),
                chat=ChatRef.of("discord", source.chat_id),
                text=text,
                attachments=attachments,
                locale=source.locale,
                update_id=source.update_id,
                is_group=source.is_group,
                user_name=source.user.name,
            )
            await self._host.handle(incoming, reply)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def addressed(message: discord.Message, bot_id: int, *, content_intent: bool) -> bool:
    """DMs always; in servers a mention of the bot (or, with the content intent, a reply to it)."""
    if message.guild is None:
        return True
    if any(user.id == bot_id for user in message.mentions):
        return True
    ref = message.reference
    resolved = ref.resolved if ref is not None else None
    return content_intent and isinstance(resolved, discord.Message) and resolved.author.id == bot_id


async def _defer(interaction: discord.Interaction) -> bool:
    """Acknowledge at once; False when Discord no longer knows the interaction."""
    try:
        await interaction.response.defer(thinking=True)
    except discord.InteractionResponded:
        return True
    except discord.HTTPException as exc:
        log.warning("interaction %s not acknowledged: %s %s", interaction.id, exc.status, exc.code)
        return False
    return True
