"""The same plan rendered the usual MoviePy 2.x way, for comparison (bench only).

The same shots, camera moves, layouts, texts and soundtrack as `studio.render` plans them
(`studio.render.render.prepare`), drawn the way a MoviePy program does: one `VideoClip` per shot
whose frame function crops and resizes the photo with Pillow for each frame, colour clips for
cards, the text images as `ImageClip`s with cross-fades, transitions as `CrossFadeIn`, one
`CompositeVideoClip` written with libx264 veryfast crf 23.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from moviepy import AudioFileClip, ColorClip, CompositeVideoClip, ImageClip, VideoClip, vfx
from PIL import Image

from studio.render import audio
from studio.render.compositor import load_photo
from studio.render.render import prepare, soundtrack
from studio.render.text import composite, draw_block
from studio.render.timeline import FPS, PhotoScene


def _photo_clip(scene: PhotoScene, photos: dict[str, Image.Image], seconds: float, w: int, h: int) -> Any:
    def frame(t: float) -> np.ndarray:
        canvas = Image.new("RGB", (w, h), scene.background)
        for p in scene.panels:
            canvas.paste(p.color, tuple(int(v) for v in p.rect.ints()))
        for cell in scene.cells:
            crop = cell.move.at(min(1.0, t / max(seconds, 1e-3)))
            x0, y0, x1, y1 = (int(v) for v in cell.rect.ints())
            part = photos[cell.photo].resize(
                (x1 - x0, y1 - y0), Image.Resampling.BILINEAR, box=(crop.x0, crop.y0, crop.x1, crop.y1)
            )
            canvas.paste(part, (x0, y0))
        return np.asarray(canvas)

    return VideoClip(frame, duration=seconds)


def render_with_moviepy(draft: dict[str, Any], assets: dict[str, Path], out: Path) -> None:
    plan, _logo = prepare(draft, assets)
    w, h = plan.width, plan.height
    photos = {ref: load_photo(p.path, p.name) for ref, p in plan.photos.items()}
    layers: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        for shot in plan.shots:
            seconds = shot.frames / FPS
            if isinstance(shot.scene, PhotoScene):
                clip = _photo_clip(shot.scene, photos, seconds, w, h)
            else:
                colour = getattr(shot.scene, "colors", ((30, 30, 30),))[0]
                clip = ColorClip((w, h), color=colour).with_duration(seconds)
            clip = clip.with_start(shot.start / FPS)
            if shot.transition.frames:
                clip = clip.with_effects([vfx.CrossFadeIn(shot.transition.frames / FPS)])
            layers.append(clip)
        for cue in plan.cues:
            drawn = draw_block(cue.block)
            path = Path(tmp) / f"{cue.id}.png"
            Image.fromarray(composite(drawn)).save(path)
            layers.append(
                ImageClip(str(path), transparent=True)
                .with_start(cue.start / FPS)
                .with_duration((cue.end - cue.start) / FPS)
                .with_position((cue.x - drawn.pad, cue.y - drawn.pad))
                .with_effects([vfx.CrossFadeIn(0.3), vfx.CrossFadeOut(0.2)])
            )
        video = CompositeVideoClip(layers, size=(w, h)).with_duration(plan.duration)
        wav = audio.write_wav(Path(tmp) / "mix.wav", soundtrack(plan))
        video = video.with_audio(AudioFileClip(str(wav)).with_duration(plan.duration))
        video.write_videofile(
            str(out),
            fps=FPS,
            codec="libx264",
            preset="veryfast",
            audio_codec="aac",
            ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"],
            logger=None,
        )
