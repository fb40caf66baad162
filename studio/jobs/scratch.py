"""Scratch space of the render processes, and cleaning up after the ones that died.

Every process that renders (a local worker of `videobot studio`, a `videobot studio-worker`)
claims a folder of its own, `<data_dir>/studio/tmp/<worker id>/` (0700), and holds an exclusive
`flock` on its `.lock` file for as long as it lives. The process's temporary files go there
(`tempfile.tempdir`: the renderer's `vb-render-*` folders), and so does each render's output
until it is complete (ffmpeg's `.part` file included); the finished MP4 is then moved into the
media folder. The kernel releases a lock when its process ends, however it ends (`kill -9`, OOM),
so `clean_scratch` knows for certain which folders belong to dead processes and removes exactly
those: never a live render's files, never anything outside `studio/tmp/`. A folder claimed on
another host (a shared volume) counts as dead only when, besides its free lock, its lock file has
not been touched for `STALE_SECONDS` (a live process touches it every `TOUCH_SECONDS`), so a
network file system without working locks cannot make the studio delete a live render's files.

`kill_children(match)` stops the ffmpeg of a render from the outside: the child processes of this
process whose command line names that render's output file.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from studio.storage import private_dir

log = logging.getLogger(__name__)

LOCK = ".lock"
UNLOCKED_GRACE = 60.0  # a folder without a lock file is being created, or was left half-made
TOUCH_SECONDS = 10.0
STALE_SECONDS = 60.0
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_claimed: dict[str, tuple[Path, int]] = {}  # root -> (folder, lock fd), for this process's life


def folder_name(worker_id: str) -> str:
    return _UNSAFE.sub("_", worker_id).strip("._")[:120] or "worker"


def claim(root: Path, worker_id: str, *, as_tempdir: bool = False) -> Path:
    """This process's scratch folder under `root` (claimed once; later calls return it).
    `as_tempdir`: make it the process's `tempfile` directory (for processes that only render)."""
    key = str(root)
    if key in _claimed:
        return _claimed[key][0]
    private_dir(root)
    name = folder_name(worker_id)
    while True:
        folder = private_dir(root / name)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:  # the name is in use by a live process: take another
            os.close(fd)
            name = f"{folder_name(worker_id)}-{os.urandom(3).hex()}"
    os.ftruncate(fd, 0)
    os.write(fd, f"{socket.gethostname()} {os.getpid()}\n".encode())
    _claimed[key] = (folder, fd)
    threading.Thread(target=_touch, args=(folder / LOCK,), daemon=True, name="scratch-touch").start()
    if as_tempdir:
        tempfile.tempdir = str(folder)
    return folder


def _touch(lock: Path) -> None:
    while True:
        time.sleep(TOUCH_SECONDS)
        with contextlib.suppress(OSError):
            os.utime(lock)


def _ended(fd: int, lock: Path) -> bool:
    """Whether the process that claimed this lock has ended (`fd` is open on the lock file)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        host = lock.read_text().split(" ", 1)[0].strip()
        if host == socket.gethostname():
            return True  # this kernel's lock: certain
        return time.time() - lock.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def claimed(root: Path | None = None) -> Path | None:
    """The folder this process claimed (under `root`, or any), if any."""
    if root is not None:
        entry = _claimed.get(str(root))
        return entry[0] if entry else None
    return next((folder for folder, _ in _claimed.values()), None)


def dead_folders(root: Path) -> list[Path]:
    """Scratch folders under `root` whose process has ended."""
    dead: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return dead
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        if any(folder == mine for mine, _ in _claimed.values()):
            continue
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            with contextlib.suppress(FileNotFoundError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > UNLOCKED_GRACE:
                    dead.append(folder)
            continue
        try:
            if _ended(fd, folder / LOCK):
                dead.append(folder)
        finally:
            os.close(fd)
    return dead


def worker_alive(root: Path, worker_id: str) -> bool | None:
    """Whether the worker with this id still runs (its scratch lock is held); None: unknown here
    (no such folder: a worker on another machine, or one that has not started rendering)."""
    lock = root / folder_name(worker_id) / LOCK
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        return not _ended(fd, lock)
    finally:
        os.close(fd)


def clean_scratch(root: Path) -> list[str]:
    """Remove the scratch folders of ended processes; their names (worker ids, sanitised)."""
    removed: list[str] = []
    for folder in dead_folders(root):
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = -1
        try:
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # claimed again meanwhile
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
        finally:
            if fd >= 0:
                os.close(fd)
    if removed:
        log.info("removed the scratch folders of %d ended render process(es)", len(removed))
    return removed


def clean_stale_parts(media_root: Path, idle_seconds: float) -> int:
    """`.part` files in the media folder (written there by renders run without a scratch folder)
    that nothing has written to for `idle_seconds`."""
    count = 0
    now = time.time()
    if not media_root.is_dir():
        return 0
    for path in media_root.glob("*/*.part"):
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime > idle_seconds:
                path.unlink()
                count += 1
    if count:
        log.info("removed %d stale .part file(s)", count)
    return count


def _children(parent: int) -> list[int]:
    pids: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            pids.append(int(entry))
    return pids


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def kill_children(match: str | None = None) -> list[int]:
    """SIGKILL this process's children (those whose command line contains `match`, when given)."""
    killed: list[int] = []
    for pid in _children(os.getpid()):
        if match is not None and match not in _cmdline(pid):
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    if killed:
        log.warning("stopped %d render process(es): %s", len(killed), killed)
    return killed
