"""Webhook mode against PTB's own webhook server on loopback, with real HTTP requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.telegram.run import webhook_options
from tests.fixtures_telegram import (
    USER_ID,
    TgBot,
    TransportFaults,
    calls,
    chat_dict,
    peer_client,
    tg_bot_settings,
    user_dict,
)
from tests.ports import free_port

SECRET = "s3cret-webhook_token"
HEADER = "X-Telegram-Bot-Api-Secret-Token"



class Webhook:
    def __init__(self, bot: TgBot, url: str) -> None:
        self.bot = bot
        self.url = url

    async def post(self, body: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {HEADER: secret} if secret is not None else {}
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.post(self.url, json=body, headers=headers)

    async def settle(self, quiet: float = 0.5, limit: float = 20.0) -> None:
        """Wait until the bot made no Bot API call (drafts included) for `quiet` seconds."""
        deadline = time.monotonic() + limit
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            n = len(self.bot.client._api_calls) + len(self.bot.faults.drafts)
            if n != seen:
                seen, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            await asyncio.sleep(0.05)


@pytest.fixture
async def webhook(redis: Any, redis_url: str, data_dir: Path, fake_nemo: Any) -> AsyncIterator[Webhook]:
    port = free_port()
    settings = tg_bot_settings(
        fake_nemo.url, redis_url, data_dir,
        telegram_bot_token="123:ABC",
        telegram_webhook_url="https://bot.example.com/telegram",
        telegram_webhook_secret=SECRET,
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
    )
    client = peer_client(settings)
    stub = client._request
    stub._handlers["setWebhook"] = stub._handle_ack
    stub._handlers["deleteWebhook"] = stub._handle_ack
    faults = TransportFaults(client)
    await client.connect()  # initialize + post_init, as run_webhook does
    app = client._application
    assert app.updater is not None
    await app.updater.start_webhook(**webhook_options(settings))
    await app.start()
    try:
        yield Webhook(TgBot(client, faults, settings), f"http://127.0.0.1:{port}/telegram")
    finally:
        await app.updater.stop()
        await app.stop()
        await client.disconnect()


def text_update(update_id: int, text: str) -> dict[str, Any]:
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat_dict(),
               "from": user_dict(), "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def test_webhook_is_registered_with_its_secret(webhook: Webhook) -> None:
    (call,) = calls(webhook.bot.client, "setWebhook")
    assert call.parameters["url"] == "https://bot.example.com/telegram"
    assert call.parameters["secret_token"] == SECRET


async def test_right_secret_is_accepted_and_answered(webhook: Webhook) -> None:
    response = await webhook.post(text_update(1001, "/help"))
    assert response.status_code == 200
    await webhook.settle()
    sent = calls(webhook.bot.client, "sendMessage")
    assert sent and all(c.parameters["chat_id"] == str(USER_ID) for c in sent)
    assert "/export" in webhook.bot.texts()[-1]


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
async def test_missing_or_wrong_secret_is_refused(webhook: Webhook, secret: str | None) -> None:
    response = await webhook.post(text_update(1002, "/help"), secret=secret)
    assert response.status_code == 403
    await webhook.settle(quiet=0.3)
    assert calls(webhook.bot.client, "sendMessage") == []


async def test_a_repeated_update_is_processed_once(webhook: Webhook) -> None:
    body = text_update(1003, "/help")
    first, second = await webhook.post(body), await webhook.post(body)
    assert (first.status_code, second.status_code) == (200, 200)
    await webhook.settle()
    assert len(calls(webhook.bot.client, "sendMessage")) == 1


async def test_the_answer_comes_at_once_and_the_work_after(webhook: Webhook, fake_nemo: Any) -> None:
    fake_nemo.turn_pause = 0.3  # a slow chat turn: several seconds of streaming
    started = time.monotonic()
    response = await webhook.post(text_update(1004, "create a video about my bakery"))
    answered = time.monotonic() - started
    assert response.status_code == 200 and answered < 0.5
    await webhook.settle(quiet=1.0, limit=30)
    assert time.monotonic() - started > 1.0  # the turn went on well after the 200
    assert any("bakery" in text for text in webhook.bot.texts())
