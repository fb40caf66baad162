"""Discord attachments in, `bot.channel.events.Attachment` out: sizes checked first, then downloaded at once.

Attachment URLs are signed and expire, so files are fetched while the interaction (or message) is
fresh, through discord.py's own CDN access, into a temp dir under the data dir; the engine owns
the files from then on, the caller removes the dir when the turn is done. A file above
`max_upload_mb` is refused with the engine's words before a byte is downloaded.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

import discord

from bot.channel.events import Attachment, AttachmentKind
from bot.channel.uploads import size_refusal

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def kind_of(attachment: discord.Attachment) -> AttachmentKind:
    """The platform's hint from the content type (the engine decides by content)."""
    major = (attachment.content_type or "").split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return major  # type: ignore[return-value]
    return "unknown"


def safe_name(name: str) -> str:
    """A file name for the temp dir: no path parts, no surprises, keeps the extension."""
    base = _SAFE_NAME.sub("_", Path(name).name).strip("._") or "file"
    return base[-100:]


def refusal(attachment: discord.Attachment, locale: str | None, max_upload_mb: int) -> str | None:
    """The words for a file we will not fetch, decided from its size alone."""
    words = size_refusal(locale, attachment.filename, attachment.size, max_upload_mb)
    if words is not None:
        log.info("attachment of %d bytes refused (limit %d MB)", attachment.size, max_upload_mb)
    return words


def new_temp_dir(data_dir: Path) -> Path:
    return data_dir / "tmp" / "discord" / uuid.uuid4().hex


async def download(
    attachments: Sequence[discord.Attachment], dest: Path
) -> tuple[list[Attachment], list[str]]:
    """Fetch every attachment into `dest`: (the files fetched, the names of those that failed)."""
    out: list[Attachment] = []
    failed: list[str] = []
    for i, att in enumerate(attachments, start=1):
        try:
            data = await att.read()
            folder = dest / f"{i:02d}"  # one folder per file: names stay as the user sent them
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
            path = folder / safe_name(att.filename)
            await asyncio.to_thread(path.write_bytes, data)
        except (discord.HTTPException, OSError) as exc:
            log.warning("download from Discord failed: %s", type(exc).__name__)
            failed.append(att.filename)
            continue
        out.append(
            Attachment(
                filename=att.filename,
                kind=kind_of(att),
                path=path,
                size=len(data),
                mime=att.content_type,
            )
        )
    return out, failed


_MENTION = re.compile(r"<@!?(\d+)>")


def strip_mention(text: str, bot_id: int) -> str:
    """The message text without mentions of the bot."""
    cleaned = _MENTION.sub(lambda m: "" if int(m.group(1)) == bot_id else m.group(0), text)
    return " ".join(cleaned.split()) if "\n" not in cleaned else cleaned.strip()
