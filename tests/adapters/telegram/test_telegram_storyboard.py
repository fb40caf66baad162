"""The storyboard on Telegram, through the real PTB Application on the tg-auto-test peer: a photo
(sendPhoto) after an edit and on "preview", made by the real studio; nothing, and no error, in
front of a backend without the route (the fake NemoVideo server, like the cloud)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.i18n import t
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


@pytest.mark.timeout(120)
async def test_an_edit_and_preview_send_the_studio_storyboard_as_a_photo(
    studio: RunningStudio, studio_media: StudioMedia, redis_url: str, data_dir: Path
) -> None:
    settings = tg_bot_settings(studio.url, redis_url, data_dir, storyboard_timeout_seconds=60)
    client = peer_client(settings)
    bot = TgBot(client, TransportFaults(client), settings)
    await client.connect()
    try:
        updates: list[Any] = []
        for i, path in enumerate(studio_media.photos):
            store_file(client, f"sb_photo_{i}", path.read_bytes(), path.name, "image/jpeg")
            updates.append(message_update(bot.app.bot, 12_000 + i, 12_000 + i, photo_file_id=f"sb_photo_{i}",
                                          photo_size=path.stat().st_size, media_group_id="sb_album"))
        await bot.feed(*updates)
        assert calls(client, "sendPhoto") == []  # files alone change no plan

        prompt = "make a 6 second vertical video of my Aurora bottle with the title Summer Sale"
        await bot.feed(message_update(bot.app.bot, 12_100, 12_100, text=prompt))
        (after_edit,) = calls(client, "sendPhoto")
        methods = bot.faults.methods
        assert methods.index("sendPhoto") > max(i for i, m in enumerate(methods) if m == "sendMessage")
        assert after_edit.parameters["caption"] == t("en", "preview.caption")
        assert after_edit.file is not None
        with Image.open(io.BytesIO(after_edit.file.data)) as im:
            assert im.format == "JPEG" and im.width > im.height >= 300

        await bot.feed(message_update(bot.app.bot, 12_101, 12_101, text="preview"))
        asked = calls(client, "sendPhoto")[-1]
        assert asked is not after_edit and asked.file is not None
        assert asked.file.data == after_edit.file.data  # the same draft, the same plan
        markup = json.loads(asked.parameters["reply_markup"])
        assert [b["callback_data"] for row in markup["inline_keyboard"] for b in row] == ["/export"]
    finally:
        await client.disconnect()


async def test_without_a_storyboard_route_no_photo_and_no_error(tg_bot: TgBot, fake_nemo: Any) -> None:
    await tg_bot.feed(message_update(tg_bot.app.bot, 12_200, 12_200, text="make a promo for my bakery"))
    await tg_bot.feed(message_update(tg_bot.app.bot, 12_201, 12_201, text="preview"))
    assert calls(tg_bot.client, "sendPhoto") == [] and calls(tg_bot.client, "sendDocument") == []
    texts = tg_bot.texts()
    assert any(text.startswith("Here is your draft: make a promo for my bakery") for text in texts)
    assert texts[-1].startswith("📊 ")  # "preview" without pictures: the plan in words
    assert not any("⚠️" in text for text in texts)
    assert len(fake_nemo.requests_to("/api/storyboard/*")) == 1  # asked once: 404, not asked again
