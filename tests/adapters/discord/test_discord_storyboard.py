"""The storyboard on Discord, through the real discord.py bot on the simcord peer in front of the real
studio: an attachment after an edit (/video) and on /preview."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.i18n import t
from bot.settings import Settings
from tests.fixtures_discord import DiscordWorld, discord_settings
from tests.fixtures_studio import RunningStudio, StudioMedia


@pytest.fixture
def discord_bot_settings(studio: RunningStudio, redis_url: str, data_dir: Path) -> Settings:
    """The bot in front of the real studio (overrides the fake-backend settings of fixtures_discord)."""
    return discord_settings(studio.url, redis_url, data_dir, storyboard_timeout_seconds=60)


@pytest.mark.timeout(120)
@pytest.mark.simcord(settle_timeout=60)  # one simcord action lasts as long as the studio's turn
@pytest.mark.discord_bot(adopt_every=None)  # else simcord would wait for each 15-second pass
async def test_an_edit_and_preview_send_the_studio_storyboard_as_an_attachment(
    dc: DiscordWorld, studio_media: StudioMedia
) -> None:
    photos = [(p.name, p.read_bytes()) for p in studio_media.photos[:3]]
    made = await dc.alice.slash(
        dc.channel, "video",
        prompt="make a 6 second vertical video of my Aurora bottle with the title Summer Sale",
        image1=photos[0], image2=photos[1], image3=photos[2],
    )
    last = made.followups[-1]
    assert last.content == t("en", "preview.caption")  # the picture comes after the answer
    (sheet,) = last.attachments
    assert sheet.filename == "storyboard.jpg"
    data = await sheet.read()
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.width > im.height >= 300
    assert sum(len(m.attachments) for m in made.followups) == 1  # one picture for the turn

    asked = await dc.alice.slash(dc.channel, "preview")
    shown = [m for m in [asked.response, *asked.followups] if m is not None and m.attachments]
    assert len(shown) == 1 and shown[0].content == t("en", "preview.caption")
    assert await shown[0].attachments[0].read() == data  # the same draft, the same plan
