"""PTB handlers: a Telegram update in, one `Incoming` to the engine, a `TelegramReply` for its answers.

Thin by design: who sent what where, whether it was meant for us, the files behind it (size checked
before `getFile`, downloaded to a temp dir under the data dir, removed when the turn is done),
albums folded into one message. Everything the user is told about the conversation is the engine's.
"""

from __future__ import annotations

import logging
import shutil
import uuid
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
    megabytes,
    size_problem,
)
from adapters.telegram.reply import DraftChats, TelegramReply, limits_for
from bot.channel.events import Attachment, Incoming, quietly
from bot.channel.uploads import has_words, too_large
from bot.engine.host import BotHost
from bot.i18n import TELEGRAM, language_for, t
from bot.ids import ChatRef, UserKey
from bot.state.store import StoreUnavailable
from common.logs import new_request_id

log = logging.getLogger(__name__)



def _user_name(user: User) -> str | None:
    return user.username or user.full_name or None


class Handlers:
    """The Application's callbacks; the host runs the turns (and stops them at shutdown)."""

    def __init__(self, host: BotHost) -> None:
        self._host = host
        self.drafts = DraftChats()  # chats that refused native drafts (this process)

    # --- messages ----------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        new_request_id()
        host = self._host
        bot = context.bot
        user = message.from_user
        group = is_group(message)
        addressed = addressed_to_bot(message, bot.username, bot.id)
        text = clean_text(message, bot.username)
        reply = self._reply(host, bot, message)

        if addressed and is_token_command(text):
            await self._delete_quietly(bot, message)  # the token must not stay in the chat
            if group:
                await reply.send_text(TELEGRAM(user.language_code, "token_in_group"))
                return

        media = media_of(message)
        if media is not None and message.media_group_id:
            part = AlbumPart(
                update_id=update.update_id, message_id=message.message_id, media=media,
                text=text, addressed=addressed,
            )
            collector = AlbumCollector(host.runtime.store.updates, host.settings.album_wait_seconds)
            try:
                chat = ChatRef.of("telegram", message.chat_id)
                parts = await collector.add(chat, message.media_group_id, part)
            except StoreUnavailable:
                log.warning("album part %s lost: the store is unavailable", update.update_id)
                await reply.send_text(t(language_for(user.language_code), "memory"))
                return
            if parts is None or (group and not any(p.addressed for p in parts)):
                return
            caption = "\n".join(p.text for p in parts if p.text)
            await self._deliver(
                bot, message, user, reply, caption, [p.media for p in parts],
                update_id=f"album:{message.media_group_id}",
            )
            return

        if not addressed or (group and media is None and not text):
            return
        await self._deliver(
            bot, message, user, reply, text, [media] if media else [], update_id=str(update.update_id)
        )

    async def _deliver(
        self,
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
            refusal = self._refusal(ref, lang)
            if refusal is None:
                usable.append(ref)
            else:
                await reply.send_text(refusal)
        if refs and not usable and not has_words(text):
            return  # refused, said; a caption sent with the files still runs without them
        tmp = self._host.settings.data_dir / "tmp" / "telegram" / uuid.uuid4().hex
        try:
            attachments = await self._download_all(bot, reply, usable, tmp, lang)
            if usable and not attachments and not has_words(text):
                return
            incoming = Incoming(
                user=UserKey.of("telegram", user.id),
                chat=ChatRef.of("telegram", message.chat_id),
                text=text,
                attachments=attachments,
                locale=user.language_code,
                update_id=update_id,
                is_group=is_group(message),
                user_name=_user_name(user),
            )
            await self._host.handle(incoming, reply)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _refusal(self, ref: MediaRef, lang: str | None) -> str | None:
        """The words for a file we will not fetch, decided from `file_size` before any getFile."""
        settings = self._host.settings
        problem = size_problem(
            ref,
            local_mode=settings.telegram_api_url is not None,
            max_upload_bytes=settings.max_upload_bytes,
        )
        if problem is None or ref.size is None:
            return None
        log.info("file of %d bytes refused (%s)", ref.size, problem)
        if problem == "cloud_limit":
            limit = megabytes(CLOUD_MAX_DOWNLOAD)
            return TELEGRAM(lang, "cloud_file_limit", size=megabytes(ref.size), limit=limit)
        return too_large(lang, ref.filename, ref.size, settings.max_upload_mb)

    async def _download_all(
        self, bot: Bot, reply: TelegramReply, refs: list[MediaRef], tmp: Path, lang: str | None
    ) -> list[Attachment]:
        """Each file on its own: one that cannot be fetched is named, the others go on."""
        if not refs:
            return []
        await reply.show_activity("typing")
        out: list[Attachment] = []
        for ref in refs:
            try:
                out.append(await download(bot, ref, tmp))
            except (TelegramError, OSError) as exc:
                log.warning("download from Telegram failed: %s", type(exc).__name__)
                words = t(language_for(lang), "upload.fetch_failed", name=ref.filename)
                await quietly(reply.send_text(words))
        return out

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
        host = self._host
        chat = message.chat
        group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        topic = isinstance(message, Message) and message.is_topic_message
        thread = message.message_thread_id if isinstance(message, Message) and topic else None
        reply = self.reply(context.bot, chat.id, is_group=group, thread_id=thread)
        incoming = Incoming(
            user=UserKey.of("telegram", query.from_user.id),
            chat=ChatRef.of("telegram", chat.id),
            text=query.data,
            locale=query.from_user.language_code,
            update_id=str(update.update_id),
            is_group=group,
            user_name=_user_name(query.from_user),
        )
        await host.handle(incoming, reply)

    # --- shared ------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        log.error(
            "error while handling a Telegram update: %s",
            type(err).__name__,
            exc_info=(type(err), err, err.__traceback__) if err is not None else None,
        )

    def _reply(self, host: BotHost, bot: Bot, message: Message) -> TelegramReply:
        thread = message.message_thread_id if message.is_topic_message else None
        return self.reply(bot, message.chat_id, is_group=is_group(message), thread_id=thread)

    def reply(self, bot: Bot, chat_id: int, *, is_group: bool, thread_id: int | None = None) -> TelegramReply:
        """The Reply for one chat, with its limits (and what this process knows about its drafts)."""
        limits = limits_for(self._host.settings, is_group=is_group, drafts=self.drafts, chat_id=chat_id)
        return TelegramReply(bot, chat_id, limits=limits, thread_id=thread_id, drafts=self.drafts)

    @staticmethod
    async def _delete_quietly(bot: Bot, message: Message) -> None:
        try:
            await bot.delete_message(message.chat_id, message.message_id)
        except TelegramError as exc:  # in groups we may lack the right to delete
            log.warning("could not delete a message holding a token: %s", type(exc).__name__)
