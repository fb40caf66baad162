"""The words for a file the bot will not use, wherever it is noticed — one line per file, naming it.

- `size_refusal` / `too_large`: a file above `VIDEOBOT_MAX_UPLOAD_MB`, refused by an adapter from
  the platform's file size before a byte is downloaded, by the engine on the downloaded file, or by
  the backend (4002, size unknown here).
- `problem_refusal`: the engine's own verdict on a downloaded file (`common.mediacheck`): not a
  media file, damaged or incomplete, too many pixels, too long.
- `backend_refusal`: one entry of the studio's `rejected` list (or the code of an upload refused as
  a whole): 4001-4005, 4012 and a refused URL (422), said the same way as the bot's own verdicts.
- `too_many_files`: the files past `VIDEOBOT_MAX_FILES_PER_MESSAGE`.

`has_words(text)`: whether a message whose files were all refused still carries a request worth
running (adapters pass such a message on without its files instead of dropping it).
"""

from __future__ import annotations

import re

from bot.backend.models import RejectedFile
from bot.i18n import joined, t
from common.filetype import ACCEPTED_EXTENSIONS
from common.mediacheck import Problem

MB = 1024 * 1024

_PIXELS = re.compile(r"(\d+)\s*[x×]\s*(\d+) pixels")
_LIMIT_MP = re.compile(r"limit is ([\d.]+)")
_CLOCKS = re.compile(r"(\d+:\d\d)")


def too_large(lang: str | None, name: str, size: int | None, limit_mb: int) -> str:
    """"⚠️ clip.mov is too large (230 MB); the limit is 200 MB per file. …" ("?" for what is unknown)."""
    shown = f"{size / MB:.0f}" if size is not None else "?"
    return t(lang, "upload.too_large", name=name or "?", size=shown, limit=limit_mb)


def size_refusal(lang: str | None, name: str, size: int | None, limit_mb: int) -> str | None:
    """The refusal for a file of `size` bytes, or None when it fits (or its size is not known)."""
    if size is None or size <= limit_mb * MB:
        return None
    return too_large(lang, name, size, limit_mb)


def clock(seconds: float) -> str:
    """"1:05" for 65 seconds."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def accepted_types(lang: str | None) -> str:
    """"mp4, mov, …" ("mp4、mov、…" in Chinese)."""
    return joined(lang, list(ACCEPTED_EXTENSIONS))


def _megapixels(width: int, height: int) -> str:
    return f"{width * height / 1e6:.0f}"


def _number(value: float) -> str:
    return f"{value:g}"


def problem_refusal(
    lang: str | None,
    name: str,
    problem: Problem,
    *,
    width: int | None = None,
    height: int | None = None,
    duration: float | None = None,
    limit_mp: float,
    limit_seconds: float,
) -> str:
    """One line for a file the bot's own check refused ("⚠️ candle.jpg is damaged or incomplete …")."""
    name = name or "?"
    if problem is Problem.UNSUPPORTED:
        return t(lang, "upload.unsupported", name=name, types=accepted_types(lang))
    if problem is Problem.PIXELS:
        if width and height:
            return t(lang, "upload.too_many_pixels", name=name, width=width, height=height,
                     megapixels=_megapixels(width, height), limit=_number(limit_mp))
        return t(lang, "upload.too_many_pixels_plain", name=name, limit=_number(limit_mp))
    if problem is Problem.TOO_LONG:
        length = clock(duration) if duration is not None else "?"
        return t(lang, "upload.too_long", name=name, length=length, limit=clock(limit_seconds))
    return t(lang, "upload.damaged", name=name)


def backend_refusal(lang: str | None, rejected: RejectedFile, *, limit_mb: int) -> str:
    """One line for a file (or URL) the backend refused, from its code; numbers the studio put in
    its message (pixels, lengths, limits) are kept, its English words are not."""
    name = rejected.filename or rejected.url or "?"
    code, message = rejected.code, rejected.message
    if code == 4001:
        return t(lang, "upload.unsupported", name=name, types=accepted_types(lang))
    if code == 4002:
        return too_large(lang, name, None, limit_mb)
    if code == 4003:
        return t(lang, "upload.damaged", name=name)
    if code == 4004:
        pixels, limit = _PIXELS.search(message), _LIMIT_MP.search(message)
        if pixels and limit:
            width, height = int(pixels.group(1)), int(pixels.group(2))
            return t(lang, "upload.too_many_pixels", name=name, width=width, height=height,
                     megapixels=_megapixels(width, height), limit=limit.group(1).rstrip("."))
        return t(lang, "upload.too_many_pixels_plain", name=name, limit=limit.group(1) if limit else "?")
    if code == 4005:
        clocks = _CLOCKS.findall(message)
        if len(clocks) >= 2:
            return t(lang, "upload.too_long", name=name, length=clocks[0], limit=clocks[1])
        return t(lang, "upload.too_long_plain", name=name)
    if code == 4012:
        return t(lang, "upload.link_slow", name=name)
    if rejected.url:
        return t(lang, "upload.link_failed", url=rejected.url)
    return t(lang, "upload.refused", name=name)


def too_many_files(lang: str | None, names: list[str], limit: int) -> str:
    """The files left out of one message past the per-message limit."""
    return t(lang, "upload.too_many_files", limit=limit, names=joined(lang, names))


def has_words(text: str) -> bool:
    """The message says something besides "/upload" (a prompt, a caption): it still runs when every
    file it carried was refused."""
    words = text.strip()
    if words.split(maxsplit=1)[:1] == ["/upload"]:
        words = words[len("/upload"):].strip()
    return bool(words)
