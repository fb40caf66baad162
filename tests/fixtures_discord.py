"""Fixtures of the Discord area: the real bot from `build_bot` on the simcord peer, over the real
test Redis and the fake NemoVideo server. Registered as a pytest plugin by tests/conftest.py.

simcord replaces discord.py's HTTP layer and gateway with an in-memory Discord and drives the bot's
real code; its plugin's `simcord_env` fixture starts the bot this module's `simcord_bot` returns.

    @pytest.mark.discord_settings(max_upload_mb=1)     Settings fields for this test's bot
    @pytest.mark.discord_bot(adopt_every=None)         attributes set on the bot before it starts
    @pytest.mark.simcord(settle_timeout=20)            options of simcord.run (the plugin's marker)

`dc` (a `DiscordWorld`) is the usual starting point: a guild with #general, a member alice, and
helpers to read what the bot did.

How simcord's time works (learnt the hard way): every actor verb returns when the bot's work has
"settled": done, or parked on a timer due after `settle_timeout` (5 s). Bot timers due before that
are waited for in real time, so a periodic bot task with a short period never settles, and one with
a period under a long `settle_timeout` makes every verb wait for it. Its clock (`discord.utils.utcnow`
and `time.monotonic` inside bot code, the 3-second and 15-minute interaction deadlines) moves only
when a bot timer fires or the test calls `env.advance_time`; `wall_clock(env)` below makes it follow
the real clock. To test something long (a render past the token's 15 minutes), let the bot park on a
long poll wait and `advance_time` past it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.settings import Settings

SHORT_RETRY = 0.05  # seconds before a 5xx is retried (1 s in production)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "discord_settings(**fields): Settings fields of the test's Discord bot"
    )
    config.addinivalue_line("markers", "discord_bot(**attributes): set on the test's Discord bot")


def discord_settings(backend_url: str, redis_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings from field names only (no environment, no .env), with test-sized waits."""
    fields: dict[str, Any] = {
        "nemo_api_url": backend_url,
        "redis_url": redis_url,
        "data_dir": data_dir,
        "discord_edit_interval": 0.05,
        "render_poll_seconds": 0.05,
        "render_poll_max_seconds": 0.2,
        "recovery_poll_seconds": 0.05,
        "rate_limit_wait_seconds": 0.1,
        "http_retries": 1,
        "skill_platform": "tests",
        # simcord settles the bot's tasks before it advances its clock, and cannot count a task
        # blocked reading a Redis pub/sub socket as parked: the cross-process /cancel relay
        # (tested with the engine in tests/test_engine_chat.py) is off for these tests
        "cancel_relay": False,
    }
    fields.update(overrides)
    return Settings.model_validate(fields)


def new_bot(settings: Settings, **kw: Any) -> discord.Client:
    """A bot from `build_bot` with the test-sized 5xx retry."""
    from adapters.discord import build_bot

    bot = build_bot(settings, **kw)
    bot.reply_options.retry_delay = SHORT_RETRY  # type: ignore[attr-defined]
    return bot


@pytest.fixture
def discord_bot_settings(
    redis: Any, redis_url: str, data_dir: Path, fake_nemo: Any, request: pytest.FixtureRequest
) -> Settings:
    """This test's bot settings (the `discord_settings` marker adds fields); Redis is flushed."""
    marker = request.node.get_closest_marker("discord_settings")
    return discord_settings(fake_nemo.url, redis_url, data_dir, **(marker.kwargs if marker else {}))


@pytest.fixture
async def discord_bots() -> AsyncIterator[list[discord.Client]]:
    """Every bot a test built; their services (Redis, HTTP client) are closed after the test."""
    bots: list[discord.Client] = []
    yield bots
    for bot in bots:
        await bot.close_services()  # type: ignore[attr-defined]


@pytest.fixture
def simcord_bot(
    discord_bot_settings: Settings, discord_bots: list[discord.Client], request: pytest.FixtureRequest
) -> discord.Client:
    """The bot under test (simcord's plugin starts it as `simcord_env`)."""
    bot = new_bot(discord_bot_settings)
    marker = request.node.get_closest_marker("discord_bot")
    for name, value in (marker.kwargs if marker else {}).items():
        setattr(bot, name, value)
    discord_bots.append(bot)
    return bot


# --- a small world -------------------------------------------------------------------------------


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    """A small distinct PNG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class DiscordWorld:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    settings: Settings
    bots: list[discord.Client]

    @property
    def bot(self) -> Any:
        return self.env.bot

    def contents(self, channel: simcord.ChannelHandle | None = None) -> list[str]:
        """The text of every message in the channel (oldest first)."""
        return [m.content for m in (channel or self.channel).history()]

    def bot_messages(self, channel: simcord.ChannelHandle | None = None) -> list[discord.Message]:
        me = self.env.bot.user
        return [m for m in (channel or self.channel).history() if me is not None and m.author.id == me.id]

    async def restart(self, **changes: Any) -> discord.Client:
        """A new process: a fresh bot from `build_bot` (settings changed by `changes`) replaces the
        running one; the old one's turns are cancelled as a shutdown would, its services closed."""
        old = self.env.bot
        fresh = new_bot(self.settings.model_copy(update=changes))
        self.bots.append(fresh)
        await self.env.restart_bot(fresh)
        await old.close_services()  # type: ignore[attr-defined]
        return fresh

    def requests(self, method: str, glob: str) -> list[simcord.HttpLogEntry]:
        """REST calls the bot made, by method and path glob (e.g. "/webhooks/*/messages/@original")."""
        return [
            r for r in self.env.http_requests if r.method == method and fnmatch.fnmatch(r.path, glob)
        ]



IMAGES = [(f"shoe{i}.png", png_bytes((60 * i, 120, 200))) for i in range(1, 4)]
"""Three small distinct product photos, as (filename, bytes)."""


async def make_draft(dc: DiscordWorld, prompt: str = "a summer sale video") -> simcord.InteractionResult:
    """/video with the three IMAGES and `prompt`: the project then has a draft to export."""
    return await dc.alice.slash(
        dc.channel, "video", prompt=prompt, image1=IMAGES[0], image2=IMAGES[1], image3=IMAGES[2]
    )


def answers(result: simcord.InteractionResult) -> list[str]:
    """What the user saw for one interaction: the response, then the followups."""
    shown = [result.response] if result.response is not None else []
    return [m.content for m in [*shown, *result.followups]]


@pytest.fixture
def dc(
    simcord_env: simcord.Env, discord_bot_settings: Settings, discord_bots: list[discord.Client]
) -> DiscordWorld:
    """A guild "Shop" with #general and the member alice, around the running bot."""
    guild = simcord_env.create_guild("Shop")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    return DiscordWorld(simcord_env, guild, channel, alice, discord_bot_settings, discord_bots)


# --- what simcord has no public verb for -----------------------------------------------------------


async def slash_in_locale(dc: DiscordWorld, name: str, locale: str) -> simcord.InteractionResult:
    """An option-less slash command from a user whose Discord client runs in `locale`.

    simcord's `slash` always says "en-US"; this builds the same interaction through the actor's
    dispatch with the locale replaced (private simcord API, kept to this one helper).
    """
    from simcord.actors import _resolve_visible_command

    root = _resolve_visible_command(dc.alice, dc.channel.id, name, 1)
    data = {"id": root["id"], "name": root["name"], "type": 1, "options": []}
    result: simcord.InteractionResult = await dc.alice._dispatch_interaction(
        2, dc.channel, data, extra={"locale": locale}
    )
    return result


@contextlib.asynccontextmanager
async def wall_clock(env: simcord.Env) -> AsyncIterator[None]:
    """Move simcord's virtual clock along with the real one while the block runs.

    simcord's clock only moves when the bot's own timers fire or the test advances it, so its
    interaction deadlines (3 s to acknowledge, 15 min of token) ignore time spent waiting on real
    I/O. Inside this block they are real deadlines. (The backend's clock is simcord internals.)
    """
    loop = asyncio.get_running_loop()
    last = loop.time()

    async def follow() -> None:
        nonlocal last
        while True:
            await asyncio.sleep(0.02)
            now = loop.time()
            env.backend.advance_clock(now - last)
            last = now

    task = asyncio.create_task(follow())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
