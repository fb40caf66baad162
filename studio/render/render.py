"""Draft → MP4: the studio's renderer. One encoding ffmpeg run per video, fed by this process.

`render_draft` is synchronous and meant for a worker process:

1. the draft is read as `studio.draft.Draft`; every photo and clip is opened once, small, to find
   its subject (`framing.subject`), and checked to decode, so a bad file fails before ffmpeg starts;
2. `studio.render.timeline.plan_draft` plans every shot on the music's beat grid, the layouts and
   camera moves, the transitions, the text cues and the end card (docs/rendering.md);
3. the soundtrack is mixed and mastered (`studio.render.audio`) by a process of its own
   (`SoundtrackJob`, started first: it synthesises the bed while steps 1-2 run on the other core);
   it reaches ffmpeg over its own pipe as raw 48 kHz 16-bit samples;
4. `studio.render.compositor.Compositor` makes every frame as Y/Cb/Cr planes in a writer thread
   and streams them to ffmpeg over one pipe while it encodes (clips are decoded by ffmpeg
   processes of their own, at their cell's size).

The MP4: H.264 High, yuv420p tagged BT.709, AAC 48 kHz, constant 30 fps, +faststart, the draft's
length to the frame. A bad asset or draft raises RenderError with a message a user can read; a
cancelled or timed-out render raises RenderCancelled after stopping ffmpeg, every decoder and the
writer threads, and deleting the partial output.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ValidationError

from studio.draft import Draft
from studio.render import RENDERER_VERSION, audio, voiceover, yuv
from studio.render.compositor import Compositor, PhotoError
from studio.render.ffmpeg import CHILD_OPTIONS, FfmpegFailed, FfmpegStopped, probe, run_ffmpeg
from studio.render.framing.subject import find_subject, load_small
from studio.render.text import clear_font_cache
from studio.render.timeline import FPS, Clip, ClipScene, Photo, Plan, PlanError, plan_draft

log = logging.getLogger(__name__)

PRESET = "veryfast"
CRF = 23
# x264 fitted to the 2-core workers: two frame threads (the default, 1.5x the cores, only adds
# buffered frames here, the frame thread needs the rest of the CPU), veryfast's own 10-frame
# look-ahead, no extra sync buffer: ~55 MB less than the defaults at the same speed and quality.
# `bench render` re-encodes with these same settings (its baseline).
X264 = [
    "-preset",
    PRESET,
    "-crf",
    str(CRF),
    "-threads",
    "2",
    "-x264-params",
    "rc-lookahead=10:sync-lookahead=0",
]


class RenderError(Exception):
    """The draft could not be rendered; the message is user-readable (e.g. "photo front.jpg could not
    be decoded")."""


class RenderCancelled(RenderError):
    """The render was stopped (cancelled, or it took too long); nothing was left behind."""


class RenderResult(BaseModel):
    path: Path
    width: int
    height: int
    duration: float  # seconds
    size: int  # bytes
    shots: int = 0
    version: str = RENDERER_VERSION


class _EventLike(Protocol):
    def is_set(self) -> bool: ...


StopHook = Callable[[], bool] | _EventLike | None


def _stopper(should_stop: StopHook) -> Callable[[], bool]:
    if should_stop is None:
        return lambda: False
    if callable(should_stop):
        return should_stop
    return should_stop.is_set


# --- media ------------------------------------------------------------------------------------
def _asset(assets: Mapping[str, Path], src: str | None, what: str, name: str) -> Path:
    path = assets.get(src or "")
    if path is None or not Path(path).is_file():
        raise RenderError(f"{what} {name} is missing")
    return Path(path)


def analyse_photo(ref: str, path: Path, name: str) -> Photo:
    """A photo opened small (its subject found) and checked to decode."""
    try:
        from PIL import Image, ImageOps

        with Image.open(path) as img:
            w, h = img.size
            if img.getexif().get(274, 1) in (5, 6, 7, 8):
                w, h = h, w
        small = load_small(path)
        del Image, ImageOps
    except FileNotFoundError:
        raise RenderError(f"photo {name} is missing") from None
    except Exception as exc:
        log.info("photo %s: %s: %s", name, type(exc).__name__, exc)
        raise RenderError(f"photo {name} could not be decoded") from None
    return Photo(ref, path, name, w, h, find_subject(small), small)


def _first_frame(path: Path, at: float) -> np.ndarray | None:
    from common.ffmpeg import ffmpeg_exe

    cmd = [
        ffmpeg_exe(),
        "-v",
        "error",
        "-nostdin",
        "-ss",
        f"{max(0.0, at):.3f}",
        "-i",
        str(path),
        "-frames:v",
        "1",
        "-vf",
        "scale=384:-2",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "pipe:1",
    ]
    done = subprocess.run(cmd, capture_output=True, check=False, timeout=60, **CHILD_OPTIONS)
    if done.returncode != 0 or not done.stdout:
        return None
    n = len(done.stdout) // 3
    w = 384
    h = n // w
    if h < 2:
        return None
    return np.frombuffer(done.stdout[: w * h * 3], np.uint8).reshape(h, w, 3).copy()


def analyse_clip(ref: str, path: Path, name: str, trim: float) -> Clip:
    info = probe(path)
    if not info.video or not info.width or not info.height:
        raise RenderError(f"video clip {name} could not be decoded")
    small = _first_frame(path, min(trim, max(0.0, (info.duration or 0.0) - 0.1)))
    if small is None:
        small = _first_frame(path, 0.0)
    if small is None:
        raise RenderError(f"video clip {name} could not be decoded")
    return Clip(
        ref,
        path,
        name,
        int(info.width),
        int(info.height),
        info.duration,
        bool(info.audio),
        find_subject(small),
        small,
    )


def _media(draft: Draft, assets: Mapping[str, Path]) -> tuple[dict[str, Photo], dict[str, Clip]]:
    photos: dict[str, Photo] = {}
    clips: dict[str, Clip] = {}
    for seg in draft.visuals:
        m = seg.m
        ref = m.src or ""
        name = m.name or ref or seg.id
        if m.kind == "image" and ref not in photos:
            photos[ref] = analyse_photo(ref, _asset(assets, ref, "photo", name), name)
        elif m.kind == "video" and ref not in clips:
            clips[ref] = analyse_clip(ref, _asset(assets, ref, "video clip", name), name, m.start_in / 1000)
    return photos, clips


def _logo(draft: Draft, assets: Mapping[str, Path]) -> Path | None:
    logo = draft.m.logo
    if logo is None:
        return None
    name = Path(logo.src).name or "logo"
    path = _asset(assets, logo.src, "logo", name)
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.load()
    except Exception:
        raise RenderError(f"logo {name} could not be decoded") from None
    return path


def read_draft(draft: Draft | dict[str, Any]) -> Draft:
    if isinstance(draft, Draft):
        return draft
    if not isinstance(draft, dict):
        raise RenderError("the draft is not a JSON object")
    try:
        return Draft.from_wire(draft)
    except ValidationError as exc:
        log.info("unreadable draft: %s", exc.errors()[:3])
        raise RenderError("the draft could not be read") from None


def _music_of(d: Draft, assets: Mapping[str, Path]) -> audio.MusicPlan | None:
    duration = max(d.d, max((s.end for s in d.visuals), default=0)) / 1000
    return audio.music_plan(d, duration, {k: Path(v) for k, v in assets.items()})


def prepare(
    draft: Draft | dict[str, Any], assets: Mapping[str, Path], *, narrate: bool = True
) -> tuple[Plan, Path | None]:
    """The plan of a draft with its media analysed (shared by the render and the storyboard).

    `narrate=False` (the storyboard, in the API process): a synthetic voice-over is not synthesised;
    its timing comes from the synthesis cache when the script was spoken before, else an estimate
    (`voiceover.planned_narration`), and the plan has no voice track."""
    d = read_draft(draft)
    if not d.visuals and not d.texts() and d.d <= 0:
        raise RenderError("the draft is empty: add a photo, a clip or a title first")
    # a synthetic voice-over: the video fits it, the captions follow it
    narration = _narration(d) if narrate else voiceover.planned_narration(d)
    if narration is not None:
        d = voiceover.with_narration(d, narration)
    photos, clips = _media(d, assets)
    logo = _logo(d, assets)
    music = _music_of(d, assets)
    track = d.music.m.name if d.music is not None else "track"
    if music is not None and not music.generated and music.path is None:
        raise RenderError(f"audio {track} is missing")
    if music is not None and music.path is not None and not probe(music.path).audio:
        raise RenderError(f"audio {track} could not be decoded")
    try:
        plan = plan_draft(d, photos, clips, music=music, logo=logo)
    except PlanError as exc:
        raise RenderError(str(exc)) from None
    voice = d.voice
    if voice is not None and voice.m.src.startswith("asset://"):
        plan.voice = Path(assets[voice.m.src]) if voice.m.src in assets else None
    if narration is not None and narrate:
        plan.voice = narration.path
    return plan, logo


def _narration(d: Draft) -> voiceover.Narration | None:
    try:
        return voiceover.narrate(d)
    except voiceover.VoiceRenderError as exc:
        raise RenderError(str(exc)) from None


# --- audio ------------------------------------------------------------------------------------
def mix_spec(plan: Plan) -> audio.MixSpec:
    """What the soundtrack of the plan is made of: music, clips' own sound, a recorded voice-over."""
    parts: list[audio.SoundPart] = []
    seen: set[str] = set()
    for shot in plan.shots:
        scene = shot.scene
        if not isinstance(scene, ClipScene) or shot.segment in seen or scene.volume <= 0:
            continue
        seen.add(shot.segment)
        clip = plan.clips[scene.clip]
        if not clip.audio:
            continue
        span = [s for s in plan.shots if s.segment == shot.segment]
        length = (span[-1].end - span[0].start) / FPS
        parts.append(
            audio.SoundPart(str(clip.path), span[0].start / FPS, length, scene.trim_in, scene.volume, "clip")
        )
    if plan.voice is not None:
        parts.append(audio.SoundPart(str(plan.voice), 0.0, plan.duration, 0.0, 1.0, "voice"))
    return audio.MixSpec(plan.duration, plan.music, tuple(parts))


def soundtrack(plan: Plan) -> np.ndarray:
    """The mastered mix of the plan (in this process)."""
    return audio.mix(mix_spec(plan))


class SoundtrackJob:
    """The soundtrack made by `python -m studio.render.mixjob --stdin` (see there why a process).

    Started before the media are analysed, with the draft's music plan: a generated bed is
    synthesised on the other core while this process analyses the photos and plans the shots;
    `send(spec)` hands it the whole mix once the plan is known, `result()` waits for the samples.
    Whatever happens, `close()` (or leaving the `with` block) kills it."""

    def __init__(self, music: audio.MusicPlan | None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="vb-mix-")
        self.out = Path(self._tmp.name) / "mix.f32"
        self._errors = (Path(self._tmp.name) / "errors.txt").open("w+b")  # never a full pipe
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            [sys.executable, "-m", "studio.render.mixjob", "--stdin", str(self.out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
            **CHILD_OPTIONS,
        )
        first = {"music": None}
        if music is not None:
            first = json.loads(audio.MixSpec(music.start + music.duration, music, ()).to_json())
        self._write(json.dumps({"music": first["music"]}))

    def _write(self, line: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # it died: `result` reports it

    def send(self, spec: audio.MixSpec) -> None:
        self._write(spec.to_json())
        if self.proc.stdin is not None:
            self.proc.stdin.close()

    def result(self, stop: Callable[[], bool], timeout: float, duration: float) -> np.ndarray:
        began = time.monotonic()
        while self.proc.poll() is None:
            if stop():
                raise RenderCancelled("the render was cancelled")
            if time.monotonic() - began > timeout:
                raise RenderCancelled("the render took too long and was stopped")
            time.sleep(0.02)
        self._errors.seek(0)
        err = self._errors.read()
        if self.proc.returncode != 0:
            log.error("the soundtrack could not be made: %s", err.decode("utf-8", "replace")[-2000:])
            raise RenderError("the soundtrack could not be made")
        samples = np.fromfile(self.out, np.float32).reshape(-1, 2)
        if len(samples) != round(duration * audio.SAMPLE_RATE):
            raise RenderError("the soundtrack could not be made")
        return samples

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self._errors.close()
        self._tmp.cleanup()

    def __enter__(self) -> SoundtrackJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def soundtrack_apart(plan: Plan, stop: Callable[[], bool], timeout: float) -> np.ndarray:
    """The mastered mix of the plan, made by `python -m studio.render.mixjob` (see there why)."""
    with SoundtrackJob(plan.music) as job:
        job.send(mix_spec(plan))
        return job.result(stop, timeout, plan.duration)


# --- the ffmpeg run ---------------------------------------------------------------------------
def _pipe() -> tuple[int, int]:
    """A pipe with a 1 MiB buffer where Linux allows it (fewer wake-ups per 3 MB frame)."""
    read, write = os.pipe()
    try:
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass
    return read, write


def encode_args(plan: Plan, video_fd: int, audio_fd: int, out: Path) -> list[str]:
    w, h = plan.width, plan.height
    tags = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"
    return [
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-video_size",
        f"{w}x{h}",
        "-framerate",
        str(FPS),
        "-thread_queue_size",
        "2",
        "-i",
        f"pipe:{video_fd}",
        "-f",
        "s16le",
        "-ar",
        str(audio.SAMPLE_RATE),
        "-ch_layout",
        "stereo",
        "-thread_queue_size",
        "64",
        "-i",
        f"pipe:{audio_fd}",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-vf",
        tags,
        "-c:v",
        "libx264",
        *X264,
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-colorspace",
        "bt709",
        "-color_range",
        "tv",
        "-r",
        str(FPS),
        "-fps_mode",
        "cfr",
        "-frames:v",
        str(plan.frames),
        "-c:a",
        "aac",
        "-b:a",
        "160k",
        "-ar",
        str(audio.SAMPLE_RATE),
        "-ac",
        "2",
        "-max_muxing_queue_size",
        "4096",
        "-t",
        f"{plan.frames / FPS:.6f}",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-y",
        str(out),
    ]


FRAME_THREADS = 1  # two threads make frames ~1.7x faster but cost ~20 MB more (over the 500 MB budget)


def _write_frames(
    fd: int,
    comp: Compositor,
    proc: subprocess.Popen[bytes],
    failures: list[BaseException],
    stop: Callable[[], bool],
) -> None:
    """Every frame down the pipe, in order, made by `FRAME_THREADS` threads taking turns: thread k
    makes frames k, k + n, …; each writes its frame when its turn comes (OpenCV and the pipe write
    release the GIL, so the two overlap), then makes its next one."""
    total = comp.plan.frames
    starts = {s.start for s in comp.plan.shots}
    turn = threading.Condition()
    state = {"next": 0, "closed": False}

    def work(k: int, pipe: Any) -> None:
        out = yuv.new_frame(comp.w, comp.h)
        try:
            for f in range(k, total, FRAME_THREADS):
                if stop():
                    break
                comp.frame(f, out)
                with turn:
                    while state["next"] != f and not state["closed"]:
                        turn.wait(0.5)
                    if state["closed"]:
                        return
                    for plane in out:
                        pipe.write(plane.data)
                    state["next"] = f + 1
                    if f % 30 == 0 or f + 1 in starts:  # and just before every shot starts
                        comp.housekeeping(f + 1 if f % 30 else f)
                    turn.notify_all()
        except BrokenPipeError:
            pass  # ffmpeg stopped reading (it failed, or was stopped): its exit status tells
        except BaseException as exc:  # reported by the render; ffmpeg must not finish a short video
            failures.append(exc)
            proc.kill()
        finally:
            with turn:
                state["closed"] = state["closed"] or state["next"] < total
                turn.notify_all()

    with os.fdopen(fd, "wb", buffering=0) as pipe:
        workers = [
            threading.Thread(target=work, args=(k, pipe), daemon=True, name=f"render-frames-{k}")
            for k in range(FRAME_THREADS)
        ]
        for t in workers:
            t.start()
        for t in workers:
            t.join()


def _write_audio(
    fd: int,
    pcm: np.ndarray,
    proc: subprocess.Popen[bytes],
    failures: list[BaseException],
    stop: Callable[[], bool],
) -> None:
    try:
        with os.fdopen(fd, "wb", buffering=0) as pipe:
            data = memoryview(pcm).cast("B")
            step = 1 << 18
            for i in range(0, len(data), step):
                if stop():
                    return
                pipe.write(data[i : i + step])
    except BrokenPipeError:
        pass
    except BaseException as exc:
        failures.append(exc)
        proc.kill()


def _pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples as interleaved 16-bit PCM (what the AAC encoder reads; half the memory)."""
    return np.ascontiguousarray(np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2"))


def release_memory() -> None:
    """Hand freed heap back to the system (glibc's malloc_trim): the encoder needs it next."""
    import gc

    gc.collect()
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        pass


@cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL("libc.so.6")
    try:
        libc.mallopt(-8, 2)  # M_ARENA_MAX: the frame and audio threads share two malloc arenas
    except AttributeError:
        pass
    return libc


def render_draft(
    draft: Draft | dict[str, Any],
    assets: Mapping[str, Path],
    out_path: Path,
    *,
    progress: Callable[[float], None] | None = None,
    should_stop: StopHook = None,
    timeout: float | None = None,
) -> RenderResult:
    """Render a studio draft to `out_path` (MP4). `assets` maps "asset://<id>" to files on disk;
    `progress` receives 0..100; `should_stop` (a callable or a threading.Event) cancels the render
    when it turns true; `timeout` seconds (default 120 + 20 x the video's length) stops it too.
    Raises RenderError (RenderCancelled when stopped) with a user-readable message."""
    stop = _stopper(should_stop)
    started = time.monotonic()
    out_path = Path(out_path)
    if progress is not None:
        progress(0.0)
    d = read_draft(draft)
    _libc()
    # the soundtrack's process starts first: it synthesises the bed on the other core while this
    # one analyses the media, plans, and draws what the frames will reuse. Synthesis and mastering
    # are the render's memory peak, so the encoder starts only once that process has exited (the
    # process tree stays under 500 MB).
    with SoundtrackJob(_music_of(d, assets)) as job:
        plan, logo = prepare(d, assets)
        if stop():
            raise RenderCancelled("the render was cancelled")
        job.send(mix_spec(plan))
        limit = timeout if timeout is not None else 120 + 20 * plan.duration
        comp = Compositor(plan, logo)
        try:
            comp.warm(stop)
            release_memory()  # what the analysis and planning left behind
            pcm = _pcm16(job.result(stop, limit, plan.duration))
        except BaseException:
            comp.close()
            raise
    release_memory()
    if stop():
        comp.close()
        raise RenderCancelled("the render was cancelled")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    part = out_path.with_name(out_path.name + ".part")
    video_r, video_w = _pipe()
    audio_r, audio_w = _pipe()
    fds = {"video_r": video_r, "video_w": video_w, "audio_r": audio_r, "audio_w": audio_w}
    failures: list[BaseException] = []
    threads: list[threading.Thread] = []
    stopped = threading.Event()

    def halt() -> bool:
        return stopped.is_set() or stop()

    def begin(proc: subprocess.Popen[bytes]) -> None:
        for key in ("video_r", "audio_r"):  # ffmpeg has its own copies
            os.close(fds[key])
            fds[key] = -1
        vw, aw = fds["video_w"], fds["audio_w"]
        fds["video_w"] = fds["audio_w"] = -1  # the writers own (and close) them from here
        threads.append(
            threading.Thread(
                target=_write_frames,
                args=(vw, comp, proc, failures, halt),
                daemon=True,
                name="render-frames",
            )
        )
        threads.append(
            threading.Thread(
                target=_write_audio, args=(aw, pcm, proc, failures, halt), daemon=True, name="render-audio"
            )
        )
        for t in threads:
            t.start()

    def on_progress(pct: float) -> None:
        if progress is not None:
            progress(min(99.0, 2.0 + pct * 0.97))

    try:
        run_ffmpeg(
            encode_args(plan, video_r, audio_r, part),
            duration=plan.duration,
            pass_fds=[video_r, audio_r],
            progress=on_progress,
            timeout=limit,
            started=begin,
            should_stop=stop,
        )
    except FfmpegStopped as exc:
        stopped.set()
        _cleanup(comp, threads, fds, part)
        raise RenderCancelled(str(exc)) from None
    except FfmpegFailed as exc:
        stopped.set()
        _cleanup(comp, threads, fds, part)
        if failures and isinstance(failures[0], PhotoError):
            raise RenderError(str(failures[0])) from None
        if failures:
            log.error("render writer failed: %r", failures[0])
        log.error("ffmpeg failed: %s\n%s", exc, exc.detail)
        raise RenderError("the video could not be rendered") from None
    except BaseException:
        stopped.set()
        _cleanup(comp, threads, fds, part)
        raise
    _cleanup(comp, threads, fds, None)
    if failures:
        part.unlink(missing_ok=True)
        if isinstance(failures[0], PhotoError):
            raise RenderError(str(failures[0]))
        log.error("render writer failed", exc_info=failures[0])
        raise RenderError("the video could not be rendered")
    if stop():
        part.unlink(missing_ok=True)
        raise RenderCancelled("the render was cancelled")
    os.replace(part, out_path)
    if progress is not None:
        progress(100.0)
    size = out_path.stat().st_size
    log.info(
        "rendered %s: %dx%d, %.2f s, %d shots, %d bytes in %.1f s",
        out_path.name,
        plan.width,
        plan.height,
        plan.duration,
        len(plan.shots),
        size,
        time.monotonic() - started,
    )
    return RenderResult(
        path=out_path,
        width=plan.width,
        height=plan.height,
        duration=plan.duration,
        size=size,
        shots=len(plan.shots),
    )


def _cleanup(
    comp: Compositor, threads: list[threading.Thread], fds: dict[str, int], part: Path | None
) -> None:
    comp.kill()
    for key, fd in fds.items():
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
            fds[key] = -1
    for t in threads:
        t.join(timeout=30)
    comp.close()
    clear_font_cache()
    if part is not None:
        part.unlink(missing_ok=True)


def render_to_tempdir(draft: Draft | dict[str, Any], assets: Mapping[str, Path]) -> Path:
    """Render into a fresh temporary folder (for tools and benchmarks); returns the MP4's path."""
    folder = Path(tempfile.mkdtemp(prefix="vb-render-"))
    return render_draft(draft, assets, folder / "out.mp4").path
