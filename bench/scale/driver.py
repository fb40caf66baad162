"""A bot process for the scale test and benchmark: the real `Engine` serving several users at once.

    python -m bench.scale.driver --users u01,u02 --photo P.jpg --prompt "Make a 5 second square video" \
        --log deliveries.jsonl [--adopt-every 2] [--linger]

Settings come from the environment like any bot (REDIS_URL, NEMO_API_URL, VIDEOBOT_DATA_DIR, ...).
Each user (platform `console`, id as given) sends the photo with the prompt, then `/export`; the
users run concurrently, as many chats do on one bot process. Every delivered video is appended
to `--log` as one JSON line `{"event": "video", "user", "render_id", "size", "pid", "t"}`, every
user's end as `{"event": "done", ...}`. The process runs on a `BotHost` like every bot: renders
whose bot process died are adopted every `--adopt-every` seconds; with `--linger` the process keeps
doing that after its own users are done, until SIGTERM / SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from app.runtime import start_runtime
from bot.channel.events import Attachment, Button, ChannelLimits, Incoming, MessageRef, VideoFile
from bot.engine.host import BotHost
from bot.ids import ChatRef, UserKey
from bot.settings import load_settings
from bot.state.store import JobRecord
from bot.testing import RecordingReply
from common.logs import configure_logging, new_request_id

log = logging.getLogger("bench.scale.driver")


class DeliveryLog:
    """Append-only JSON lines, flushed at once: what a killed process wrote is kept."""

    def __init__(self, path: Path) -> None:
        self.fh: IO[str] = path.open("a", encoding="utf-8")
        self.started = time.monotonic()

    def write(self, **record: Any) -> None:
        record |= {"pid": os.getpid(), "t": round(time.monotonic() - self.started, 3)}
        self.fh.write(json.dumps(record) + "\n")
        self.fh.flush()


class ScaleReply(RecordingReply):
    """One user's chat (the test kit's recording chat): a delivered video is also logged (the file
    itself stays in the out dir)."""

    def __init__(self, user: str, deliveries: DeliveryLog) -> None:
        super().__init__(ChannelLimits(max_video_bytes=None, supports_buttons=False, edit_interval=0.2),
                         chat_id=user)
        self.user = user
        self.deliveries = deliveries

    async def send_video(self, video: VideoFile, caption: str, *,
                         buttons: list[Button] | None = None) -> MessageRef:
        ref = await super().send_video(video, caption, buttons=buttons)
        self.deliveries.write(event="video", user=self.user, render_id=video.path.stem, size=video.size)
        return ref


async def run_user(host: BotHost, user: str, photo: Path, prompt: str, replies: dict[str, ScaleReply],
                   workdir: Path, deliveries: DeliveryLog) -> None:
    reply = replies[user]
    copy = workdir / f"{user}-{photo.name}"
    shutil.copyfile(photo, copy)  # the engine deletes attachments after the turn
    attachment = Attachment(filename=photo.name, kind="image", path=copy, size=copy.stat().st_size)
    for n, (text, files) in enumerate(((prompt, [attachment]), ("/export", []))):
        new_request_id()
        incoming = Incoming(user=UserKey("console", user), chat=ChatRef("console", user), text=text,
                            attachments=files, update_id=f"{user}-{n}")
        await host.handle(incoming, reply)
    texts = [o.text or "" for o in reply.done("send", "edit")]
    deliveries.write(event="done", user=user, last=texts[-1][:200] if texts else "")


async def serve(args: argparse.Namespace) -> int:
    host = BotHost(load_settings(), platform="console", runtime=start_runtime, adopt_every=args.adopt_every)
    deliveries = DeliveryLog(Path(args.log))
    users = [u for u in args.users.split(",") if u]
    replies = {u: ScaleReply(u, deliveries) for u in users}

    async def reply_for(job: JobRecord) -> ScaleReply | None:
        if job.user_key.platform != "console":
            return None
        user = job.user_key.id
        return replies.setdefault(user, ScaleReply(user, deliveries))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await host.start(reply_for)
    try:
        await host.wait_resumed()
        with tempfile.TemporaryDirectory(prefix="vb-scale-") as tmp:
            users_done = asyncio.gather(*(run_user(host, u, Path(args.photo), args.prompt, replies,
                                                   Path(tmp), deliveries) for u in users))
            stopped = asyncio.create_task(stop.wait())
            either: set[asyncio.Future[Any]] = {users_done, stopped}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if not users_done.done():
                users_done.cancel()
                await asyncio.gather(users_done, return_exceptions=True)
        deliveries.write(event="users_done")
        if args.linger:
            await stop.wait()
    finally:
        await host.aclose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale.driver", description=__doc__.splitlines()[0])
    parser.add_argument("--users", required=True, help="comma-separated user ids")
    parser.add_argument("--photo", required=True)
    parser.add_argument("--prompt", default="Make a 5 second square video")
    parser.add_argument("--log", required=True, help="JSON-lines file the deliveries are appended to")
    parser.add_argument("--adopt-every", type=float, default=2.0)
    parser.add_argument("--linger", action="store_true", help="keep adopting orphaned renders until SIGTERM")
    args = parser.parse_args(argv)
    settings = load_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
