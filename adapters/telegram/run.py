"""How `videobot telegram` serves: long polling by default, PTB's webhook server when
TELEGRAM_WEBHOOK_URL is set (the command itself is `app.telegram_bot`).

Webhook mode: PTB's own server listens on TELEGRAM_WEBHOOK_LISTEN:TELEGRAM_WEBHOOK_PORT at the path
of TELEGRAM_WEBHOOK_URL, registers the URL with Telegram together with TELEGRAM_WEBHOOK_SECRET, and
answers 403 to any request without that secret in `X-Telegram-Bot-Api-Secret-Token`. Updates are
answered 200 at once and worked on afterwards (concurrent updates, non-blocking handlers); a repeated
delivery of one update is dropped by the engine's `update_id` claim in Redis.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypedDict
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application

from adapters.telegram.app import build_application
from bot.engine.host import RuntimeFactory
from bot.settings import Settings

log = logging.getLogger(__name__)

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]  # all the bot handles


def webhook_path(webhook_url: str) -> str:
    """The path PTB's server listens on: the path of the public webhook URL (without the slash)."""
    return urlsplit(webhook_url).path.strip("/")


def check_settings(settings: Settings) -> str | None:
    """One line saying what is missing or wrong, or None."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        return "TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)"
    if settings.telegram_webhook_url:
        token = settings.telegram_webhook_secret
        secret = token.get_secret_value() if token is not None else ""
        if not secret:
            return "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode (1-256 of A-Z a-z 0-9 _ -)"
        if not _SECRET_RE.match(secret):
            return "TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters A-Z a-z 0-9 _ -"
    return None


class WebhookOptions(TypedDict):
    """What `Application.run_webhook` and `Updater.start_webhook` both take."""

    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str
    allowed_updates: list[str]
    drop_pending_updates: bool


def webhook_options(settings: Settings, *, drop_pending: bool = False) -> WebhookOptions:
    """PTB's webhook server for these settings (call only when TELEGRAM_WEBHOOK_URL is set)."""
    if not settings.telegram_webhook_url or settings.telegram_webhook_secret is None:
        raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
    return WebhookOptions(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=webhook_path(settings.telegram_webhook_url),
        webhook_url=settings.telegram_webhook_url,
        secret_token=settings.telegram_webhook_secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=drop_pending,
    )


def build_for_settings(
    settings: Settings, *, runtime: RuntimeFactory | None = None, handle_signals: bool = False
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application for `videobot telegram`: the token and PTB's HTTP timeouts from `settings`."""
    assert settings.telegram_bot_token is not None
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .connect_timeout(10)
        .read_timeout(30)
        .write_timeout(30)
        .media_write_timeout(600)
    )
    return build_application(builder, settings, runtime=runtime, handle_signals=handle_signals)


def run(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings, *, drop_pending: bool) -> None:
    """Serve until stopped: PTB's webhook server when TELEGRAM_WEBHOOK_URL is set, else long polling.
    Signals are the application's own (`handle_signals`), so PTB installs none."""
    if settings.telegram_webhook_url:
        log.info("webhook mode on port %d", settings.telegram_webhook_port)
        app.run_webhook(**webhook_options(settings, drop_pending=drop_pending), stop_signals=None)
    else:
        log.info("long polling")
        app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=drop_pending, stop_signals=None)
