"""The same plan rendered the usual MoviePy 2.x way, for comparison (bench only).

The same shots, camera moves, layouts, texts and soundtrack as `studio.render` plans them
(`studio.render.render.prepare`), built the way MoviePy programs do it: every layout cell of a shot
is an `ImageClip` of its photo with a Ken Burns move made of MoviePy's per-frame `resized(scale(t))`
and `with_position(pos(t))`, composited in a `CompositeVideoClip` of the cell's size and placed on
the canvas; panels and cards are `ColorClip`s; texts are `ImageClip`s of the same text images with
cross-fades; transitions are `CrossFadeIn`; one `CompositeVideoClip` written with libx264 veryfast
crf 23, the same mastered soundtrack as audio.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from moviepy import AudioFileClip, ColorClip, CompositeVideoClip, ImageClip, vfx
from PIL import Image

from studio.render import audio
from studio.render.compositor import load_photo
from studio.render.framing.shots import Move
from studio.render.render import prepare, soundtrack
from studio.render.text import composite, draw_block
from studio.render.timeline import FPS, PhotoScene


def _ken_burns(photo: np.ndarray, move: Move, cell_w: int, cell_h: int, seconds: float) -> Any:
    """The cell's move as MoviePy does Ken Burns: the whole photo resized and positioned per frame."""

    def crop(t: float) -> Any:
        return move.at(min(1.0, t / max(seconds, 1e-3)))

    def scale(t: float) -> float:
        return cell_w / crop(t).w

    def position(t: float) -> tuple[float, float]:
        c = crop(t)
        s = cell_w / c.w
        return -c.x0 * s, -c.y0 * s

    clip = ImageClip(photo).with_duration(seconds).resized(scale).with_position(position)
    return CompositeVideoClip([clip], size=(cell_w, cell_h)).with_duration(seconds)


def render_with_moviepy(draft: dict[str, Any], assets: dict[str, Path], out: Path) -> None:
    plan, _logo = prepare(draft, assets)
    w, h = plan.width, plan.height
    photos = {ref: np.asarray(load_photo(p.path, p.name)) for ref, p in plan.photos.items()}
    layers: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        for shot in plan.shots:
            seconds = shot.frames / FPS
            start = shot.start / FPS
            fade = [vfx.CrossFadeIn(shot.transition.frames / FPS)] if shot.transition.frames else []
            if isinstance(shot.scene, PhotoScene):
                parts: list[Any] = [ColorClip((w, h), color=shot.scene.background).with_duration(seconds)]
                for p in shot.scene.panels:
                    x0, y0, x1, y1 = (int(v) for v in p.rect.ints())
                    parts.append(
                        ColorClip((x1 - x0, y1 - y0), color=p.color)
                        .with_duration(seconds)
                        .with_position((x0, y0))
                    )
                for cell in shot.scene.cells:
                    x0, y0, x1, y1 = (int(v) for v in cell.rect.ints())
                    parts.append(
                        _ken_burns(photos[cell.photo], cell.move, x1 - x0, y1 - y0, seconds).with_position(
                            (x0, y0)
                        )
                    )
                clip = CompositeVideoClip(parts, size=(w, h)).with_duration(seconds)
            else:
                colour = getattr(shot.scene, "colors", ((30, 30, 30),))[0]
                clip = ColorClip((w, h), color=colour).with_duration(seconds)
            layers.append(clip.with_start(start).with_effects(fade))
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
