"""`build_bot(settings)`: the videobot Discord client, built but not started.

`VideoBot` is a `discord.Client` with an `app_commands.CommandTree`; `ShardedVideoBot` is the same
on `discord.AutoShardedClient`, used when DISCORD_SHARDS is set (state lives in Redis, so any
shard serves any user). In `setup_hook` (inside discord.py's loop, before the gateway connects):

1. the services start (embedded Redis/studio when their URLs are unset, Store, NemoClient, Engine);
2. the persistent quick-action view is registered (`add_view`), so buttons survive restarts;
3. the command texts' translator is set and the commands are synced (guilds or global);
4. undelivered renders are resumed in the background, as plain channel messages; then, every
   `adopt_every` seconds, renders whose bot process died are adopted the same way (when the engine
   offers `adopt_orphans`), so any live process delivers them.

`close()` stops the turns in flight and those passes, then closes the services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands import new_tree, register_commands, sync_commands
from adapters.discord.handlers import Handlers, ReplyOptions
from adapters.discord.reply import DiscordReply, limits_for
from adapters.discord.texts import CommandTexts
from adapters.discord.views import QuickActions
from app.runtime import Runtime, start_runtime
from bot.channel.events import Reply
from bot.settings import Settings, load_settings
from bot.state.store import JobRecord

log = logging.getLogger(__name__)

ADOPT_EVERY = 15.0  # seconds between passes looking for renders whose bot process died


def intents_for(*, message_content: bool) -> discord.Intents:
    """Unprivileged intents (guild and DM messages: mentions and DMs carry their content anyway),
    plus the privileged message-content intent when the operator enabled it."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


class VideoBot(discord.Client):
    """The videobot Discord client. Tests may shorten `reply_options` before the bot starts."""

    def __init__(self, settings: Settings, *, intents: discord.Intents, **options: Any) -> None:
        super().__init__(intents=intents, **options)
        self.settings = settings
        self.reply_options = ReplyOptions()
        self.handlers = Handlers(self.runtime, self.reply_options)
        self.tree: app_commands.CommandTree[Any] = new_tree(self)
        register_commands(self.tree, self.handlers.command)
        self._runtime: Runtime | None = None
        self._resume_task: asyncio.Task[None] | None = None
        self._adopt_task: asyncio.Task[None] | None = None
        self.adopt_every: float | None = ADOPT_EVERY  # seconds; None: no adoption passes

    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the Discord bot's services are not started (setup_hook has not run)")
        return self._runtime

    # --- lifecycle ------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self._runtime = await start_runtime(self.settings, label="discord")
        self.add_view(QuickActions.persistent(self.handlers.button))
        await self.tree.set_translator(CommandTexts())
        await sync_commands(self.tree, self.settings.discord_guild_ids)
        self._resume_task = asyncio.create_task(self._resume(), name="discord-resume")
        adopt = getattr(self._runtime.engine, "adopt_orphans", None)
        if adopt is not None and self.adopt_every:
            self._adopt_task = asyncio.create_task(
                adopt(self.reply_for_job, every=self.adopt_every), name="discord-adopt"
            )

    async def close(self) -> None:
        await self.close_services()
        await super().close()

    async def close_services(self) -> None:
        """Stop the turns in flight and the resume pass, then close the store, the backend client
        and the embedded services."""
        await self.handlers.stop_turns()
        for task in (self._resume_task, self._adopt_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._resume_task = self._adopt_task = None
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            await runtime.aclose()

    async def wait_resumed(self) -> None:
        """For tests and tools: wait until the start-up resume pass is over."""
        if self._resume_task is not None:
            await asyncio.shield(self._resume_task)

    async def _resume(self) -> None:
        try:
            resumed = await self.runtime().engine.resume(self.reply_for_job)
        except Exception:
            log.exception("resuming undelivered renders failed")
            return
        if resumed:
            log.info("resumed %d undelivered render(s)", resumed)

    async def reply_for_job(self, job: JobRecord) -> Reply | None:
        """A reply that posts plain messages in the channel the render was asked for."""
        if job.platform != "discord":
            return None
        try:
            channel_id = int(job.chat_id)
        except ValueError:
            return None
        channel = self.get_channel(channel_id)
        messageable: discord.abc.Messageable
        if isinstance(channel, discord.abc.Messageable):
            messageable = channel
        else:
            messageable = self.get_partial_messageable(channel_id)
        guild = getattr(channel, "guild", None)
        user = None
        with contextlib.suppress(ValueError, IndexError):
            user = self.get_user(int(job.user_key.split(":", 1)[1]))
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


def build_bot(settings: Settings | None = None, *, message_content: bool = False) -> discord.Client:
    """The videobot client for `settings` (default: from the environment), not started."""
    settings = settings if settings is not None else load_settings()
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice: no warnings
    intents = intents_for(message_content=message_content)
    if settings.discord_shards:
        return ShardedVideoBot(settings, intents=intents, shard_count=settings.discord_shards)
    return VideoBot(settings, intents=intents)
