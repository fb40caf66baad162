"""The slash commands, added to a `CommandTree` when the bot is built (never at import time).

    /video prompt:<text> image1..image4:<attachment>   photos, clips or audio and what to make
    /upload file:<attachment>                           add one file to the project
    /export /status /preview /credits /new /cancel /help  the engine's commands of the same name

Names, descriptions and option texts are `locale_str`s of the i18n namespace `discord`, translated
by `texts.CommandTexts` (English default, Chinese for zh-CN / zh-TW). Where commands may be used
(servers, DMs with the bot, and anywhere for a user-installed app) is set on the tree.
`sync_commands` pushes them to the guilds of DISCORD_GUILD_IDS (instant, for development) or globally.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from adapters.discord.texts import text

log = logging.getLogger(__name__)

CommandHandler = Callable[[discord.Interaction, str, list[discord.Attachment]], Awaitable[None]]
SIMPLE = ("export", "status", "preview", "credits", "new", "cancel", "help")
MAX_PROMPT = 4000

CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
INSTALLS = app_commands.AppInstallationType(guild=True, user=True)


def new_tree(client: discord.Client) -> app_commands.CommandTree[Any]:
    return app_commands.CommandTree(client, allowed_contexts=CONTEXTS, allowed_installs=INSTALLS)


def register_commands(tree: app_commands.CommandTree[Any], handle: CommandHandler) -> None:
    """Add every videobot command to `tree`; each one hands (interaction, text, files) to `handle`."""

    images = range(1, 5)

    @tree.command(name=text("video.name"), description=text("video.desc"))
    @app_commands.rename(
        prompt=text("video.prompt.name"), **{f"image{n}": text("video.image.name", n=n) for n in images}
    )
    @app_commands.describe(
        prompt=text("video.prompt.desc"), **{f"image{n}": text("video.image.desc", n=n) for n in images}
    )
    async def video(
        interaction: discord.Interaction,
        prompt: app_commands.Range[str, 1, MAX_PROMPT],
        image1: discord.Attachment | None = None,
        image2: discord.Attachment | None = None,
        image3: discord.Attachment | None = None,
        image4: discord.Attachment | None = None,
    ) -> None:
        files = [f for f in (image1, image2, image3, image4) if f is not None]
        await handle(interaction, prompt, files)

    @tree.command(name=text("upload.name"), description=text("upload.desc"))
    @app_commands.rename(file=text("upload.file.name"))
    @app_commands.describe(file=text("upload.file.desc"))
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        await handle(interaction, "/upload", [file])

    for name in SIMPLE:
        tree.add_command(
            app_commands.Command(
                name=text(f"{name}.name"),
                description=text(f"{name}.desc"),
                callback=_simple(handle, f"/{name}"),
            )
        )


def _simple(
    handle: CommandHandler, command: str
) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    async def callback(interaction: discord.Interaction) -> None:
        await handle(interaction, command, [])

    callback.__name__ = command.strip("/")
    return callback


async def sync_commands(tree: app_commands.CommandTree[Any], guild_ids: list[int]) -> None:
    """Push the commands: to each guild of `guild_ids` (instant) or globally (may take a while).

    A guild the bot cannot reach is logged and skipped; the bot runs on without its commands there.
    """
    if not guild_ids:
        synced = await tree.sync()
        log.info("synced %d global commands", len(synced))
        return
    for guild_id in guild_ids:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        try:
            synced = await tree.sync(guild=guild)
        except discord.HTTPException as exc:
            log.warning("commands not synced to guild %d: %s %s", guild_id, exc.status, exc.code)
            continue
        log.info("synced %d commands to guild %d", len(synced), guild_id)
