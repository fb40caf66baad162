"""Getting the video to the user on Discord: past the 15-minute interaction token, through server
errors, across a restart; and the quick-action buttons before and after one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord
import pytest
import simcord

from tests.fixtures_discord import DiscordWorld, answers, make_draft


def render_polled_after(seconds: float) -> dict[str, float]:
    """Settings whose first render poll comes `seconds` after the submit (the test moves the clock)."""
    return {
        "render_poll_seconds": seconds, "render_poll_max_seconds": seconds, "render_timeout_seconds": 5000
    }


SLOW_RENDER = render_polled_after(1000)  # longer than the interaction token's 15 minutes
# simcord waits for bot timers due within its settle timeout: with 3 s, the engine's 4-second
# "typing…" refresh counts as parked at once, like the render's long poll wait
PARKING = pytest.mark.simcord(settle_timeout=3)
# the clock crosses 1000 s: fewer adoption passes on the way keep the test quick
RARE_ADOPTION = pytest.mark.discord_bot(adopt_every=600)


async def advance(dc: DiscordWorld, seconds: float, step: float = 100.0) -> None:
    """Move simcord's clock in steps (each step gets its own settle deadline)."""
    while seconds > 0:
        await dc.env.advance_time(min(step, seconds))
        seconds -= step


def videos(messages: list[discord.Message]) -> list[discord.Message]:
    return [m for m in messages if any(a.filename.endswith(".mp4") for a in m.attachments)]


async def export_parked(dc: DiscordWorld, fake_nemo: Any) -> None:
    """/export whose render finishes on its first poll (after `render_poll_seconds` of simcord time)."""
    await make_draft(dc)
    fake_nemo.render_plan([("completed", 100)])
    result = await dc.alice.slash(dc.channel, "export")
    assert answers(result) == ["⏳ Rendering..."]


@PARKING
@RARE_ADOPTION
@pytest.mark.discord_settings(**SLOW_RENDER)
async def test_a_render_longer_than_the_interaction_token_arrives_as_channel_messages(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await export_parked(dc, fake_nemo)
    before = len(dc.env.http_requests)

    await advance(dc, 1001)  # past the token's 15 minutes

    later = dc.env.http_requests[before:]
    assert not [r for r in later if r.path.startswith("/webhooks/")]  # the reply knew the token was gone
    messages = dc.bot_messages()
    assert "✅ Video ready!" in [m.content for m in messages]
    (video,) = videos(messages)
    assert video.content.startswith("🎬 Your video")
    assert await video.attachments[0].read() == fake_nemo_mp4


@PARKING
@RARE_ADOPTION
@pytest.mark.discord_settings(**SLOW_RENDER)
async def test_unknown_webhook_from_discord_moves_the_delivery_to_the_channel(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    dc.bot.reply_options.token_lifetime = dt.timedelta(hours=2)  # trust the token longer than Discord does
    await export_parked(dc, fake_nemo)
    before = len(dc.env.http_requests)

    await advance(dc, 1001)

    later = dc.env.http_requests[before:]
    refused = [r for r in later if r.path.startswith("/webhooks/")]
    assert len(refused) == 1  # one try answered 404 Unknown Webhook, nothing more sent that way
    assert later.index(refused[0]) < later.index(dc.requests("POST", "/channels/*/messages")[-1])
    (video,) = videos(dc.bot_messages())
    assert await video.attachments[0].read() == fake_nemo_mp4


async def test_a_server_error_on_a_channel_message_is_retried(dc: DiscordWorld, fake_nemo: Any) -> None:
    dc.env.inject_error("POST", "/channels/*/messages", status=500)

    await dc.alice.send(dc.channel, f"{dc.bot.user.mention} a launch teaser")

    assert len(dc.requests("POST", "/channels/*/messages")) >= 2
    assert [m.content for m in dc.bot_messages()][-1] == "Here is your draft: a launch teaser"


@PARKING
@RARE_ADOPTION
@pytest.mark.discord_settings(**render_polled_after(10))
async def test_a_server_error_on_the_video_message_is_retried_and_the_video_arrives(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    mention = dc.bot.user.mention
    await dc.alice.send(dc.channel, f"{mention} a video", attachments=[("a.png", _png())])
    fake_nemo.render_plan([("completed", 100)])
    await dc.alice.send(dc.channel, f"{mention} export")
    dc.env.inject_error("POST", "/channels/*/messages", status=500)  # hits the message with the MP4

    await advance(dc, 11)

    (video,) = videos(dc.bot_messages())
    assert await video.attachments[0].read() == fake_nemo_mp4
    assert not any("🔗" in m.content and not m.attachments for m in dc.bot_messages())  # no link instead


async def test_a_followup_refused_twice_goes_to_the_channel(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await make_draft(dc)
    dc.env.inject_error("POST", "/webhooks/*", status=502, times=2)

    result = await dc.alice.slash(dc.channel, "export")

    assert answers(result)[0] == "✅ Video ready!"
    (video,) = videos(dc.bot_messages())
    assert await video.attachments[0].read() == fake_nemo_mp4
    assert video.id not in [m.id for m in result.followups]  # a plain channel message


@PARKING
@RARE_ADOPTION
@pytest.mark.discord_settings(**SLOW_RENDER)
async def test_a_render_in_flight_during_a_restart_is_delivered_by_the_new_bot(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await export_parked(dc, fake_nemo)

    fresh = await dc.restart(render_poll_seconds=0.05, render_poll_max_seconds=0.2)
    await fresh.wait_resumed()  # type: ignore[attr-defined]

    (video,) = videos(dc.bot_messages())
    assert await video.attachments[0].read() == fake_nemo_mp4
    assert [r for r in fake_nemo.requests if r.path.startswith("/api/render") and r.method == "POST"]


async def test_quick_buttons_work_and_keep_working_after_a_restart(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await make_draft(dc)
    first = await dc.alice.slash(dc.channel, "export")
    video = first.followups[-1].message

    status = await dc.alice.click(video, label="📊 Status")
    assert answers(status)[0].startswith("📊 ")
    credits = await dc.alice.click(video, label="💳 Credits")
    assert answers(credits) == ["💳 Credits: 100 available (0 reserved, 100 total)."]

    await dc.restart()
    again = await dc.alice.click(video, label="🎬 Export")

    assert answers(again)[0] == "✅ Video ready!"
    assert await again.followups[-1].attachments[0].read() == fake_nemo_mp4
    assert len(fake_nemo.renders) == 2


def _png() -> bytes:
    from tests.fixtures_discord import png_bytes

    return png_bytes((200, 10, 10))


async def test_a_rate_limited_answer_is_sent_again_after_the_wait(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.slash(dc.channel, "status")  # first contact out of the way
    dc.env.inject_error("PATCH", "/webhooks/*/messages/*", status=429, message="You are being rate limited.")

    result = await dc.alice.slash(dc.channel, "credits")

    assert answers(result) == ["💳 Credits: 100 available (0 reserved, 100 total)."]
    patches = dc.requests("PATCH", "/webhooks/*/messages/@original")
    assert len(patches) >= 2  # refused once, sent again after the wait


@PARKING
@RARE_ADOPTION
@pytest.mark.discord_settings(**render_polled_after(100))
async def test_when_the_channel_refuses_the_bot_a_late_video_goes_to_the_users_dms(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    dc.bot.reply_options.token_lifetime = dt.timedelta(seconds=60)  # the bot's own expiry check
    me = dc.env.bot.user
    assert me is not None
    quiet = dc.guild.create_text_channel(
        "announcements", overwrites={me: discord.PermissionOverwrite(send_messages=False)}
    )
    await make_draft(dc)
    fake_nemo.render_plan([("completed", 100)])
    result = await dc.alice.slash(quiet, "export")  # interaction answers need no permission
    assert answers(result) == ["⏳ Rendering..."]

    await advance(dc, 101)  # the token is gone and the channel says 50013 Missing Permissions

    assert videos(quiet.history()) == []
    dm = simcord.ChannelHandle(dc.env, None, dc.env.backend.get_dm_channel(dc.alice.id))
    (video,) = videos(dm.history())
    assert await video.attachments[0].read() == fake_nemo_mp4


@PARKING
@RARE_ADOPTION
@pytest.mark.discord_settings(**SLOW_RENDER)
async def test_stopping_the_bot_mid_render_leaves_the_render_for_the_next_start(
    dc: DiscordWorld, fake_nemo: Any, redis: Any
) -> None:
    await export_parked(dc, fake_nemo)
    (render_id,) = [r.decode() for r in await redis.smembers("vb:jobs:active")]

    await dc.bot.close_services()

    assert await redis.smembers("vb:jobs:active") == {render_id.encode()}
    assert (await redis.hget(f"vb:job:{render_id}", "status")) != b"cancelled"
