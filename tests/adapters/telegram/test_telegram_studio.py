"""End to end with the real studio behind the Telegram bot: an album of photos and a sentence in,
a real 1080p MP4 out through sendVideo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.ffmpeg import probe
from tests.fixtures_studio import RunningStudio, StudioMedia
from tests.fixtures_telegram import (
    TgBot,
    TransportFaults,
    calls,
    message_update,
    peer_client,
    store_file,
    tg_bot_settings,
)

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_photos_and_a_prompt_become_a_real_mp4_in_the_chat(
    studio: RunningStudio, studio_media: StudioMedia, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    settings = tg_bot_settings(
        studio.url, redis_url, data_dir, render_poll_seconds=0.3, render_poll_max_seconds=1.0
    )
    client = peer_client(settings)
    bot = TgBot(client, TransportFaults(client), settings)
    await client.connect()
    try:
        photos = studio_media.photos
        updates: list[Any] = []
        for i, path in enumerate(photos):
            file_id = f"studio_photo_{i}"
            store_file(client, file_id, path.read_bytes(), path.name, "image/jpeg")
            updates.append(message_update(bot.app.bot, 11_000 + i, 11_000 + i, photo_file_id=file_id,
                                          photo_size=path.stat().st_size, media_group_id="studio_album"))
        await bot.feed(*updates)
        assert any(f"{len(photos)} photos" in text for text in bot.texts() if "📥" in text)

        prompt = "make a 6 second vertical video of my Aurora bottle"
        await bot.feed(message_update(bot.app.bot, 11_100, 11_100, text=prompt))
        await bot.feed(message_update(bot.app.bot, 11_101, 11_101, text="/export"))

        (video,) = calls(client, "sendVideo")
        assert video.file is not None
        mp4 = tmp_path / "delivered.mp4"
        mp4.write_bytes(video.file.data)
        info = probe(mp4)
        assert info.video_codec == "h264" and {info.width, info.height} == {1080, 1920}, info
        assert (video.parameters["width"], video.parameters["height"]) == (str(info.width), str(info.height))
        assert info.audio_codec == "aac"
        assert abs(int(video.parameters["duration"]) - 6) <= 1
        assert video.parameters["supports_streaming"] == "true" and video.parameters["thumbnail"]
    finally:
        await client.disconnect()
