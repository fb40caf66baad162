"""Telegram messages in: what was sent, whether it was meant for us, and the files behind it.

Pure functions over PTB objects (no engine, no store), so each quirk is testable on its own:
the largest photo size, image/video documents, captions as text, `/cmd@OurBot` commands, the
bot's @mention stripped in groups, `file_size` checked before any `getFile`.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from telegram import Bot, Message, MessageEntity
from telegram.constants import ChatType

from bot.channel.events import Attachment, AttachmentKind

log = logging.getLogger(__name__)

MB = 1024 * 1024
CLOUD_MAX_DOWNLOAD = 20 * MB  # getFile on the cloud Bot API
DOWNLOAD_TIMEOUT = 300.0

SizeProblem = Literal["cloud_limit", "backend_limit"]

_SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


class MediaRef(BaseModel):
    """One file of a message, as Telegram describes it before we download anything."""

    model_config = ConfigDict(frozen=True)

    file_id: str
    file_unique_id: str
    filename: str
    kind: AttachmentKind
    size: int | None = None
    mime: str | None = None


def is_group(message: Message) -> bool:
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def _ext(mime: str | None, default: str) -> str:
    guessed = mimetypes.guess_extension(mime or "") if mime else None
    return {".jpe": ".jpg", ".jpeg": ".jpg"}.get(guessed or "", guessed or default)


def _kind_of_mime(mime: str | None) -> AttachmentKind:
    major = (mime or "").split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return major  # type: ignore[return-value]
    return "document"


def safe_filename(name: str) -> str:
    """A file name that is safe on any disk (no directories, no odd characters)."""
    base = Path(name).name
    cleaned = _SAFE_NAME_RE.sub("_", base).strip("._") or "file"
    return cleaned[-120:]


def media_of(message: Message) -> MediaRef | None:
    """The file a message carries (photos: the largest size), or None for a text-only message."""
    if message.photo:
        biggest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return MediaRef(
            file_id=biggest.file_id,
            file_unique_id=biggest.file_unique_id,
            filename=f"photo_{biggest.file_unique_id}.jpg",
            kind="image",
            size=biggest.file_size,
            mime="image/jpeg",
        )
    if message.document:
        d = message.document
        mime = d.mime_type or mimetypes.guess_type(d.file_name or "")[0]
        name = d.file_name or f"document_{d.file_unique_id}{_ext(mime, '.bin')}"
        kind = _kind_of_mime(mime)
        return MediaRef(
            file_id=d.file_id, file_unique_id=d.file_unique_id, filename=name, kind=kind,
            size=d.file_size, mime=mime,
        )
    for attr, kind, default_ext in (
        ("video", "video", ".mp4"),
        ("animation", "video", ".mp4"),
        ("video_note", "video", ".mp4"),
        ("audio", "audio", ".mp3"),
        ("voice", "audio", ".ogg"),
    ):
        media = getattr(message, attr, None)
        if media is None:
            continue
        mime = getattr(media, "mime_type", None) or ("video/mp4" if kind == "video" else None)
        name = getattr(media, "file_name", None) or f"{attr}_{media.file_unique_id}{_ext(mime, default_ext)}"
        return MediaRef(
            file_id=media.file_id, file_unique_id=media.file_unique_id, filename=name,
            kind=kind,
            size=media.file_size, mime=mime,
        )
    return None


def size_problem(ref: MediaRef, *, local_mode: bool, max_upload_bytes: int) -> SizeProblem | None:
    """Why this file cannot be taken, decided from `file_size` alone (before any getFile)."""
    if ref.size is None:
        return None
    if not local_mode and ref.size > CLOUD_MAX_DOWNLOAD:
        return "cloud_limit"
    if ref.size > max_upload_bytes:
        return "backend_limit"
    return None


def megabytes(size: int) -> str:
    """"23 MB", "1.5 MB": a file size the way the size refusals write it."""
    mb = size / MB
    return f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def _entities(message: Message) -> dict[MessageEntity, str]:
    if message.text is not None:
        return message.parse_entities()
    return message.parse_caption_entities()


def _mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    for entity, value in _entities(message).items():
        if entity.type == MessageEntity.MENTION and value.lower() == f"@{username.lower()}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id:
            return True
    return False


def _command_target(text: str) -> tuple[str, str | None] | None:
    """('/cmd', 'botname' or None) when the text starts with a command."""
    m = re.match(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)", text)
    return (m.group(1), m.group(2)) if m else None


def addressed_to_bot(message: Message, username: str, bot_id: int) -> bool:
    """Private chats: always. Groups: our commands, replies to us, and @mentions of us."""
    if not is_group(message):
        return True
    text = message.text or message.caption or ""
    command = _command_target(text)
    if command is not None:
        return command[1] is None or command[1].lower() == username.lower()
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    return _mentions_bot(message, username, bot_id)


def clean_text(message: Message, username: str) -> str:
    """Text or caption, with `/cmd@OurBot` → `/cmd` and our @mention removed."""
    text = message.text or message.caption or ""
    command = _command_target(text)
    if command is not None and command[1] is not None:
        text = f"/{command[0]}" + text[len(f"/{command[0]}@{command[1]}") :]
    if username:
        text = re.sub(rf"(?<!\w)@{re.escape(username)}\b", "", text, flags=re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def is_token_command(text: str) -> bool:
    command = _command_target(text)
    return command is not None and command[0].lower() == "token"


def _free_path(dest_dir: Path, name: str) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest, n = dest_dir / name, 1
    while dest.exists():
        dest, n = dest_dir / f"{n}_{name}", n + 1
    return dest


async def download(bot: Bot, ref: MediaRef, dest_dir: Path) -> Attachment:
    """getFile + download into `dest_dir` (created); raises TelegramError / OSError on failure."""
    dest = _free_path(dest_dir, safe_filename(ref.filename))
    tg_file = await bot.get_file(ref.file_id, read_timeout=DOWNLOAD_TIMEOUT)
    await tg_file.download_to_drive(dest, read_timeout=DOWNLOAD_TIMEOUT)
    size = dest.stat().st_size
    log.debug("downloaded %s (%d bytes)", dest.name, size)
    return Attachment(filename=ref.filename, kind=ref.kind, path=dest, size=size, mime=ref.mime)

