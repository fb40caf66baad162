"""`build_bot(settings)`: the videobot Discord client, built but not started.

`VideoBot` is a `discord.Client` with an `app_commands.CommandTree`; `ShardedVideoBot` is the same
on `discord.AutoShardedClient`, used when DISCORD_SHARDS is set (state lives in Redis, so any
shard serves any user). In `setup_hook` (inside discord.py's loop, before the gateway connects):

1. the `bot.engine.host.BotHost` starts: the services (embedded Redis/studio when their URLs are
   unset, Store, NemoClient, Engine), then in the background the resume pass and, every
   `adopt_every` seconds, the adoption pass, both delivering as plain channel messages;
2. the persistent quick-action view is registered (`add_view`), so buttons survive restarts;
3. the command texts' translator is set and the commands are synced (guilds or global).

`close()` stops the turns in flight and those passes, then closes the services.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands import new_tree, register_commands, sync_commands
from adapters.discord.handlers import Handlers, ReplyOptions
from adapters.discord.reply import DiscordReply, limits_for
from adapters.discord.texts import CommandTexts
from adapters.discord.views import QuickActions
from bot.channel.events import Reply
from bot.engine.host import BotHost, RuntimeFactory
from bot.settings import Settings, load_settings
from bot.state.store import JobRecord

log = logging.getLogger(__name__)


def intents_for(*, message_content: bool) -> discord.Intents:
    """Unprivileged intents (guild and DM messages: mentions and DMs carry their content anyway),
    plus the privileged message-content intent when the operator enabled it."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


class VideoBot(discord.Client):
    """The videobot Discord client. Tests may shorten `reply_options` before the bot starts."""

    def __init__(
        self,
        settings: Settings,
        *,
        intents: discord.Intents,
        runtime: RuntimeFactory | None = None,
        **options: Any,
    ) -> None:
        super().__init__(intents=intents, **options)
        self.settings = settings
        self.host = BotHost(settings, platform="discord", runtime=runtime)
        self.reply_options = ReplyOptions()
        self.handlers = Handlers(self.host, self.reply_options)
        self.tree: app_commands.CommandTree[Any] = new_tree(self)
        register_commands(self.tree, self.handlers.command)

    @property
    def adopt_every(self) -> float | None:
        """Seconds between adoption passes; None: none (set before the bot starts)."""
        return self.host.adopt_every

    @adopt_every.setter
    def adopt_every(self, seconds: float | None) -> None:
        self.host.adopt_every = seconds

    # --- lifecycle ------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await self.host.start(self.reply_for_job)
        self.add_view(QuickActions.persistent(self.handlers.button))
        await self.tree.set_translator(CommandTexts())
        await sync_commands(self.tree, self.settings.discord_guild_ids)

    async def close(self) -> None:
        await self.close_services()
        await super().close()

    async def close_services(self) -> None:
        """Stop the turns in flight and the background passes, then close the store, the backend
        client and the embedded services."""
        await self.host.aclose()

    async def wait_resumed(self) -> None:
        """For tests and tools: wait until the start-up resume pass is over."""
        await self.host.wait_resumed()

    async def reply_for_job(self, job: JobRecord) -> Reply | None:
        """A reply that posts plain messages in the channel the render was asked for."""
        channel_id = job.chat.number_on("discord")
        if channel_id is None:
            return None
        channel = self.get_channel(channel_id)
        messageable: discord.abc.Messageable
        if isinstance(channel, discord.abc.Messageable):
            messageable = channel
        else:
            messageable = self.get_partial_messageable(channel_id)
        guild = getattr(channel, "guild", None)
        user_id = job.user_key.number_on("discord")
        user = self.get_user(user_id) if user_id is not None else None
        return DiscordReply(
            limits=limits_for(
                self.settings.discord_edit_interval, guild=guild if isinstance(guild, discord.Guild) else None
            ),
            channel=messageable,
            user=user,
            actions=self.handlers.button,
            retry_delay=self.reply_options.retry_delay,
        )

    # --- events ---------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None:
            return
        await self.handlers.message(message, self.user, content_intent=self.intents.message_content)


class ShardedVideoBot(VideoBot, discord.AutoShardedClient):
    """`VideoBot` on several gateway connections (DISCORD_SHARDS)."""


def build_bot(
    settings: Settings | None = None,
    *,
    message_content: bool = False,
    runtime: RuntimeFactory | None = None,
) -> VideoBot:
    """The videobot client for `settings` (default: from the environment), not started.

    `runtime` makes the services (`videobot discord` passes the composition root's); without one
    the installed default is used (see `bot.engine.host`)."""
    settings = settings if settings is not None else load_settings()
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice: no warnings
    intents = intents_for(message_content=message_content)
    if settings.discord_shards:
        shards = settings.discord_shards
        return ShardedVideoBot(settings, intents=intents, runtime=runtime, shard_count=shards)
    return VideoBot(settings, intents=intents, runtime=runtime)
