"""`videobot chat`: the same engine behind a terminal (and the channel scripted tests drive).

    videobot chat [--user NAME] [--out DIR] [--transcript FILE] [--locale LOCALE]

Each standard-input line is one user message; `/attach PATH [PATH ...]` sends those files as one
message (like an album; a folder stands for the files in it); other `/` lines are the bot's
commands. The next line is read only when the bot has finished its turn, render delivery
included. The bot's messages are printed once, when final, as `bot: <text>`; a delivered video
is copied under `--out` and printed as `video: <path>`.
`--transcript FILE` gets one JSON line per Reply operation
`{"t", "op": send|edit|delete|typing|video|buttons, "id", "text", "path"}`.
End of input: exit 0 once all work is done. SIGTERM: stop cleanly (an unfinished render stays in
Redis; the next run with the same data dir and user delivers it). A fatal error: one line, exit 1.
On a TTY a Rich live view shows the message being streamed and a render progress bar.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import os
import re
import shlex
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.channel.events import (
    Activity,
    Attachment,
    Button,
    ChannelLimits,
    Incoming,
    MessageGone,
    MessageRef,
    VideoFile,
)

log = logging.getLogger(__name__)

_PERCENT = re.compile(r"(\d{1,3})%")


class FatalError(Exception):
    """Stops `videobot chat` with one clear line."""


@dataclass
class _Msg:
    id: str
    text: str
    path: Path | None = None  # a video
    deleted: bool = False
    printed: bool = False


class ConsoleReply:
    """The terminal as a chat: keeps the messages of the current turn until they are final."""

    def __init__(
        self,
        *,
        out_dir: Path,
        edit_interval: float,
        stdout: IO[str],
        transcript: IO[str] | None = None,
        live: bool | Any = False,
    ) -> None:
        self._limits = ChannelLimits(
            max_text=1_000_000, max_caption=100_000, edit_interval=edit_interval, max_video_bytes=None
        )
        self.out_dir = out_dir
        self._stdout = stdout
        self._transcript = transcript
        self._messages: dict[str, _Msg] = {}
        self._next = 0
        self._start = time.monotonic()
        # live: True for a Rich live view on the terminal, or a rich Console to draw it on
        self._view = _LiveView(None if live is True else live) if live else None

    @property
    def limits(self) -> ChannelLimits:
        return self._limits

    # --- the Reply protocol ---------------------------------------------------------------
    def _new(self, text: str, path: Path | None = None) -> _Msg:
        self._next += 1
        msg = _Msg(str(self._next), text, path)
        self._messages[msg.id] = msg
        return msg

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        msg = self._new(text)
        self._op("send", msg.id, text)
        self._buttons(msg.id, buttons)
        self._refresh()
        return MessageRef(id=msg.id)

    async def edit_text(
        self, ref: MessageRef, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        msg = self._messages.get(ref.id)
        if msg is None or msg.deleted:
            raise MessageGone()
        msg.text = text
        msg.printed = False
        self._op("edit", msg.id, text)
        self._buttons(msg.id, buttons)
        self._refresh()
        return ref

    async def delete(self, ref: MessageRef) -> None:
        msg = self._messages.get(ref.id)
        if msg is None or msg.deleted:
            raise MessageGone()
        msg.deleted = True
        self._op("delete", msg.id)
        self._refresh()

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        dest = self.out_dir / video.path.name
        if dest.resolve() != video.path.resolve():
            await asyncio.to_thread(shutil.copyfile, video.path, dest)
        msg = self._new(caption, dest.resolve())
        self._op("video", msg.id, caption, path=str(msg.path))
        self._buttons(msg.id, buttons)
        self._refresh()
        return MessageRef(id=msg.id)

    async def show_activity(self, activity: Activity) -> None:
        self._op("typing", None, activity)

    # --- output ---------------------------------------------------------------------------
    def _op(self, op: str, msg_id: str | None, text: str | None = None, *, path: str | None = None,
            extra: dict[str, Any] | None = None) -> None:
        if self._transcript is None:
            return
        entry: dict[str, Any] = {"t": round(time.monotonic() - self._start, 3), "op": op, "id": msg_id,
                                 "text": text, "path": path}
        entry.update(extra or {})
        self._transcript.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._transcript.flush()

    def _buttons(self, msg_id: str, buttons: list[Button] | None) -> None:
        if buttons:
            labels = " · ".join(b.label for b in buttons)
            self._op("buttons", msg_id, labels, extra={"actions": [b.action for b in buttons]})

    def _pending(self) -> list[_Msg]:
        return [m for m in self._messages.values() if not m.deleted and not m.printed]

    def _refresh(self) -> None:
        if self._view is not None:
            self._view.show(self._pending())

    def flush(self) -> None:
        """The turn is over: print every message once, final text only."""
        if self._view is not None:
            self._view.stop()
        for msg in self._pending():
            lines = msg.text.splitlines() or [""]
            self._stdout.write("bot: " + "\n     ".join(lines) + "\n")
            if msg.path is not None:
                self._stdout.write(f"video: {msg.path}\n")
            msg.printed = True
        self._stdout.flush()
        self._messages = {k: m for k, m in self._messages.items() if not m.deleted}


class _LiveView:
    """A Rich live region with the messages being written and a render progress bar."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console

        self._console = console or Console()
        self._live: Any = None

    def show(self, messages: list[_Msg]) -> None:
        from rich.console import Group
        from rich.live import Live
        from rich.progress_bar import ProgressBar
        from rich.text import Text

        parts: list[Any] = []
        for msg in messages:
            parts.append(Text(f"bot: {msg.text}", style="dim"))
            found = _PERCENT.search(msg.text) if msg.text.startswith("⏳") else None
            if found:
                parts.append(ProgressBar(total=100, completed=min(100, int(found.group(1))), width=40))
        if self._live is None:
            self._live = Live(Group(*parts), console=self._console, transient=True, refresh_per_second=10)
            self._live.start()
        else:
            self._live.update(Group(*parts))

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


class LineReader:
    """Lines from a file descriptor, read on request by a helper thread (works for pipes, TTYs
    and regular files; a thread blocked on a read never holds up the exit)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self._eof = False

    async def readline(self) -> str | None:
        while b"\n" not in self._buffer and not self._eof:
            chunk = await self._read()
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
        if not self._buffer:
            return None
        line, _, rest = self._buffer.partition(b"\n")
        self._buffer = rest
        return line.decode("utf-8", errors="replace").rstrip("\r")

    async def _read(self) -> bytes:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()

        def work() -> None:
            try:
                data = os.read(self._fd, 65536)
            except OSError:
                data = b""
            loop.call_soon_threadsafe(_resolve, future, data)

        threading.Thread(target=work, name="stdin", daemon=True).start()
        return await future


def _resolve(future: asyncio.Future[bytes], data: bytes) -> None:
    if not future.done():
        future.set_result(data)


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
    return Incoming(platform="console", user_id=user, chat_id=user, text=text, attachments=attachments,
                    locale=locale, user_name=user)


# --- the command ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="videobot chat", description="Talk to the bot in this terminal.")
    p.add_argument("--user", default=None, help="user id the state is kept under (default: login name)")
    p.add_argument("--out", default="out", type=Path, help="where delivered videos are saved (default ./out)")
    p.add_argument("--transcript", default=None, type=Path, help="write one JSON line per bot operation")
    p.add_argument("--locale", default=None, help="language code, e.g. en or zh-CN (default: $LANG)")
    return p


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "me"


def _env_locale() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in {"C", "POSIX"} and not value.startswith("C."):
            return value.split(".", 1)[0]
    return None


def _log_file(data_dir: Path) -> IO[str]:
    path = data_dir / "logs" / "chat.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("a", encoding="utf-8")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from bot.settings import ConfigError, load_settings
    from common.logs import configure_logging

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"videobot chat: {exc}", file=sys.stderr)
        return 2
    if "VIDEOBOT_LOG_LEVEL" in os.environ:  # asked for: logs on stderr
        configure_logging(settings.log_level, json_lines=settings.log_json)
    else:  # the terminal is the chat: logs (and any traceback) go to a file
        try:
            configure_logging("INFO", json_lines=settings.log_json, stream=_log_file(settings.data_dir))
        except OSError as exc:
            print(f"videobot chat: cannot write logs under {settings.data_dir}: {exc}", file=sys.stderr)
            return 1
        # the embedded studio's render workers are processes logging to this terminal's stderr:
        # warnings only there, so no INFO worker lines land in the middle of the conversation
        settings = settings.model_copy(update={"log_level": "WARNING"})
    user = args.user or _login_name()
    locale = args.locale or _env_locale()
    try:
        return asyncio.run(_run(settings, user=user, locale=locale, out=args.out, transcript=args.transcript))
    except FatalError as exc:
        print(f"videobot chat: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _run(settings: Any, *, user: str, locale: str | None, out: Path, transcript: Path | None) -> int:
    from app.embedded import embedded_services

    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    stopping = False

    def on_term() -> None:
        nonlocal stopping
        stopping = True
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_term)
    log_file = _open_transcript(transcript) if transcript else None
    try:
        async with embedded_services(settings) as ready:
            return await _serve(ready, user=user, locale=locale, out=out, transcript=log_file)
    except asyncio.CancelledError:
        if stopping:
            return 0
        raise
    except FatalError:
        raise
    except Exception as exc:
        log.debug("start-up failed", exc_info=True)
        raise FatalError(f"could not start: {type(exc).__name__}: {exc}") from None
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if log_file is not None:
            log_file.close()


def _open_transcript(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("a", encoding="utf-8")


async def _serve(
    settings: Any, *, user: str, locale: str | None, out: Path, transcript: IO[str] | None
) -> int:
    from bot.backend.client import NemoClient
    from bot.engine.engine import Engine
    from bot.state.store import JobRecord, Store, StoreError
    from common.logs import new_request_id

    store = await Store.connect(settings)
    client = NemoClient.from_settings(settings)
    reply = ConsoleReply(out_dir=out, edit_interval=settings.console_edit_interval, stdout=sys.stdout,
                         transcript=transcript, live=sys.stdin.isatty() and sys.stdout.isatty())
    engine: Engine | None = None
    try:
        try:
            await store.ping()
        except StoreError as exc:
            raise FatalError(f"cannot reach Redis: {exc}") from None
        engine = Engine(settings, store, client)
        user_key = f"console:{user}"

        async def reply_for(job: JobRecord) -> ConsoleReply | None:
            return reply if job.user_key == user_key else None

        try:
            await engine.resume(reply_for)
        finally:
            reply.flush()
        reader = LineReader(sys.stdin.fileno())
        while (line := await reader.readline()) is not None:
            new_request_id()
            try:
                await engine.handle(to_incoming(line, user=user, locale=locale), reply)
            finally:
                reply.flush()
        return 0
    finally:
        if engine is not None:
            with contextlib.suppress(Exception):
                await engine.aclose()
        with contextlib.suppress(Exception):
            await client.aclose()
        with contextlib.suppress(Exception):
            await store.aclose()
