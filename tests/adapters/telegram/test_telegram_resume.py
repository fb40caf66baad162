"""A bot process stopped while a render is in flight: the next one delivers it, once, without a second
submit (the store keeps the job; the start-up resume pass hands it a Telegram chat again)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from adapters.telegram.app import host_of
from tests.fixtures_telegram import (
    USER_ID,
    TgBot,
    TransportFaults,
    calls,
    jpeg_bytes,
    message_update,
    peer_client,
    store_file,
)

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")


async def wait_for(condition: Any, limit: float = 15.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


async def test_a_render_in_flight_at_shutdown_is_delivered_by_the_next_start(
    tg_bot: TgBot, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    store_file(tg_bot.client, "ph1", jpeg_bytes((90, 20, 20)), "ph1.jpg", "image/jpeg")
    await tg_bot.feed(message_update(tg_bot.app.bot, 3001, 3001, photo_file_id="ph1", photo_size=700,
                                     caption="make a 5 second video"))
    fake_nemo.render_plan([("processing", 10)])  # never finishes while the first process watches
    export = asyncio.create_task(tg_bot.feed(message_update(tg_bot.app.bot, 3002, 3002, text="/export")))
    await wait_for(lambda: any(r.polls >= 1 for r in fake_nemo.renders.values()))

    stopped = await host_of(tg_bot.app).stop_turns()  # what SIGTERM does before PTB stops
    await export
    assert stopped == 1
    assert calls(tg_bot.client, "sendVideo") == []
    (render,) = fake_nemo.renders.values()
    render.steps = [("completed", 100)]  # the backend finishes the render while no bot is up

    second = peer_client(tg_bot.settings)
    TransportFaults(second)
    await second.connect()
    try:
        await host_of(second._application).wait_resumed()
        (video,) = calls(second, "sendVideo")
        assert video.parameters["chat_id"] == str(USER_ID)
        assert video.file is not None and video.file.data == fake_nemo_mp4
    finally:
        await second.disconnect()
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 1  # never re-submitted
