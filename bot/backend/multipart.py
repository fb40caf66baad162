"""Uploads: files checked before a byte is sent, then streamed from disk as one multipart body.

`prepare_uploads(paths, max_bytes)` decides each file's type by content and checks its size
(raising `UnsupportedFile` / `FileTooLarge`); `MultipartBody(items).stream()` is an async iterator
reading each file in chunks, so a 200 MB video never sits in memory. The body's length is known in
advance and sent as Content-Length.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.backend.errors import FileTooLarge, NemoError, UnsupportedFile
from common.filetype import ACCEPTED_EXTENSIONS, FileType, sniff_path

CHUNK_BYTES = 256 * 1024
ACCEPTED_TEXT = ", ".join(ACCEPTED_EXTENSIONS)

_KIND_OF_EXT = {
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "webp"), "image"),
    **dict.fromkeys(("mp4", "mov", "avi", "webm", "mkv"), "video"),
    **dict.fromkeys(("mp3", "wav", "m4a", "aac"), "audio"),
}


@dataclass(frozen=True)
class UploadItem:
    path: Path
    filename: str  # the name sent: the file's own, with an extension matching its content
    mime: str
    size: int


def upload_name(path: Path, found: FileType) -> str:
    """The file's name, or its stem with the sniffed extension when the name's says something else."""
    ext = path.suffix.lower().lstrip(".")
    if _KIND_OF_EXT.get(ext) == found.kind:
        return path.name
    return f"{path.stem or 'upload'}.{found.ext}"


def prepare_uploads(paths: Iterable[Path | str], max_bytes: int) -> list[UploadItem]:
    """Check every file (type by content, size) before anything is sent."""
    items: list[UploadItem] = []
    for raw in paths:
        path = Path(raw)
        try:
            size = path.stat().st_size
            found = sniff_path(path) if path.is_file() else None
        except OSError:
            raise NemoError(f"cannot read the file {path.name}") from None
        if found is None:
            raise UnsupportedFile(f"{path.name}: unsupported file type (accepted: {ACCEPTED_TEXT})")
        if size > max_bytes:
            raise FileTooLarge(f"{path.name}: {size} bytes, the limit is {max_bytes} bytes")
        items.append(UploadItem(path, upload_name(path, found), found.mime, size))
    return items


def _quote(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody:
    """A multipart/form-data body of files in one repeated field, streamed from disk."""

    def __init__(self, items: list[UploadItem], field: str = "files") -> None:
        self.items = items
        self.boundary = secrets.token_hex(16)
        self._heads = [
            (
                f"--{self.boundary}\r\n"
                f'Content-Disposition: form-data; name="{field}"; filename="{_quote(item.filename)}"\r\n'
                f"Content-Type: {item.mime}\r\n\r\n"
            ).encode()
            for item in items
        ]
        self._tail = f"--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def content_length(self) -> int:
        return sum(len(h) + item.size + 2 for h, item in zip(self._heads, self.items, strict=True)) + len(
            self._tail
        )

    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.content_length)}

    async def stream(self) -> AsyncIterator[bytes]:
        for head, item in zip(self._heads, self.items, strict=True):
            yield head
            with item.path.open("rb") as fh:
                remaining = item.size
                while remaining > 0:
                    chunk = await asyncio.to_thread(fh.read, min(CHUNK_BYTES, remaining))
                    if not chunk:
                        raise NemoError(f"{item.filename} changed while it was being uploaded")
                    remaining -= len(chunk)
                    yield chunk
            yield b"\r\n"
        yield self._tail
