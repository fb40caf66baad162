"""`videobot telegram` start-up: settings checks, the webhook path, the local Bot API server, the menu."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from telegram.ext import ApplicationBuilder
from tg_auto_test.test_utils.serverless_telegram_client import ServerlessTelegramClient

from adapters.telegram import build_application
from adapters.telegram.app import api_urls, register_commands
from adapters.telegram.run import check_settings, webhook_path
from app.telegram_bot import main
from tests.fixtures_telegram import TransportFaults, calls, tg_settings

TOKEN = "123456:" + "A" * 35


def test_missing_token_stops_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for var in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(var, raising=False)
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["videobot telegram: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)"]


def test_webhook_mode_requires_a_valid_secret() -> None:
    base = {"telegram_bot_token": TOKEN, "telegram_webhook_url": "https://bot.example.com/telegram"}
    assert "TELEGRAM_WEBHOOK_SECRET must be set" in str(check_settings(tg_settings(**base)))
    bad = check_settings(tg_settings(**base, telegram_webhook_secret="has spaces!"))
    assert bad is not None and "A-Z a-z 0-9 _ -" in bad and "has spaces" not in bad
    assert check_settings(tg_settings(**base, telegram_webhook_secret="s3cret_-OK")) is None
    assert check_settings(tg_settings(telegram_bot_token=TOKEN)) is None  # polling needs no secret


def test_webhook_server_listens_on_the_public_urls_path() -> None:
    assert webhook_path("https://bot.example.com/telegram") == "telegram"
    assert webhook_path("https://bot.example.com/hooks/tg/") == "hooks/tg"
    assert webhook_path("https://bot.example.com") == ""


def test_local_bot_api_server_switches_on_local_mode() -> None:
    assert api_urls("http://tg-api:8081") == ("http://tg-api:8081/bot", "http://tg-api:8081/file/bot")
    assert api_urls("http://tg-api:8081/bot/") == ("http://tg-api:8081/bot", "http://tg-api:8081/file/bot")
    settings = tg_settings(telegram_api_url="http://tg-api:8081")
    app = build_application(ApplicationBuilder().token(TOKEN), settings)
    assert app.bot.local_mode is True
    assert app.bot.base_url == f"http://tg-api:8081/bot{TOKEN}"
    assert app.bot.base_file_url == f"http://tg-api:8081/file/bot{TOKEN}"
    cloud = build_application(ApplicationBuilder().token(TOKEN), tg_settings())
    assert cloud.bot.local_mode is False and cloud.bot.base_url.startswith("https://api.telegram.org/bot")


async def test_command_menu_is_registered_in_english_and_chinese(
    bare_bot: tuple[ServerlessTelegramClient, TransportFaults],
) -> None:
    client, _ = bare_bot
    await register_commands(client._application.bot)
    english, chinese = calls(client, "setMyCommands")
    assert "language_code" not in english.parameters and chinese.parameters["language_code"] == "zh"
    names = [c["command"] for c in json.loads(english.parameters["commands"])]
    assert names == ["start", "help", "new", "status", "preview", "export", "credits", "cancel", "token"]
    zh = {c["command"]: c["description"] for c in json.loads(chinese.parameters["commands"])}
    assert zh["export"] == "导出并发送 MP4"
