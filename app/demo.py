"""`videobot demo` (run by `make demo`): the whole product on one machine, no account needed.

Starts the embedded Redis and the embedded studio (unless REDIS_URL / NEMO_API_URL point
elsewhere), generates three product photos, and plays a scripted conversation through the same
terminal channel as `videobot chat`: the photos as one album, a one-sentence brief, the status,
then export. The streamed reply and the render progress show live; the MP4 lands under `./out`
and its path, resolution and duration are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from adapters.console import ConsoleReply, to_incoming
from app.runtime import start_runtime
from app.samples import SAMPLE_DESCRIPTION, make_sample_photos
from app.settings import settings_for
from bot.channel.events import Button, MessageRef, VideoFile
from bot.channel.media import probe
from bot.engine.host import BotHost
from bot.i18n import CONSOLE
from bot.settings import Settings
from bot.state.connect import safe_url
from common.logs import configure_logging
from common.urls import is_public_url

log = logging.getLogger(__name__)

PROMPT = "create a {seconds}-second promotional video from my product images and description: "


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="videobot demo", description="Play a scripted conversation that ends with an MP4."
    )
    p.add_argument("--out", type=Path, default=Path("out"), help="where the MP4 is written (default ./out)")
    p.add_argument("--user", default=None, help="user id for the demo (default: a new one each run)")
    p.add_argument("--locale", default="en", help="the demo user's language (en or zh)")
    p.add_argument("--seconds", type=int, default=30, help="how long the promo is asked to be (default 30)")
    return p


def script(photos: list[Path], seconds: int = 30) -> list[str]:
    return [
        "/attach " + " ".join(str(p) for p in photos),
        PROMPT.format(seconds=seconds) + SAMPLE_DESCRIPTION,
        "/status",
        "/export",
    ]


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = settings_for("videobot demo")
    if settings is None:
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "demo.log"
    with open(log_path, "a", encoding="utf-8") as log_file:
        # like `videobot chat`: the terminal is the conversation; INFO logs only when asked for
        level = settings.log_level if "VIDEOBOT_LOG_LEVEL" in os.environ else "WARNING"
        configure_logging(level, json_lines=settings.log_json, stream=log_file)
        try:
            return asyncio.run(_run(settings, out=args.out.resolve(), user=args.user, locale=args.locale,
                                    seconds=args.seconds))
        except KeyboardInterrupt:
            return 130
        except Exception as exc:  # one clear line, the traceback goes to the log
            log.exception("demo failed")
            print(f"videobot demo: failed: {type(exc).__name__}: {exc} (details in {log_path})",
                  file=sys.stderr)
            return 1


async def _run(settings: Settings, *, out: Path, user: str | None, locale: str, seconds: int) -> int:
    console = Console()
    console.print(Panel.fit(CONSOLE(locale, "demo.title"), border_style="magenta"))
    started = time.monotonic()
    reply = DemoReply(out_dir=out, edit_interval=settings.console_edit_interval, stdout=sys.stdout,
                      live=console)
    host = BotHost(settings, platform="console", runtime=start_runtime)
    try:
        with console.status(CONSOLE(locale, "demo.starting")):
            await host.start(_no_reply)  # a new demo user each run: nothing of theirs to resume
        ready = host.settings
        console.print(CONSOLE(locale, "demo.services", **_services(ready, locale)))
        photos = make_sample_photos(ready.data_dir / "demo" / "photos")
        user_id = user or f"demo-{int(time.time())}"
        for line in script(photos, seconds):
            shown = "/attach " + ", ".join(p.name for p in photos) if line.startswith("/attach") else line
            console.print(CONSOLE(locale, "demo.you", text=shown))
            try:
                await host.handle(to_incoming(line, user=user_id, locale=locale), reply)
            finally:
                reply.flush()
    finally:
        await host.aclose()

    if reply.video is None:
        console.print(CONSOLE(locale, "demo.no_video"))
        return 1
    info = await probe(reply.video)
    made = CONSOLE(locale, "demo.video", path=reply.video, width=info.width, height=info.height,
                   seconds=f"{info.duration:.1f}", megabytes=f"{info.size / 1e6:.1f}",
                   made=f"{time.monotonic() - started:.0f}")
    console.print(Panel.fit(made, title=CONSOLE(locale, "demo.video_title"), border_style="green"))
    console.print(CONSOLE(locale, "demo.next", path=reply.video))
    return 0


def _services(ready: Settings, locale: str) -> dict[str, str]:
    """What the demo runs on, said plainly: no loopback URL that is dead once the demo exits, no
    socket path wrapped over two lines."""
    backend = ready.nemo_api_url or ""
    if not is_public_url(backend):
        backend = CONSOLE(locale, "demo.embedded_studio")
    redis_url = ready.redis_url or ""
    if redis_url.startswith("unix://") or not redis_url:
        state = CONSOLE(locale, "demo.embedded_redis", data_dir=ready.data_dir)
    else:
        state = safe_url(redis_url)
    return {"backend": backend, "state": state}


async def _no_reply(job: object) -> None:
    return None


class DemoReply(ConsoleReply):
    """The terminal channel's Reply, remembering where the delivered video was saved."""

    video: Path | None = None

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        ref = await super().send_video(video, caption, buttons=buttons)
        self.video = self.out_dir / video.path.name
        return ref
