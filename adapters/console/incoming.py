"""One input line as one `Incoming`: `/attach PATH ...` carries files (a folder: the files in it),
anything else is text."""

from __future__ import annotations

import shlex
from pathlib import Path

from bot.channel.events import Attachment, Incoming
from bot.ids import ChatRef, UserKey


def _files_in(path: Path) -> list[Path]:
    """A folder given to /attach: the files in it, in name order (like choosing them all in a
    file picker); anything else: none."""
    try:
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if path.is_dir() else []
    except OSError:
        return []


def to_incoming(line: str, *, user: str, locale: str | None) -> Incoming:
    """One input line as one message: `/attach PATH ...` carries files, anything else is text."""
    text = line.strip()
    attachments: list[Attachment] = []
    if text.split(maxsplit=1)[:1] == ["/attach"]:
        try:
            parts = shlex.split(text)[1:]
        except ValueError:
            parts = text.split()[1:]
        for part in parts:
            path = Path(part).expanduser().resolve()
            for file in _files_in(path) or [path]:
                size = file.stat().st_size if file.is_file() else None
                attachments.append(Attachment(filename=file.name, path=file, size=size))
        text = ""
        if not attachments:
            text = "/attach"
    return Incoming(user=UserKey("console", user), chat=ChatRef("console", user), text=text,
                    attachments=attachments, locale=locale, user_name=user)
