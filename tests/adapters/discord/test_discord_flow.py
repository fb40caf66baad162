"""The whole Discord bot on simcord: /video with images, streamed answers, /export, limits, locale."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_discord import (
    IMAGES,
    DiscordWorld,
    answers,
    make_draft,
    png_bytes,
    slash_in_locale,
    wall_clock,
)


async def test_video_uploads_the_three_images_byte_identical_and_answers_in_the_interaction(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    result = await make_draft(dc)

    callbacks = dc.requests("POST", "/interactions/*/callback")
    assert [c.json for c in callbacks] == [{"type": 5}]  # deferred with "thinking…"
    assert dc.env.http_requests.index(callbacks[0]) == 2  # right after login and command sync
    uploads = fake_nemo.requests_to("/api/upload-video/*")
    assert len(uploads) == 1
    sent = {name: hashlib.sha256(data).hexdigest() for name, data in IMAGES}
    received = {f.filename: f.sha256 for f in uploads[0].files}
    assert received == sent
    texts = answers(result)
    assert any("3 photos added" in t for t in texts)
    assert texts[-1] == "Here is your draft: a summer sale video"
    assert fake_nemo.messages == ["a summer sale video"]


@pytest.mark.discord_settings(discord_edit_interval=0.3)
async def test_a_slow_answer_streams_into_the_original_response_no_faster_than_the_edit_interval(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.slash(dc.channel, "status")  # first contact (greeting) out of the way
    fake_nemo.turn_pause = 0.15
    fake_nemo.reply = " ".join(f"word{i}" for i in range(12))  # 12 deltas, ~2 s of streaming
    before = len(dc.env.http_requests)

    async with wall_clock(dc.env):  # the bot's timers fire on time even while it streams
        result = await dc.alice.slash(dc.channel, "video", prompt="make it upbeat")

    final = fake_nemo.reply
    assert answers(result) == [final]
    edits = dc.requests("PATCH", "/webhooks/*/messages/@original")
    edits = [r for r in edits if dc.env.http_requests.index(r) >= before]
    assert len(edits) >= 3  # "word0…" replaced "thinking…", then it grew in place…
    assert len(edits) <= 2 / 0.3 + 2  # …at most once per interval
    assert isinstance(edits[-1].json, dict) and edits[-1].json["content"] == final
    followups = [r for r in dc.requests("POST", "/webhooks/*") if dc.env.http_requests.index(r) >= before]
    assert followups == []  # it all fitted in the one message


async def test_export_sends_the_mp4_with_identical_bytes_and_quick_buttons(
    dc: DiscordWorld, fake_nemo_mp4: bytes
) -> None:
    await make_draft(dc)

    result = await dc.alice.slash(dc.channel, "export")

    assert result.response is not None and result.response.content == "✅ Video ready!"
    video = result.followups[-1]
    assert video.content.startswith("🎬 Your video")
    assert len(video.attachments) == 1 and video.attachments[0].filename.endswith(".mp4")
    assert await video.attachments[0].read() == fake_nemo_mp4
    labels = [b["label"] for row in video.components for b in row["components"]]
    assert labels == ["🎬 Export", "📊 Status", "💳 Credits", "🆕 New project"]
    assert dc.requests("POST", "/channels/*/typing")  # "typing…" while rendering


@pytest.mark.discord_settings(max_upload_mb=1)
async def test_a_file_over_the_limit_is_refused_with_its_size_and_never_downloaded(
    dc: DiscordWorld, fake_nemo: Any, data_dir: Path
) -> None:
    big = ("catalog.png", png_bytes((1, 2, 3)) + b"\0" * (2 * 1024 * 1024))

    result = await dc.alice.slash(dc.channel, "upload", file=big)

    assert result.response is not None
    assert result.response.content == (
        "⚠️ catalog.png is too large (2 MB); the limit is 1 MB per file. "
        "Compress it or trim it shorter, then send it again."
    )
    assert fake_nemo.requests_to("/api/upload-video/*") == []
    assert not any(p.is_file() for p in (data_dir / "tmp").rglob("*"))


@pytest.mark.discord_settings(max_upload_mb=1)
async def test_only_the_file_over_the_limit_is_left_out_of_a_video(dc: DiscordWorld, fake_nemo: Any) -> None:
    big = ("poster.png", png_bytes((9, 9, 9)) + b"\0" * (3 * 1024 * 1024))

    result = await dc.alice.slash(dc.channel, "video", prompt="a teaser", image1=IMAGES[0], image2=big)

    texts = answers(result)
    assert texts[0].startswith("⚠️ poster.png is too large (3 MB)")
    (upload,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [f.filename for f in upload.files] == ["shoe1.png"]
    assert texts[-1] == "Here is your draft: a teaser"


async def test_a_damaged_image_is_named_and_the_prompt_still_runs_with_the_good_one(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    bad = ("bad.jpg", png_bytes((4, 5, 6))[:60])  # cut inside its image data

    result = await dc.alice.slash(dc.channel, "video", prompt="a teaser", image1=bad, image2=IMAGES[0])

    texts = answers(result)
    assert any(t.startswith("✅ 1 photo added to your project.\n⚠️ bad.jpg is damaged or incomplete")
               for t in texts)
    (upload,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [f.filename for f in upload.files] == ["shoe1.png"]
    assert texts[-1] == "Here is your draft: a teaser"


@pytest.mark.discord_settings(max_upload_mb=1)
async def test_a_prompt_whose_only_file_is_refused_still_runs(dc: DiscordWorld, fake_nemo: Any) -> None:
    big = ("poster.png", png_bytes((9, 9, 9)) + b"\0" * (3 * 1024 * 1024))

    result = await dc.alice.slash(dc.channel, "video", prompt="a teaser", image1=big)

    texts = answers(result)
    assert texts[0].startswith("⚠️ poster.png is too large (3 MB)")
    assert fake_nemo.requests_to("/api/upload-video/*") == []
    assert texts[-1] == "Here is your draft: a teaser"


@pytest.mark.simcord(settle_timeout=10)  # under the 15-second adoption pass: parked
async def test_commands_are_acknowledged_inside_three_seconds_while_the_backend_is_slow(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.slash(dc.channel, "status")  # first contact (greeting) out of the way
    body = {"code": 0, "message": "success", "data": {"available": 42, "frozen": 0, "total": 100}}
    fake_nemo.fail_next("/api/credits/balance/simple", status=200, body=body, delay=3.5)

    async with wall_clock(dc.env):  # simcord's clock follows the real one: its 3 s deadline is real
        start = dc.env.now()
        result = await dc.alice.slash(dc.channel, "credits")
        waited = (dc.env.now() - start).total_seconds()

    assert waited >= 3.5
    assert result.acknowledged
    assert result.response is not None
    assert result.response.content == "💳 Credits: 42 available (0 reserved, 100 total)."


async def test_chinese_locale_gets_chinese_answers(dc: DiscordWorld) -> None:
    result = await slash_in_locale(dc, "help", "zh-CN")

    assert result.response is not None
    assert result.response.content.startswith("👋 你好！")


async def test_a_mention_with_images_in_a_channel_makes_a_draft_with_channel_messages(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.send(dc.channel, "nobody asked the bot")  # not addressed: ignored
    assert dc.bot_messages() == []

    await dc.alice.send(dc.channel, f"{dc.bot.user.mention} a video for my shop", attachments=IMAGES[:2])

    (upload,) = fake_nemo.requests_to("/api/upload-video/*")
    assert sorted(f.filename for f in upload.files) == ["shoe1.png", "shoe2.png"]
    assert fake_nemo.messages == ["a video for my shop"]
    texts = [m.content for m in dc.bot_messages()]
    assert "✅ 2 photos added to your project." in texts
    assert texts[-1] == "Here is your draft: a video for my shop"
    assert dc.requests("POST", "/interactions/*") == []


async def test_a_direct_message_needs_no_mention(dc: DiscordWorld, fake_nemo: Any) -> None:
    bob = dc.env.create_user("bob")
    dc.guild.add_member(bob)

    await bob.send_dm("a birthday video")

    assert fake_nemo.messages == ["a birthday video"]
    assert bob.dm_channel.last_message is not None
    assert bob.dm_channel.last_message.content == "Here is your draft: a birthday video"


async def test_upload_accepts_a_video_clip(dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes) -> None:
    result = await dc.alice.slash(dc.channel, "upload", file=("teaser.mp4", fake_nemo_mp4))

    assert any(text.startswith("✅ 1 clip added to your project.") for text in answers(result))
    (upload,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [(f.filename, f.sha256) for f in upload.files] == [
        ("teaser.mp4", hashlib.sha256(fake_nemo_mp4).hexdigest())
    ]


async def test_projects_belong_to_users_not_channels(dc: DiscordWorld) -> None:
    await make_draft(dc)
    elsewhere = dc.guild.create_text_channel("studio")
    bob = dc.guild.add_member(dc.env.create_user("bob"))

    alice_there = await dc.alice.slash(elsewhere, "export")  # alice's project follows her
    bob_here = await bob.slash(dc.channel, "export")  # bob has none, even in alice's channel

    assert answers(alice_there)[0] == "✅ Video ready!"
    assert answers(bob_here)[-1] == (
        "🎬 There's nothing to export yet — send photos or clips, or describe the video you want first."
    )


@pytest.mark.slow
async def test_a_voice_message_is_heard_and_handled_as_typed(
    dc: DiscordWorld, fake_nemo: Any, voice_notes: dict[str, Path], asr: Any
) -> None:
    """issue 12: Discord sends a voice message as an Ogg attachment (voice-message.ogg)."""
    note = ("voice-message.ogg", voice_notes["en"].read_bytes())
    await dc.alice.send(dc.channel, f"{dc.bot.user.mention}", attachments=[note])
    for _ in range(600):  # the turn (decode, Whisper, the chat) may outlast the send on a loaded machine
        texts = [m.content for m in dc.bot_messages()]
        if fake_nemo.messages and any(t.startswith("Here is your draft") for t in texts):
            break
        await asyncio.sleep(0.05)
    echo = next(t for t in texts if t.startswith("🎙 “"))
    assert "vertical for TikTok" in echo
    assert len(fake_nemo.messages) == 1 and "vertical for TikTok" in fake_nemo.messages[0]
    assert fake_nemo.requests_to("/api/upload-video/*") == []
