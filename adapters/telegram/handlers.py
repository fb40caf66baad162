"""PTB handlers: a Telegram update in, one `Incoming` to the engine, a `TelegramReply` for its answers.

Thin by design: who sent what where, whether it was meant for us, the files behind it (size checked
before `getFile`, downloaded to a temp dir under the data dir, removed when the turn is done),
albums folded into one message. Everything the user is told about the conversation is the engine's.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from telegram import Bot, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.albums import AlbumCollector, AlbumPart
from adapters.telegram.incoming import (
    CLOUD_MAX_DOWNLOAD,
    MediaRef,
    addressed_to_bot,
    clean_text,
    download,
    is_group,
    is_token_command,
    media_of,
    size_problem,
)
from adapters.telegram.reply import TelegramReply, limits_for
from adapters.telegram.texts import megabytes, texts_for
from app.runtime import Runtime
from bot.channel.events import Attachment, Incoming
from bot.i18n import language_for, t
from bot.state.store import StoreUnavailable
from common.logs import new_request_id

log = logging.getLogger(__name__)

MB = 1024 * 1024
CANCEL_GRACE_SECONDS = 5.0  # how long a stopped turn may take to release its leases


def _user_name(user: User) -> str | None:
    return user.username or user.full_name or None


class Handlers:
    """The Application's callbacks; `runtime()` gives the services created in post_init."""

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self._runtime = runtime
        self._turns: set[asyncio.Task[object]] = set()

    async def cancel_turns(self) -> int:
        """Stop every engine turn in flight (at shutdown): the engine releases its render leases and
        keeps the jobs in Redis, so the next start delivers them. Returns how many were stopped."""
        running = [task for task in self._turns if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=CANCEL_GRACE_SECONDS)
        return len(running)

    # --- messages ----------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        new_request_id()
        rt = self._runtime()
        bot = context.bot
        user = message.from_user
        group = is_group(message)
        addressed = addressed_to_bot(message, bot.username, bot.id)
        text = clean_text(message, bot.username)
        reply = self._reply(rt, bot, message)

        if addressed and is_token_command(text):
            await self._delete_quietly(bot, message)  # the token must not stay in the chat
            if group:
                await reply.send_text(texts_for(user.language_code).token_in_group)
                return

        media = media_of(message)
        if media is not None and message.media_group_id:
            part = AlbumPart(
                update_id=update.update_id, message_id=message.message_id, media=media,
                text=text, addressed=addressed,
            )
            collector = AlbumCollector(rt.store, rt.settings.album_wait_seconds)
            try:
                parts = await collector.add(str(message.chat_id), message.media_group_id, part)
            except StoreUnavailable:
                log.warning("album part %s lost: the store is unavailable", update.update_id)
                await reply.send_text(t(language_for(user.language_code), "memory"))
                return
            if parts is None or (group and not any(p.addressed for p in parts)):
                return
            caption = "\n".join(p.text for p in parts if p.text)
            await self._deliver(
                rt, bot, message, user, reply, caption, [p.media for p in parts],
                update_id=f"album:{message.media_group_id}",
            )
            return

        if not addressed or (group and media is None and not text):
            return
        await self._deliver(
            rt, bot, message, user, reply, text, [media] if media else [], update_id=str(update.update_id)
        )

    async def _deliver(
        self,
        rt: Runtime,
        bot: Bot,
        message: Message,
        user: User,
        reply: TelegramReply,
        text: str,
        refs: list[MediaRef],
        *,
        update_id: str,
    ) -> None:
        """Check sizes, download, hand one Incoming to the engine, clean up the downloads."""
        lang = user.language_code
        usable = []
        for ref in refs:
            refusal = self._refusal(rt, ref, lang)
            if refusal is None:
                usable.append(ref)
            else:
                await reply.send_text(refusal)
        if refs and not usable:
            return
        tmp = rt.settings.data_dir / "tmp" / "telegram" / uuid.uuid4().hex
        try:
            attachments = await self._download_all(bot, reply, usable, tmp, lang)
            if attachments is None:
                return
            incoming = Incoming(
                platform="telegram",
                user_id=str(user.id),
                chat_id=str(message.chat_id),
                text=text,
                attachments=attachments,
                locale=user.language_code,
                update_id=update_id,
                is_group=is_group(message),
                user_name=_user_name(user),
            )
            await self._handle(rt, incoming, reply)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _refusal(self, rt: Runtime, ref: MediaRef, lang: str | None) -> str | None:
        """The words for a file we will not fetch, decided from `file_size` before any getFile."""
        problem = size_problem(
            ref,
            local_mode=rt.settings.telegram_api_url is not None,
            max_upload_bytes=rt.settings.max_upload_bytes,
        )
        if problem is None or ref.size is None:
            return None
        log.info("file of %d bytes refused (%s)", ref.size, problem)
        if problem == "cloud_limit":
            return texts_for(lang).cloud_file_limit.format(
                size=megabytes(ref.size), limit=megabytes(CLOUD_MAX_DOWNLOAD)
            )
        return t(
            language_for(lang),
            "upload.too_large",
            name=ref.filename,
            size=round(ref.size / MB),
            limit=rt.settings.max_upload_mb,
        )

    async def _download_all(
        self, bot: Bot, reply: TelegramReply, refs: list[MediaRef], tmp: Path, lang: str | None
    ) -> list[Attachment] | None:
        if not refs:
            return []
        await reply.show_activity("typing")
        try:
            return [await download(bot, ref, tmp) for ref in refs]
        except (TelegramError, OSError) as exc:
            log.warning("download from Telegram failed: %s", type(exc).__name__)
            await reply.send_text(t(language_for(lang), "upload.failed"))
            return None

    # --- buttons -----------------------------------------------------------------------------

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        new_request_id()
        try:
            await query.answer()  # stop the button's spinner at once
        except TelegramError as exc:
            log.debug("callback query not answered: %s", type(exc).__name__)
        message = query.message
        if message is None or not query.data:
            return
        rt = self._runtime()
        chat = message.chat
        group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        topic = isinstance(message, Message) and message.is_topic_message
        thread = message.message_thread_id if isinstance(message, Message) and topic else None
        reply = TelegramReply(
            context.bot, chat.id, limits=limits_for(rt.settings, is_group=group), thread_id=thread
        )
        incoming = Incoming(
            platform="telegram",
            user_id=str(query.from_user.id),
            chat_id=str(chat.id),
            text=query.data,
            locale=query.from_user.language_code,
            update_id=str(update.update_id),
            is_group=group,
            user_name=_user_name(query.from_user),
        )
        await self._handle(rt, incoming, reply)

    # --- shared ------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        log.error(
            "error while handling a Telegram update: %s",
            type(err).__name__,
            exc_info=(type(err), err, err.__traceback__) if err is not None else None,
        )

    @staticmethod
    def _reply(rt: Runtime, bot: Bot, message: Message) -> TelegramReply:
        thread = message.message_thread_id if message.is_topic_message else None
        return TelegramReply(
            bot, message.chat_id, limits=limits_for(rt.settings, is_group=is_group(message)), thread_id=thread
        )

    async def _handle(self, rt: Runtime, incoming: Incoming, reply: TelegramReply) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._turns.add(task)
        try:
            await rt.engine.handle(incoming, reply)
        except Exception:  # the engine answers its own errors; this is the last line of defence
            log.exception("the engine failed on a Telegram update")
            try:
                await reply.send_text(t(language_for(incoming.locale), "error.generic"))
            except Exception:
                log.warning("could not tell the user about the failure")
        finally:
            if task is not None:
                self._turns.discard(task)

    @staticmethod
    async def _delete_quietly(bot: Bot, message: Message) -> None:
        try:
            await bot.delete_message(message.chat_id, message.message_id)
        except TelegramError as exc:  # in groups we may lack the right to delete
            log.warning("could not delete a message holding a token: %s", type(exc).__name__)
