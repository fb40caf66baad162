"""The terminal as a chat: `ConsoleReply` keeps the messages of the current turn until they are final.

`flush()` (after each turn) prints every message once, final text only, as `bot: <text>`, a
delivered video (copied under the out dir) as `video: <path>`, and a picture (the storyboard, saved
under the out dir as `<name>-<n>.jpg`) as `image: <path>`. With a transcript file, every Reply
operation is also written as one JSON line `{"t", "op": send|edit|delete|typing|video|image|buttons,
"id", "text", "path"}`. On a TTY a Rich live view shows the message being streamed and a render progress bar.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.text import Text

from bot.channel.errors import DeliveryError, DraftsRefused, MessageGone
from bot.channel.events import Activity, Button, ChannelLimits, ImageFile, MessageRef, VideoFile

_PERCENT = re.compile(r"(\d{1,3})%")
MAX_IMAGE = 50 * 1024 * 1024  # a picture saved to disk


@dataclass
class _Msg:
    id: str
    text: str
    path: Path | None = None  # a video or a picture
    kind: str = "video"
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
            platform="console",
            max_text=1_000_000, max_caption=100_000, edit_interval=edit_interval, max_video_bytes=None,
            max_image_bytes=MAX_IMAGE,
        )
        self.out_dir = out_dir
        self._stdout = stdout
        self._transcript = transcript
        self._messages: dict[str, _Msg] = {}
        self._next = 0
        self._run = secrets.token_hex(2)  # ids of this run only: a ref kept from an earlier run is gone
        self._images = 0
        self._start = time.monotonic()
        # live: True for a Rich live view on the terminal, or a rich Console to draw it on
        self._view = _LiveView(None if live is True else live) if live else None

    @property
    def limits(self) -> ChannelLimits:
        return self._limits

    # --- the Reply protocol ---------------------------------------------------------------
    def _new(self, text: str, path: Path | None = None) -> _Msg:
        self._next += 1
        msg = _Msg(f"{self._run}.{self._next}", text, path)
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

    async def send_document(
        self, filename: str, data: bytes, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        raise DeliveryError("the terminal takes no documents (ChannelLimits.supports_documents is off)")

    async def send_image(
        self, image: ImageFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """The picture saved under the out dir (a new name each time: earlier ones are kept)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stem, dot, ext = image.filename.rpartition(".")
        stem, ext = (stem, ext) if dot else (image.filename, "jpg")
        self._images += 1
        dest = self.out_dir / f"{stem}-{self._images}.{ext}"
        while dest.exists():
            self._images += 1
            dest = self.out_dir / f"{stem}-{self._images}.{ext}"
        await asyncio.to_thread(dest.write_bytes, image.data)
        msg = self._new(caption, dest.resolve())
        msg.kind = "image"
        self._op("image", msg.id, caption, path=str(msg.path))
        self._buttons(msg.id, buttons)
        self._refresh()
        return MessageRef(id=msg.id)

    async def send_draft(self, draft_id: int, text: str) -> None:
        raise DraftsRefused("the terminal has no native drafts (ChannelLimits.supports_drafts is off)")

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

    def note(self, text: str) -> None:
        """A line of the terminal itself (the opening banner), not a bot message: printed as is."""
        self._stdout.write(text.rstrip("\n") + "\n")
        self._stdout.flush()

    def flush(self) -> None:
        """The turn is over: print every message once, final text only."""
        if self._view is not None:
            self._view.stop()
        for msg in self._pending():
            lines = msg.text.splitlines() or [""]
            self._stdout.write("bot: " + "\n     ".join(lines) + "\n")
            if msg.path is not None:
                self._stdout.write(f"{msg.kind}: {msg.path}\n")
            msg.printed = True
        self._stdout.flush()
        self._messages = {k: m for k, m in self._messages.items() if not m.deleted}


class _LiveView:
    """A Rich live region with the messages being written and a render progress bar."""

    def __init__(self, console: Any = None) -> None:
        self._console = console or Console()
        self._live: Any = None

    def show(self, messages: list[_Msg]) -> None:
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
