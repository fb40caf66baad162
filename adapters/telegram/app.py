"""`build_application(builder, settings)`: the PTB Application of the videobot Telegram bot.

The factory only adds to the builder it is given (tests hand in one whose token and transport are
already set): the local Bot API server when `TELEGRAM_API_URL` is set, concurrent updates, the
lifecycle hooks and the handlers. The `bot.engine.host.BotHost` starts in `post_init` inside PTB's
loop (services, the start-up resume pass, the adoption passes) and closes in `post_shutdown`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

from adapters.telegram.handlers import Handlers
from bot.channel.events import Reply
from bot.engine.engine import ReplyFor
from bot.engine.host import BotHost, RuntimeFactory
from bot.i18n import TELEGRAM
from bot.settings import Settings, load_settings
from bot.state.store import JobRecord

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 256  # one engine turn may last minutes (render delivery included)
# the menu, in order
COMMANDS = ("start", "help", "new", "status", "preview", "export", "credits", "cancel", "token")
_LIFECYCLE_KEY = "videobot.lifecycle"


def api_urls(api_url: str) -> tuple[str, str]:
    """(base_url, base_file_url) of a self-hosted Bot API server at `api_url`."""
    root = api_url.rstrip("/")
    root = root.removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


async def register_commands(bot: Bot) -> None:
    """The command menu in English (default) and Chinese (`language_code="zh"`)."""
    for language in (None, "zh"):
        commands = [BotCommand(name, TELEGRAM(language, f"command.{name}")) for name in COMMANDS]
        try:
            await bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            log.warning("command menu (%s) not set: %s", language or "default", type(exc).__name__)


class Lifecycle:
    """PTB's hooks around the `BotHost`: the host starts in `post_init` (inside PTB's loop) and
    closes in `post_shutdown`.

    With `handle_signals` (set by `videobot telegram`, never in tests) SIGINT/SIGTERM first stop the
    turns in flight — PTB's own shutdown would wait for them, and a turn may be polling a render for
    minutes — so their render jobs stay in Redis with their leases released, ready for the next start
    to deliver; then the Application stops gracefully (`stop_running`).
    """

    def __init__(self, host: BotHost, *, handle_signals: bool = False) -> None:
        self.host = host
        self.handlers = Handlers(host)
        self.handle_signals = handle_signals
        self._stopping = False

    async def post_init(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await self.host.start(self._reply_for(app.bot))
        await register_commands(app.bot)
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(self.stop(app)))

    async def stop(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Stop the work in flight (leaving render jobs to the next start), then the Application."""
        if self._stopping:
            return
        self._stopping = True
        log.info("stopping: %d turn(s) in flight left for the next start", await self.host.stop_turns())
        app.stop_running()

    async def post_shutdown(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await self.host.aclose()

    def _reply_for(self, bot: Bot) -> ReplyFor:
        async def reply_for(job: JobRecord) -> Reply | None:
            chat_id = job.chat.number_on("telegram")
            if chat_id is None:
                return None
            # Telegram group and supergroup ids are negative
            return self.handlers.reply(bot, chat_id, is_group=chat_id < 0)

        return reply_for


def build_application(
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any],
    settings: Settings | None = None,
    *,
    runtime: RuntimeFactory | None = None,
    handle_signals: bool = False,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Add everything the bot needs to `builder` and build the Application (not started).

    `runtime` makes the services (`videobot telegram` passes the composition root's); without
    one the installed default is used (see `bot.engine.host`)."""
    settings = settings if settings is not None else load_settings()
    if settings.telegram_api_url:
        base_url, base_file_url = api_urls(settings.telegram_api_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url).local_mode(True)
    host = BotHost(settings, platform="telegram", runtime=runtime)
    lifecycle = Lifecycle(host, handle_signals=handle_signals)
    app = (
        builder.concurrent_updates(CONCURRENT_UPDATES)
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
        .build()
    )
    handlers = lifecycle.handlers
    app.add_handler(CallbackQueryHandler(handlers.on_button, block=False))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, handlers.on_message, block=False
        )
    )
    app.add_error_handler(handlers.on_error, block=False)
    app.bot_data[_LIFECYCLE_KEY] = lifecycle
    return app


def host_of(app: Application[Any, Any, Any, Any, Any, Any]) -> BotHost:
    """The host `build_application` attached to `app` (tests stop its turns, wait on its resume pass)."""
    lifecycle = app.bot_data.get(_LIFECYCLE_KEY)
    if not isinstance(lifecycle, Lifecycle):
        raise LookupError("not an Application from build_application")
    return lifecycle.host
