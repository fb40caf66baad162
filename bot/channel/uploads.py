"""The one upload-size refusal: a file above `VIDEOBOT_MAX_UPLOAD_MB` is refused with the same words
wherever it is noticed — by an adapter from the platform's file size before a byte is downloaded,
by the engine on the downloaded file, or by the backend (4002, size unknown here)."""

from __future__ import annotations

from bot.i18n import t

MB = 1024 * 1024


def too_large(lang: str | None, name: str, size: int | None, limit_mb: int) -> str:
    """"⚠️ clip.mov is too large (230 MB); the limit is 200 MB per file. …" ("?" for what is unknown)."""
    shown = f"{size / MB:.0f}" if size is not None else "?"
    return t(lang, "upload.too_large", name=name or "?", size=shown, limit=limit_mb)


def size_refusal(lang: str | None, name: str, size: int | None, limit_mb: int) -> str | None:
    """The refusal for a file of `size` bytes, or None when it fits (or its size is not known)."""
    if size is None or size <= limit_mb * MB:
        return None
    return too_large(lang, name, size, limit_mb)
