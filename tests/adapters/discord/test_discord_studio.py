"""End to end with the real studio behind the Discord bot: photos and a sentence through /video, a
real 1080p MP4 back through /export as an attachment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from common.ffmpeg import probe
from tests.fixtures_discord import DiscordWorld, answers, discord_settings
from tests.fixtures_studio import RunningStudio, StudioMedia


@pytest.fixture
def discord_bot_settings(studio: RunningStudio, redis_url: str, data_dir: Path) -> Settings:
    """The bot in front of the real studio (overrides the fake-backend settings of fixtures_discord)."""
    return discord_settings(
        studio.url, redis_url, data_dir, render_poll_seconds=0.3, render_poll_max_seconds=1.0
    )


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.simcord(settle_timeout=150)  # one simcord action lasts as long as the real render
@pytest.mark.discord_bot(adopt_every=None)  # else simcord would wait for each 15-second pass
async def test_photos_and_a_prompt_become_a_real_mp4_on_discord(
    dc: DiscordWorld, studio_media: StudioMedia, tmp_path: Path
) -> None:
    photos = [(p.name, p.read_bytes()) for p in studio_media.photos[:3]]

    made = await dc.alice.slash(
        dc.channel, "video", prompt="make a 6 second vertical video of my Aurora bottle",
        image1=photos[0], image2=photos[1], image3=photos[2],
    )
    assert any("3 photos added" in text for text in answers(made))

    exported = await dc.alice.slash(dc.channel, "export")

    assert answers(exported)[0] == "✅ Video ready!"
    video = exported.followups[-1]
    (attachment,) = video.attachments
    mp4 = tmp_path / attachment.filename
    mp4.write_bytes(await attachment.read())
    info = probe(mp4)
    assert info.video_codec == "h264" and {info.width, info.height} == {1080, 1920}, info
    assert info.audio_codec == "aac"
    assert info.duration is not None and abs(info.duration - 6) <= 1
    assert video.content.startswith("🎬 Your video (6s, 1080×1920)")
