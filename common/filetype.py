"""Decide a file's type by its content (magic bytes), never by its name.

Shared by the bot (checks before a byte is uploaded) and the studio (checks while streaming).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

MediaKind = Literal["image", "video", "audio"]

ACCEPTED_EXTENSIONS: tuple[str, ...] = (
    "mp4", "mov", "avi", "webm", "mkv", "jpg", "jpeg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac",
)
SNIFF_BYTES = 64


class FileType(BaseModel):
    model_config = ConfigDict(frozen=True)

    ext: str  # canonical extension: jpg, png, gif, webp, mp4, mov, avi, webm, mkv, mp3, wav, m4a, aac
    kind: MediaKind
    mime: str


_FTYP_AUDIO = {b"M4A ", b"M4B ", b"M4P "}
_FTYP_MOV = {b"qt  "}


def sniff_bytes(head: bytes) -> FileType | None:
    """The type of a file from its first bytes (at least 16, ideally SNIFF_BYTES), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return FileType(ext="jpg", kind="image", mime="image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType(ext="png", kind="image", mime="image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FileType(ext="gif", kind="image", mime="image/gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType(ext="webp", kind="image", mime="image/webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return FileType(ext="wav", kind="audio", mime="audio/wav")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return FileType(ext="avi", kind="video", mime="video/x-msvideo")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _FTYP_AUDIO:
            return FileType(ext="m4a", kind="audio", mime="audio/mp4")
        if brand in _FTYP_MOV:
            return FileType(ext="mov", kind="video", mime="video/quicktime")
        return FileType(ext="mp4", kind="video", mime="video/mp4")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free") and len(head) >= 8:
        return FileType(ext="mov", kind="video", mime="video/quicktime")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:SNIFF_BYTES]:
            return FileType(ext="webm", kind="video", mime="video/webm")
        return FileType(ext="mkv", kind="video", mime="video/x-matroska")
    if head.startswith(b"ID3"):
        return FileType(ext="mp3", kind="audio", mime="audio/mpeg")
    if len(head) >= 2 and head[0] == 0xFF:
        second = head[1]
        if second & 0xF6 == 0xF0:  # ADTS: 1111 0xx0 / 1111 0xx1 with layer 00
            return FileType(ext="aac", kind="audio", mime="audio/aac")
        if second & 0xE0 == 0xE0:  # MPEG audio frame sync
            return FileType(ext="mp3", kind="audio", mime="audio/mpeg")
    return None


def sniff_path(path: Path) -> FileType | None:
    with open(path, "rb") as fh:
        return sniff_bytes(fh.read(SNIFF_BYTES))
