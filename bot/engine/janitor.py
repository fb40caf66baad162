"""Start-up clean-up of the bot's own leftovers under the data dir.

A bot process killed mid-turn (`kill -9`, an OOM kill, a power cut) leaves what it was writing:

    <data_dir>/tmp/{telegram,discord,voice}/…   attachments downloaded from the chat, voice notes
                                                 converted for the backend (normally deleted at the
                                                 end of their turn); their empty folders
    <data_dir>/out/*.part                        a video download that never finished
    <data_dir>/out/*.thumb.jpg                   the thumbnail made to send a video

`sweep(data_dir)` removes those idle for `IDLE_SECONDS` (10 minutes: several bot processes, e.g.
the Telegram and the Discord container, share the data dir, and a file being written or uploaded
right now by a live process is never that idle). Finished videos (`out/*.mp4`), the studio's
folders and Redis are never touched. `BotHost.start` runs it once, off the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

IDLE_SECONDS = 600.0
SCRATCH = ("telegram", "discord", "voice", "console")  # the bot's folders under <data_dir>/tmp


def _idle(path: Path, now: float, idle: float) -> bool:
    try:
        return now - path.stat().st_mtime >= idle
    except OSError:
        return False


def sweep(data_dir: Path, *, now: float | None = None, idle: float = IDLE_SECONDS) -> int:
    """Remove the bot's idle leftovers (see the module docstring); returns how many files went."""
    now = time.time() if now is None else now
    removed = 0
    candidates: list[Path] = []
    out = data_dir / "out"
    if out.is_dir():
        candidates += [p for pattern in ("*.part", "*.thumb.jpg") for p in out.glob(pattern)]
    folders: list[Path] = []
    for name in SCRATCH:
        root = data_dir / "tmp" / name
        if root.is_dir():
            candidates += [p for p in root.rglob("*") if p.is_file() or p.is_symlink()]
            folders += [p for p in root.rglob("*") if p.is_dir()]
    folders.sort(key=lambda p: len(p.parts), reverse=True)
    for path in candidates:
        if _idle(path, now, idle):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    for folder in folders:  # deepest first; only empty ones, so a live download's folder stays
        with contextlib.suppress(OSError):
            folder.rmdir()
    if removed:
        log.info("removed %d leftover file(s) of stopped bot processes under %s", removed, data_dir)
    return removed
