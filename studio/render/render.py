"""Draft → MP4: the studio's renderer. One ffmpeg run per video, fed by this process.

`render_draft` is synchronous and meant for a worker process. It reads the draft into a frame-exact
plan (`studio.render.plan`), prepares every input once — photos decoded, laid out (contain-blur) and
colour-converted once (`studio.render.stills`), texts drawn once as images (`studio.render.text`), music beds
synthesised (`studio.render.music`) — then runs ffmpeg with one filtergraph (`studio.render.graph`). Photos
and colour cards, with their Ken Burns motion and the transitions between them (`studio.render.frames`),
stream to ffmpeg as raw frames over one pipe from a writer thread while it encodes; video clips are
decoded, trimmed and scaled by ffmpeg itself, joined to the rest with xfade.

The MP4: H.264 High, yuv420p tagged BT.709, AAC, exactly 30 fps, +faststart, 1920x1080, 1080x1920 or
1080x1080. A bad asset or draft raises RenderError with a message a user can read.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel

from studio.render import music
from studio.render.ffmpeg import FfmpegFailed, probe, run_ffmpeg
from studio.render.frames import run_frames
from studio.render.graph import ClipSource, Overlay, Sound, Source, StillSource, build_command
from studio.render.plan import FPS, Plan, PlanError, Visual, plan_from_draft
from studio.render.stills import PhotoError, check_photo, release_memory
from studio.render.text import clear_font_cache, render_text

log = logging.getLogger(__name__)


class RenderError(Exception):
    """The draft could not be rendered; the message is user-readable (e.g. "photo front.jpg could not
    be decoded")."""


class RenderResult(BaseModel):
    path: Path
    width: int
    height: int
    duration: float  # seconds
    size: int  # bytes


def _asset(assets: Mapping[str, Path], src: str | None, what: str, name: str) -> Path:
    path = assets.get(src or "")
    if path is None or not Path(path).is_file():
        raise RenderError(f"{what} {name} is missing")
    return Path(path)


def _clip(assets: Mapping[str, Path], visual: Visual) -> tuple[ClipSource, Visual]:
    """The clip's source, and the segment with its trim kept inside the clip (the last frame is held
    when the clip is shorter than its segment)."""
    path = _asset(assets, visual.src, "video clip", visual.name)
    info = probe(path)
    if not info.video:
        raise RenderError(f"video clip {visual.name} could not be decoded")
    if info.duration is not None and visual.trim_in > max(0.0, info.duration - visual.frames / FPS):
        visual = visual.model_copy(update={"trim_in": max(0.0, info.duration - visual.frames / FPS)})
    return ClipSource(path, info.audio), visual


def _photos(plan: Plan, assets: Mapping[str, Path]) -> dict[str, Path]:
    """The photos' files by asset reference, each checked now to decode (a fast 1/8-scale decode),
    so a bad photo fails the render before ffmpeg starts."""
    photos: dict[str, Path] = {}
    try:
        for v in plan.visuals:
            if v.kind == "image" and (v.src or "") not in photos:
                photos[v.src or ""] = path = _asset(assets, v.src, "photo", v.name)
                check_photo(path, v.name)
    except PhotoError as exc:
        raise RenderError(str(exc)) from None
    return photos


def _generated(plan: Plan, photos: Mapping[str, Path]) -> Iterator[memoryview]:
    """The frames of every generated block (photos, colour cards) in timeline order, plane by plane."""
    size = (plan.width, plan.height)
    for block in plan.blocks():
        if block.kind == "generated":
            for planes in run_frames(block.visuals, photos, size):
                for plane in planes:
                    yield plane.data
            release_memory()


def _overlays(plan: Plan, assets: Mapping[str, Path], tmp: Path) -> list[Overlay]:
    overlays: list[Overlay] = []
    for k, text in enumerate(plan.texts):
        image = render_text(text.text, text.role, text.pos, plan.width, plan.height)
        path = tmp / f"text{k}.png"
        image.image.save(path, compress_level=1)
        end = min(text.end, plan.frames)
        if end > text.start:
            overlays.append(Overlay(path, image.x, image.y, text.start, end))
    if plan.logo is not None:
        name = Path(plan.logo.src).name or "logo"
        logo = _load_logo(_asset(assets, plan.logo.src, "logo", name), name)
        width = round(plan.width * min(0.5, max(0.03, plan.logo.scale)))
        logo = logo.resize((width, max(1, round(logo.height * width / logo.width))))
        margin = round(min(plan.width, plan.height) * 0.04)
        x = margin if "left" in plan.logo.pos else plan.width - logo.width - margin
        y = plan.height - logo.height - margin if "bottom" in plan.logo.pos else margin
        path = tmp / "logo.png"
        logo.save(path, compress_level=1)
        overlays.append(Overlay(path, x, y))
    return overlays


def _load_logo(path: Path, name: str) -> Image.Image:
    """A logo as RGBA (transparency kept), or RenderError."""
    try:
        with Image.open(path) as img:
            img.load()
            return img.convert("RGBA")
    except Exception:
        raise RenderError(f"logo {name} could not be decoded") from None


# The generated beds are mastered quietly (peak 0.8, about -18 LUFS at full volume), and drafts
# play them at 35% as a background: without make-up gain a music-only promo measured about
# -27 LUFS, far under the -14 LUFS social platforms normalise to. +8 dB brings it near -19 LUFS;
# the limiter at the end of the mix keeps louder combinations from clipping.
SYNTH_MAKEUP = 2.5


def _sounds(plan: Plan, assets: Mapping[str, Path], tmp: Path) -> list[Sound]:
    sounds: list[Sound] = []
    for k, audio in enumerate(plan.audios):
        start = min(audio.start, plan.duration)
        duration = min(audio.duration, plan.duration - start)
        if duration <= 0:
            continue
        if audio.src.startswith("synth://"):
            mood = audio.src.removeprefix("synth://")
            if mood not in music.MOODS:
                log.warning("unknown music mood %r, using lofi", mood)
                mood = "lofi"
            path = music.music_bed(mood, duration, tmp / f"music{k}.wav", seed=audio.seed)
            loop = False
            volume = audio.volume * SYNTH_MAKEUP
        else:
            path = _asset(assets, audio.src, "audio", audio.name)
            info = probe(path)
            if not info.audio:
                raise RenderError(f"audio {audio.name} could not be decoded")
            loop = info.duration is None or info.duration < duration
            volume = audio.volume
        sounds.append(Sound(path, loop, start, duration, volume, audio.fade_in, audio.fade_out))
    return sounds


def _pipe() -> list[int]:
    """A pipe with a 1 MiB buffer where Linux allows it (fewer wake-ups per 3 MB frame)."""
    read, write = os.pipe()
    try:
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass
    return [read, write]


def _feed(fd: int, frames: Iterator[memoryview], proc: subprocess.Popen[bytes],
          failures: list[BaseException]) -> None:
    try:
        with os.fdopen(fd, "wb") as pipe:
            for frame in frames:
                pipe.write(frame)
    except BrokenPipeError:
        pass  # ffmpeg stopped reading (it failed, or was stopped): its exit status tells
    except BaseException as exc:  # reported by the render; ffmpeg must not finish a short video
        failures.append(exc)
        proc.kill()


def render_draft(draft: dict[str, Any], assets: Mapping[str, Path], out_path: Path, *,
                 progress: Callable[[float], None] | None = None) -> RenderResult:
    """Render a studio draft to `out_path` (MP4). `assets` maps "asset://<id>" to files on disk;
    `progress` receives 0..100. Raises RenderError with a user-readable message."""
    try:
        plan = plan_from_draft(draft)
    except PlanError as exc:
        raise RenderError(str(exc)) from None
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if progress is not None:
        progress(0.0)
    photos = _photos(plan, assets)
    blocks = plan.blocks()
    with tempfile.TemporaryDirectory(prefix="vb-render-") as tmpdir:
        tmp = Path(tmpdir)
        sources: list[Source] = []
        generated = any(block.kind == "generated" for block in blocks)
        pipes = [_pipe()] if generated else []  # [read, write]; -1 once handed over or closed
        try:
            offset = 0
            for block in blocks:
                if block.kind == "generated":
                    sources.append(StillSource(pipes[0][0], offset))
                    offset += block.frames
                else:
                    n = next(i for i, v in enumerate(plan.visuals) if v is block.visuals[0])
                    source, plan.visuals[n] = _clip(assets, block.visuals[0])
                    sources.append(source)
            overlays = _overlays(plan, assets, tmp)
            clear_font_cache()
            sounds = _sounds(plan, assets, tmp)
            part = out_path.with_name(out_path.name + ".part")
            args = build_command(plan, sources, overlays, sounds, part)
            release_memory()
            try:
                _run(plan, args, pipes, [_generated(plan, photos)] if generated else [], progress)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
        finally:
            for fd in (fd for pipe in pipes for fd in pipe):
                if fd >= 0:
                    os.close(fd)
    os.replace(part, out_path)
    if progress is not None:
        progress(100.0)
    size = out_path.stat().st_size
    log.info("rendered %s: %dx%d, %.2f s, %d bytes", out_path.name, plan.width, plan.height,
             plan.duration, size)
    return RenderResult(path=out_path, width=plan.width, height=plan.height, duration=plan.duration,
                        size=size)


def _run(plan: Plan, args: list[str], pipes: list[list[int]], feeds: list[Iterator[memoryview]],
         progress: Callable[[float], None] | None) -> None:
    """Run ffmpeg; photo frames go down the pipes from writer threads started once ffmpeg runs."""
    failures: list[BaseException] = []
    writers: list[threading.Thread] = []

    def start(proc: subprocess.Popen[bytes]) -> None:
        for k, (pipe, frames) in enumerate(zip(pipes, feeds, strict=True)):
            os.close(pipe[0])  # ffmpeg has its own copy; ours would keep the pipe open if ffmpeg died
            pipe[0] = -1
            write_end, pipe[1] = pipe[1], -1  # the writer owns (and closes) it from here
            thread = threading.Thread(target=_feed, args=(write_end, frames, proc, failures), daemon=True,
                                      name=f"photo-frames-{k}")
            thread.start()
            writers.append(thread)

    try:
        run_ffmpeg(args, duration=plan.duration, pass_fds=[pipe[0] for pipe in pipes], progress=progress,
                   timeout=120 + 20 * plan.duration, started=start)
    except FfmpegFailed as exc:
        _join(writers)
        if failures and isinstance(failures[0], PhotoError):
            raise RenderError(str(failures[0])) from None
        log.error("ffmpeg failed: %s\n%s", exc, exc.detail)
        if "too long" in str(exc):
            raise RenderError("the render took too long and was stopped") from None
        raise RenderError("the video could not be rendered") from None
    _join(writers)
    if failures:
        if isinstance(failures[0], PhotoError):
            raise RenderError(str(failures[0]))
        log.error("frame writer failed", exc_info=failures[0])
        raise RenderError("the video could not be rendered")


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=30)
