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
from typing import Any

from bot.channel.events import Button, MessageRef, VideoFile

log = logging.getLogger(__name__)

PROMPT = "create a 30-second promotional video from my product images and description: "


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="videobot demo", description="Play a scripted conversation that ends with an MP4."
    )
    p.add_argument("--out", type=Path, default=Path("out"), help="where the MP4 is written (default ./out)")
    p.add_argument("--user", default=None, help="user id for the demo (default: a new one each run)")
    p.add_argument("--locale", default="en", help="the demo user's language (en or zh)")
    return p


def script(photos: list[Path]) -> list[str]:
    from app.samples import SAMPLE_DESCRIPTION

    return [
        "/attach " + " ".join(str(p) for p in photos),
        PROMPT + SAMPLE_DESCRIPTION,
        "/status",
        "/export",
    ]


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from bot.settings import ConfigError, load_settings
    from common.logs import configure_logging

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"videobot demo: {exc}", file=sys.stderr)
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "demo.log"
    with open(log_path, "a", encoding="utf-8") as log_file:
        # like `videobot chat`: the terminal is the conversation; INFO logs only when asked for
        level = settings.log_level if "VIDEOBOT_LOG_LEVEL" in os.environ else "WARNING"
        configure_logging(level, json_lines=settings.log_json, stream=log_file)
        try:
            return asyncio.run(_run(settings, out=args.out.resolve(), user=args.user, locale=args.locale))
        except KeyboardInterrupt:
            return 130
        except Exception as exc:  # one clear line, the traceback goes to the log
            log.exception("demo failed")
            print(f"videobot demo: failed: {type(exc).__name__}: {exc} (details in {log_path})",
                  file=sys.stderr)
            return 1


async def _run(settings: Any, *, out: Path, user: str | None, locale: str) -> int:
    from rich.console import Console
    from rich.panel import Panel

    from adapters.console import to_incoming
    from app.runtime import start_runtime
    from app.samples import make_sample_photos
    from bot.channel.media import probe

    console = Console()
    console.print(Panel.fit("[bold]videobot demo[/]: three product photos and one sentence → a promo MP4",
                            border_style="magenta"))
    started = time.monotonic()
    with console.status("Starting the embedded Redis and studio…"):
        runtime = await start_runtime(settings, label="demo")
    ready = runtime.settings
    reply = _DemoReply(out_dir=out, edit_interval=ready.console_edit_interval, stdout=sys.stdout,
                       live=console)
    try:
        console.print(f"[dim]backend: {ready.nemo_api_url}   state: {ready.redis_url}[/]")
        photos = make_sample_photos(ready.data_dir / "demo" / "photos")
        user_id = user or f"demo-{int(time.time())}"
        for line in script(photos):
            shown = "/attach " + ", ".join(p.name for p in photos) if line.startswith("/attach") else line
            console.print(f"[bold cyan]you:[/] {shown}")
            try:
                await runtime.engine.handle(to_incoming(line, user=user_id, locale=locale), reply)
            finally:
                reply.flush()
    finally:
        await runtime.aclose()

    if reply.video is None:
        console.print("[bold red]The demo ended without a video.[/] See the log in the data dir.")
        return 1
    info = await probe(reply.video)
    console.print(Panel.fit(
        f"[bold green]✅ {reply.video}[/]\n{info.width}x{info.height}, {info.duration:.1f} s, "
        f"{info.size / 1e6:.1f} MB, made in {time.monotonic() - started:.0f} s",
        title="your video", border_style="green"))
    return 0


class _DemoReply:
    """The terminal channel's Reply, remembering where the delivered video was saved."""

    def __init__(self, **kwargs: Any) -> None:
        from adapters.console import ConsoleReply

        self._inner = ConsoleReply(**kwargs)
        self.video: Path | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        ref = await self._inner.send_video(video, caption, buttons=buttons)
        self.video = self._inner.out_dir / video.path.name
        return ref
