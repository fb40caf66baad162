"""`build_application(builder, settings)`: the PTB Application of the videobot Telegram bot.

The factory only adds to the builder it is given (tests hand in one whose token and transport are
already set): the local Bot API server when `TELEGRAM_API_URL` is set, concurrent updates, the
lifecycle hooks and the handlers. Services (store, backend client, engine) are created in
`post_init` inside PTB's loop and closed in `post_shutdown`; undelivered renders are resumed in the
background right after start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from adapters.telegram.handlers import Handlers
from adapters.telegram.reply import TelegramReply, limits_for
from adapters.telegram.texts import EN, ZH
from app.runtime import Runtime, start_runtime
from bot.channel.events import Reply
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 256  # one engine turn may last minutes (render delivery included)
_LIFECYCLE_KEY = "videobot.lifecycle"


def api_urls(api_url: str) -> tuple[str, str]:
    """(base_url, base_file_url) of a self-hosted Bot API server at `api_url`."""
    root = api_url.rstrip("/")
    root = root.removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


async def register_commands(bot: Bot) -> None:
    """The command menu in English (default) and Chinese (`language_code="zh"`)."""
    for language, texts in ((None, EN), ("zh", ZH)):
        commands = [BotCommand(name, description) for name, description in texts.commands.items()]
        try:
            await bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            log.warning("command menu (%s) not set: %s", language or "default", type(exc).__name__)


class Lifecycle:
    """Owns the runtime between post_init and post_shutdown.

    With `handle_signals` (set by `videobot telegram`, never in tests) SIGINT/SIGTERM first stop the
    turns in flight — PTB's own shutdown would wait for them, and a turn may be polling a render for
    minutes — so their render jobs stay in Redis with their leases released, ready for the next start
    to deliver; then the Application stops gracefully (`stop_running`).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._runtime: Runtime | None = None
        self._resume_task: asyncio.Task[None] | None = None
        self._adopt_task: asyncio.Task[None] | None = None
        self.handlers = Handlers(self.runtime)
        self.handle_signals = False
        self._stopping = False

    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the Telegram bot's services are not started (post_init has not run)")
        return self._runtime

    async def post_init(self, app: Application) -> None:
        self._runtime = await start_runtime(self._settings, label="telegram")
        await register_commands(app.bot)
        self._resume_task = asyncio.create_task(self._resume(app.bot), name="telegram-resume")
        # renders whose bot process died while polling are adopted by any live process
        self._adopt_task = asyncio.create_task(
            self._runtime.engine.adopt_orphans(self._reply_for(app.bot)), name="telegram-adopt"
        )
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(self.stop(app)))

    async def stop(self, app: Application) -> None:
        """Stop the work in flight (leaving render jobs to the next start), then the Application."""
        if self._stopping:
            return
        self._stopping = True
        log.info("stopping: %d turn(s) in flight left for the next start", await self.stop_work())
        app.stop_running()

    async def stop_work(self) -> int:
        """Cancel the resume and adoption passes and every turn in flight; returns how many turns
        were stopped."""
        tasks = (self._resume_task, self._adopt_task)
        self._resume_task = self._adopt_task = None
        for task in tasks:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return await self.handlers.cancel_turns()

    async def post_shutdown(self, app: Application) -> None:
        await self.stop_work()
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            await runtime.aclose()

    async def wait_resumed(self) -> None:
        """For tests and tools: wait until the start-up resume pass is over."""
        if self._resume_task is not None:
            await asyncio.shield(self._resume_task)

    def _reply_for(self, bot: Bot) -> Callable[[object], Awaitable[Reply | None]]:
        runtime = self.runtime()

        async def reply_for(job: object) -> Reply | None:
            if getattr(job, "platform", None) != "telegram":
                return None
            try:
                chat_id = int(str(getattr(job, "chat_id", "")))
            except ValueError:
                return None
            # Telegram group and supergroup ids are negative
            return TelegramReply(bot, chat_id, limits=limits_for(runtime.settings, is_group=chat_id < 0))

        return reply_for

    async def _resume(self, bot: Bot) -> None:
        try:
            resumed = await self.runtime().engine.resume(self._reply_for(bot))
        except Exception:
            log.exception("resuming undelivered renders failed")
            return
        if resumed:
            log.info("resumed %d undelivered render(s)", resumed)


def build_application(builder: ApplicationBuilder, settings: Settings | None = None) -> Application:
    """Add everything the bot needs to `builder` and build the Application (not started)."""
    settings = settings if settings is not None else load_settings()
    if settings.telegram_api_url:
        base_url, base_file_url = api_urls(settings.telegram_api_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url).local_mode(True)
    lifecycle = Lifecycle(settings)
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


def lifecycle_of(app: Application) -> Lifecycle:
    """The lifecycle `build_application` attached to `app` (tests wait on its resume pass)."""
    lifecycle = app.bot_data.get(_LIFECYCLE_KEY)
    if not isinstance(lifecycle, Lifecycle):
        raise LookupError("not an Application from build_application")
    return lifecycle
