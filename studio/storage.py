"""Where the studio keeps files, and how they are named and served.

    <VIDEOBOT_DATA_DIR>/studio/media/<user_id>/<key>-<safe name>

`key` is 128 random bits, so a media URL (`/media/<user_id>/<key>-<name>`) needs no auth and
still cannot be guessed: that is the studio's "CDN URL". Names coming from users are reduced to
a plain basename of `[A-Za-z0-9._-]`, so `../../etc/passwd.jpg` becomes `passwd.jpg` inside the
user's folder; `resolve()` refuses any URL path that would leave the media folder.

Files are private to the studio's user whatever the umask: folders 0700 (`studio/`, `media/`,
each user's), files 0600 (`open_private`, and `make_private` for files other programs wrote,
such as ffmpeg's output). Render scratch space lives beside the media, in `studio/tmp/`
(`studio.jobs.scratch`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path
from typing import BinaryIO

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DISPLAY_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_USER_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
MAX_NAME = 100
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """`path` (and missing parents) created, and `path` itself made 0700, whatever the umask."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def open_private(path: Path) -> BinaryIO:
    """A new file opened for writing, mode 0600 whatever the umask (never an existing file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def make_private(path: Path) -> None:
    """Restrict a file written by someone else (ffmpeg) to 0600."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
            path.chmod(FILE_MODE)


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
        self.studio_root = (Path(data_dir) / "studio").resolve()
        self.root = self.studio_root / "media"
        self.tmp_root = self.studio_root / "tmp"  # render scratch space (studio.jobs.scratch)

    def user_dir(self, user_id: str) -> Path:
        if not _USER_RE.match(user_id):
            raise ValueError("invalid user id")
        private_dir(self.studio_root)
        private_dir(self.root)
        return private_dir(self.root / user_id)

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
