"""`bot.channel.events.Reply` on the Telegram Bot API: one chat, the platform's limits, PTB errors translated.

Every `telegram.error` is translated in exactly one place, `translate_error`:

    RetryAfter                          → RetryLater(retry_after)   (wait the whole time)
    "message is not modified"           → NotModified               (harmless)
    "message to edit not found",
    "message can't be edited", …        → MessageGone               (send a new message)
    TimedOut on an edit                 → RetryLater(1)             (edits are idempotent)
    TimedOut on a send                  → DeliveryError             (it may have arrived)
    anything else                       → DeliveryError

A send that timed out may well have arrived, so it must never be sent again — and the streaming
layer answers a failed formatted send by resending it plain. `send_text` therefore does not raise
on a timeout: it answers an "uncertain" `MessageRef`, as if the message had arrived; editing that
ref raises `MessageGone` (the streaming layer then posts the newer text as a new message) and
deleting it does nothing. Only a timeout that proves the request never reached Telegram (httpx's
connect, pool or write timeout under PTB's `TimedOut`: no complete request left this process) is
sent once more; a second such timeout is a `DeliveryError`, so the final text is tried again
rather than taken as delivered. A read timeout (Telegram had the request) stays "uncertain".
`send_video` follows the same rule; a video that still fails is a `DeliveryError` (the engine
then sends the download link).

Native drafts (`send_draft`, Bot API 9.3+ sendMessageDraft, private chats only): a draft that
Telegram refuses (400, or 404 from a Bot API server without the method, which PTB reports as
`InvalidToken`) raises `DraftsRefused` and the chat is remembered in the `DraftChats` the reply was
given, so every later answer there streams with edits for the rest of the process.
`send_image` is sendPhoto (10 MB); a photo Telegram cannot take (dimensions) goes out as a document.

Formatted finals go out as HTML (`adapters.telegram.formatting`); when Telegram rejects the
entities the same text is sent once more without a parse mode. Mid-stream text is always plain.
Token-free: PTB's own messages never carry the bot token, and we add none.
"""

from __future__ import annotations

import datetime as dtm
import logging
import warnings
from pathlib import Path
from typing import IO, Any, Literal

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.formatting import markdown_to_html
from bot.channel.errors import DeliveryError, DraftsRefused, MessageGone, NotModified, RetryLater
from bot.channel.events import Activity, Button, ChannelLimits, ImageFile, MessageRef, VideoFile
from bot.settings import Settings

log = logging.getLogger(__name__)

MB = 1024 * 1024
CLOUD_MAX_UPLOAD = 50 * MB  # sendVideo / sendDocument through the cloud Bot API
LOCAL_MAX_UPLOAD = 2000 * MB  # with a self-hosted `telegram-bot-api --local`
MAX_PHOTO = 10 * MB  # sendPhoto
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
VIDEO_WRITE_TIMEOUT = 600.0  # seconds: a 50 MB upload on a slow uplink
VIDEO_READ_TIMEOUT = 120.0
UNCERTAIN_ID = "uncertain"  # the ref of a send that timed out (it may have arrived)

_GONE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "message not found",
    "message to delete not found",
)
_PARSE = ("can't parse entities", "can't find end of", "unsupported start tag", "unclosed start tag")

Operation = Literal["send", "edit"]


class DraftChats:
    """The chats where Telegram refused native drafts, for the life of the process (one per
    Application): their answers stream with edits."""

    def __init__(self) -> None:
        self._refused: set[int] = set()

    def refused(self, chat_id: int) -> bool:
        return chat_id in self._refused

    def refuse(self, chat_id: int) -> None:
        self._refused.add(chat_id)


def limits_for(
    settings: Settings, *, is_group: bool, drafts: DraftChats | None = None, chat_id: int | None = None
) -> ChannelLimits:
    """The limits of one Telegram chat under these settings (local Bot API server lifts uploads).
    Native drafts in private chats only, unless `drafts` remembers that this chat refused them."""
    refused = drafts is not None and chat_id is not None and drafts.refused(chat_id)
    return ChannelLimits(
        platform="telegram",
        max_text=MAX_TEXT,
        max_caption=MAX_CAPTION,
        edit_interval=settings.telegram_group_edit_interval if is_group else settings.telegram_edit_interval,
        max_video_bytes=LOCAL_MAX_UPLOAD if settings.telegram_api_url else CLOUD_MAX_UPLOAD,
        supports_buttons=True,
        supports_edit=True,
        supports_documents=True,  # long texts are still split (no long_text_messages), as in any chat
        max_image_bytes=MAX_PHOTO,
        supports_drafts=settings.telegram_drafts and not is_group and not refused,
        draft_interval=settings.telegram_draft_interval,
    )


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type becomes timedelta in 23
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def translate_error(exc: TelegramError, op: Operation) -> DeliveryError:
    """The one mapping from PTB's exceptions to the conditions `bot.channel.streaming` understands."""
    if isinstance(exc, RetryAfter):
        return RetryLater(_retry_seconds(exc))
    text = str(exc).lower()
    if isinstance(exc, BadRequest):
        if "not modified" in text:
            return NotModified(str(exc))
        if any(marker in text for marker in _GONE):
            return MessageGone(str(exc))
    if isinstance(exc, TimedOut):
        if op == "edit":
            return RetryLater(1.0)
        return DeliveryError("Telegram timed out; the message may have arrived, so it is not re-sent")
    return DeliveryError(f"Telegram refused the {op}: {type(exc).__name__}: {exc}")


def never_sent(exc: TimedOut) -> bool:
    """The timeout came before a whole request left us (connect, pool or write): Telegram cannot
    have acted on it, so sending again is safe. PTB keeps httpx's exception as the cause."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteTimeout)


def utf16_units(text: str) -> int:
    """Length as Telegram counts it (an emoji like 🎬 counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def fit_caption(caption: str, limit: int = MAX_CAPTION) -> str:
    """The caption, cut to `limit` UTF-16 units with "…" when longer."""
    if utf16_units(caption) <= limit:
        return caption
    end = min(len(caption), limit - 1)
    while end > 0 and utf16_units(caption[:end]) > limit - 1:
        end -= 1
    return caption[:end].rstrip() + "…"


def _is_parse_error(exc: TelegramError) -> bool:
    text = str(exc).lower()
    return isinstance(exc, BadRequest) and any(marker in text for marker in _PARSE)


def keyboard(buttons: list[Button] | None, per_row: int = 2) -> InlineKeyboardMarkup | None:
    """The engine's buttons as an inline keyboard; callback data is the action (≤ 64 bytes)."""
    if not buttons:
        return None
    usable = []
    for b in buttons:
        if len(b.action.encode("utf-8")) > MAX_CALLBACK_DATA:
            log.warning("button %r dropped: its action is longer than 64 bytes", b.label)
            continue
        usable.append(InlineKeyboardButton(b.label, callback_data=b.action))
    if not usable:
        return None
    return InlineKeyboardMarkup([usable[i : i + per_row] for i in range(0, len(usable), per_row)])


def _ref(message: Message | bool) -> MessageRef:
    if not isinstance(message, Message):  # inline-message edits answer True; we never make those
        raise DeliveryError("Telegram answered without a message")
    return MessageRef(id=str(message.message_id), chat_id=str(message.chat_id))


class TelegramReply:
    """What the engine can do in one Telegram chat (a forum topic when `thread_id` is set)."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        *,
        limits: ChannelLimits,
        thread_id: int | None = None,
        drafts: DraftChats | None = None,
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._limits = limits
        self._thread_id = thread_id
        self._drafts = drafts

    @property
    def limits(self) -> ChannelLimits:
        return self._limits

    @property
    def chat_id(self) -> int:
        return self._chat_id

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        markup = keyboard(buttons)
        if formatted:
            try:
                msg = await self._send_message(
                    markdown_to_html(text), parse_mode=ParseMode.HTML, reply_markup=markup
                )
                return _ref(msg)
            except TimedOut as exc:
                return self._uncertain(exc)
            except TelegramError as exc:
                if not _is_parse_error(exc):
                    raise translate_error(exc, "send") from None
                log.info("Telegram refused the formatting; sending the text plain")
        try:
            msg = await self._send_message(text, reply_markup=markup)
        except TimedOut as exc:
            return self._uncertain(exc)
        except TelegramError as exc:
            raise translate_error(exc, "send") from None
        return _ref(msg)

    async def _send_message(self, text: str, **kw: Any) -> Message:
        """sendMessage; once more after a timeout that proves the first never reached Telegram."""
        try:
            return await self._bot.send_message(self._chat_id, text, message_thread_id=self._thread_id, **kw)
        except TimedOut as exc:
            if not never_sent(exc):
                raise
            log.info("Telegram could not be reached in time; sending the message once more")
        return await self._bot.send_message(self._chat_id, text, message_thread_id=self._thread_id, **kw)

    def _uncertain(self, exc: TimedOut) -> MessageRef:
        if never_sent(exc):
            raise DeliveryError("Telegram could not be reached; the message was not sent") from None
        log.warning("Telegram timed out on a send; it may have arrived, so it is not sent again")
        return MessageRef(id=UNCERTAIN_ID, chat_id=str(self._chat_id))

    async def edit_text(
        self, ref: MessageRef, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        if ref.id == UNCERTAIN_ID:
            raise MessageGone("the message's send timed out; its id is unknown")
        markup = keyboard(buttons)
        message_id = int(ref.id)
        if formatted:
            try:
                msg = await self._bot.edit_message_text(
                    markdown_to_html(text),
                    chat_id=self._chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                return _ref(msg)
            except TelegramError as exc:
                if not _is_parse_error(exc):
                    raise translate_error(exc, "edit") from None
                log.info("Telegram refused the formatting; editing the text plain")
        try:
            msg = await self._bot.edit_message_text(
                text, chat_id=self._chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramError as exc:
            raise translate_error(exc, "edit") from None
        return _ref(msg)

    async def delete(self, ref: MessageRef) -> None:
        if ref.id == UNCERTAIN_ID:
            return
        try:
            await self._bot.delete_message(self._chat_id, int(ref.id))
        except TelegramError as exc:
            err = translate_error(exc, "send")
            if isinstance(err, MessageGone):
                return
            raise err from None

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """sendVideo with streaming support, size, duration and the JPEG thumbnail.

        Files are always uploaded as bytes (never as `file://` paths, which only work when the
        local Bot API server shares our disk).
        """
        caption = fit_caption(caption)
        try:
            return await self._send_video_once(video, caption, buttons)
        except TimedOut as exc:
            if not never_sent(exc):
                raise translate_error(exc, "send") from None
            log.info("Telegram could not be reached in time; sending the video once more")
        try:
            return await self._send_video_once(video, caption, buttons)
        except TimedOut as exc:
            raise translate_error(exc, "send") from None

    async def _send_video_once(
        self, video: VideoFile, caption: str, buttons: list[Button] | None
    ) -> MessageRef:
        """One sendVideo; a `TimedOut` is left to the caller, other errors are translated."""
        thumb: IO[bytes] | None = None
        try:
            with video.path.open("rb") as body:
                thumb = _open_thumbnail(video.thumbnail)
                msg = await self._bot.send_video(
                    self._chat_id,
                    video=body,
                    filename=video.path.name,
                    caption=caption or None,
                    width=video.width,
                    height=video.height,
                    duration=max(1, round(video.duration)),
                    thumbnail=thumb,
                    supports_streaming=True,
                    reply_markup=keyboard(buttons),
                    message_thread_id=self._thread_id,
                    write_timeout=VIDEO_WRITE_TIMEOUT,
                    read_timeout=VIDEO_READ_TIMEOUT,
                )
        except TimedOut:
            raise
        except TelegramError as exc:
            raise translate_error(exc, "send") from None
        except OSError as exc:
            raise DeliveryError(f"the video file cannot be read: {exc.strerror}") from None
        finally:
            if thumb is not None:
                thumb.close()
        return _ref(msg)

    async def send_document(
        self, filename: str, data: bytes, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """sendDocument with the bytes and a caption (cut to Telegram's caption limit)."""
        try:
            msg = await self._bot.send_document(
                self._chat_id,
                document=data,
                filename=filename,
                caption=fit_caption(caption) or None,
                reply_markup=keyboard(buttons),
                message_thread_id=self._thread_id,
            )
        except TelegramError as exc:
            raise translate_error(exc, "send") from None
        return _ref(msg)

    async def send_image(
        self, image: ImageFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """sendPhoto with the bytes and a caption; a photo Telegram cannot take (its dimensions or
        format) goes out once more as a document."""
        if image.size > MAX_PHOTO:
            raise DeliveryError(f"the picture is {image.size} bytes; Telegram photos take {MAX_PHOTO}")
        try:
            msg = await self._bot.send_photo(
                self._chat_id,
                photo=image.data,
                filename=image.filename,
                caption=fit_caption(caption) or None,
                reply_markup=keyboard(buttons),
                message_thread_id=self._thread_id,
            )
        except BadRequest as exc:
            if not any(word in str(exc).lower() for word in ("photo", "image", "dimension")):
                raise translate_error(exc, "send") from None
            log.info("Telegram refused the photo (%s); sending it as a document", exc)
            return await self.send_document(image.filename, image.data, caption, buttons=buttons)
        except TelegramError as exc:
            raise translate_error(exc, "send") from None
        return _ref(msg)

    async def send_draft(self, draft_id: int, text: str) -> None:
        """sendMessageDraft (Bot API 9.3+): `text` as this private chat's animated draft."""
        if not self._limits.supports_drafts:
            raise DraftsRefused("drafts are off in this chat")
        try:
            await self._bot.send_message_draft(
                self._chat_id, draft_id, text=text, message_thread_id=self._thread_id
            )
        except RetryAfter as exc:
            raise RetryLater(_retry_seconds(exc)) from None
        except TimedOut:
            raise RetryLater(1.0) from None  # a draft is idempotent: the next one replaces it
        except (BadRequest, InvalidToken) as exc:
            # 400: drafts refused in this chat; 404 (PTB: InvalidToken, although every other call
            # works with the same token): the Bot API server predates sendMessageDraft
            log.info("Telegram refused sendMessageDraft in chat %s: %s", self._chat_id, type(exc).__name__)
            if self._drafts is not None:
                self._drafts.refuse(self._chat_id)
            self._limits = self._limits.model_copy(update={"supports_drafts": False})
            raise DraftsRefused(str(exc)) from None
        except TelegramError as exc:
            raise translate_error(exc, "send") from None

    async def show_activity(self, activity: Activity) -> None:
        action = ChatAction.UPLOAD_VIDEO if activity == "upload_video" else ChatAction.TYPING
        try:
            await self._bot.send_chat_action(self._chat_id, action, message_thread_id=self._thread_id)
        except TelegramError as exc:  # an indicator is never worth failing a turn for
            log.debug("chat action not shown: %s", type(exc).__name__)


def _open_thumbnail(path: Path | None) -> IO[bytes] | None:
    if path is None:
        return None
    try:
        return path.open("rb")
    except OSError:
        log.warning("thumbnail %s cannot be read; sending the video without it", path.name)
        return None
