"""Where the studio keeps files, and how they are named and served.

    <VIDEOBOT_DATA_DIR>/studio/media/<user_id>/<key>-<safe name>

`key` is 128 random bits, so a media URL (`/media/<user_id>/<key>-<name>`) needs no auth and
still cannot be guessed: that is the studio's "CDN URL". Names coming from users are reduced to
a plain basename of `[A-Za-z0-9._-]`, so `../../etc/passwd.jpg` becomes `passwd.jpg` inside the
user's folder; `resolve()` refuses any URL path that would leave the media folder.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DISPLAY_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_USER_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
MAX_NAME = 100


def display_name(name: str | None, fallback: str = "file") -> str:
    """A user's file name as shown back to them: the basename, no control or path characters."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _DISPLAY_UNSAFE.sub("_", base).strip(" .")
    return base[:MAX_NAME] or fallback


def safe_name(name: str, ext: str | None = None) -> str:
    """A file-system-safe ASCII version of a display name, with `ext` as its extension when given."""
    ascii_name = unicodedata.normalize("NFKD", display_name(name)).encode("ascii", "ignore").decode()
    stem, dot, suffix = ascii_name.rpartition(".")
    if not dot:
        stem, suffix = ascii_name, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[:60] or "file"
    suffix = ext or _UNSAFE.sub("", suffix)[:8]
    return f"{stem}.{suffix.lower()}" if suffix else stem


class MediaStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = (Path(data_dir) / "studio" / "media").resolve()

    def user_dir(self, user_id: str) -> Path:
        if not _USER_RE.match(user_id):
            raise ValueError("invalid user id")
        path = self.root / user_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def new_path(self, user_id: str, name: str, ext: str | None = None) -> Path:
        """A fresh, unguessable path for a file of this user."""
        return self.user_dir(user_id) / f"{secrets.token_hex(16)}-{safe_name(name, ext)}"

    def url_path(self, path: Path) -> str:
        """The URL path (`/media/...`) that serves `path`."""
        return "/media/" + path.resolve().relative_to(self.root).as_posix()

    def resolve(self, url_path: str) -> Path | None:
        """The file behind `/media/<url_path>`, or None (missing, or outside the media folder)."""
        parts = url_path.split("/")
        if len(parts) != 2 or any(p in ("", ".", "..") for p in parts) or "\\" in url_path:
            return None
        path = (self.root / parts[0] / parts[1]).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path
