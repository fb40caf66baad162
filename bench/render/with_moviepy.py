"""The same draft rendered the usual MoviePy 2.x way, for comparison (bench only).

Same photo layout (contain-blur canvas from studio.render.stills.compose), the same text images
(studio.render.text) and music bed (studio.render.music), Ken Burns with MoviePy's per-frame `resized` and
position, crossfades with CrossFadeIn, one CompositeVideoClip written with libx264 veryfast crf 23.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from moviepy import AudioFileClip, ColorClip, CompositeVideoClip, ImageClip, afx, vfx

from studio.render import music
from studio.render.plan import FPS, plan_from_draft
from studio.render.stills import CANVAS_SCALE, ZOOM, compose, load_photo
from studio.render.text import render_text


def _still(path: Path, name: str, motion: str, seconds: float, width: int, height: int) -> Any:
    cw, ch = round(width * CANVAS_SCALE / 2) * 2, round(height * CANVAS_SCALE / 2) * 2
    canvas = np.asarray(compose(load_photo(path, name, (cw, ch)), cw, ch))
    base = width / cw  # canvas → frame at zoom 1

    def scale(t: float) -> float:
        f = min(1.0, t / seconds)
        if motion == "zoom-in":
            return base * ZOOM**f
        if motion == "zoom-out":
            return base * ZOOM ** (1 - f)
        return base * (1.0 if motion == "none" else ZOOM)

    def position(t: float) -> tuple[float, float]:
        s = scale(t)
        w, h = cw * s, ch * s
        x, y = (width - w) / 2, (height - h) / 2
        f = min(1.0, t / seconds)
        if motion in ("pan-left", "pan-right"):
            x = -(w - width) * ((1 - f) if motion == "pan-left" else f)
        if motion in ("pan-up", "pan-down"):
            y = -(h - height) * ((1 - f) if motion == "pan-up" else f)
        return x, y

    clip = ImageClip(canvas).with_duration(seconds)
    return clip.resized(scale).with_position(position)


def render_with_moviepy(draft: dict[str, Any], assets: dict[str, Path], out: Path) -> None:
    plan = plan_from_draft(draft)
    w, h = plan.width, plan.height
    layers: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        for v in plan.visuals:
            seconds = v.frames / FPS
            if v.kind == "image" and v.src:
                clip = _still(assets[v.src], v.name, v.motion, seconds, w, h)
            else:
                rgb = tuple(int(v.color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
                clip = ColorClip((w, h), color=rgb).with_duration(seconds)
            clip = clip.with_start(v.start / FPS)
            if v.transition_frames:
                clip = clip.with_effects([vfx.CrossFadeIn(v.transition_frames / FPS)])
            layers.append(clip)
        for t in plan.texts:
            image = render_text(t.text, t.role, t.pos, w, h)
            path = Path(tmp) / f"{t.id}.png"
            image.image.save(path)
            clip = (
                ImageClip(str(path), transparent=True)
                .with_start(t.start / FPS)
                .with_duration((t.end - t.start) / FPS)
                .with_position((image.x, image.y))
                .with_effects([vfx.CrossFadeIn(0.3), vfx.CrossFadeOut(0.3)])
            )
            layers.append(clip)
        video = CompositeVideoClip(layers, size=(w, h)).with_duration(plan.duration)
        if plan.audios:
            a = plan.audios[0]
            bed = Path(tmp) / "bed.wav"
            if a.src.startswith("synth://"):
                music.music_bed(a.src.removeprefix("synth://"), a.duration, bed, seed=a.seed)
            else:
                bed = assets[a.src]
            audio = (
                AudioFileClip(str(bed))
                .with_duration(a.duration)
                .with_effects(
                    [afx.AudioFadeIn(a.fade_in), afx.AudioFadeOut(a.fade_out), afx.MultiplyVolume(a.volume)]
                )
            )
            video = video.with_audio(audio)
        video.write_videofile(
            str(out),
            fps=FPS,
            codec="libx264",
            preset="veryfast",
            audio_codec="aac",
            ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"],
            logger=None,
        )
