"""The storyboard: one JPEG contact sheet of a draft's plan, made without encoding any video.

Every planned shot is one tile: the shot's frame a few frames in (its texts in place), its start
time, what the camera does (punch-in, pan, …, the transition into it), and the words on screen.
It uses the same plan and compositor as the render, so what it shows is what the export will be;
a 30-second promo takes about two seconds (the photos decoded once, one frame per shot).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from studio.draft import Draft
from studio.render import yuv
from studio.render.compositor import Compositor
from studio.render.fonts import FAMILIES
from studio.render.render import prepare
from studio.render.text import clear_font_cache
from studio.render.timeline import FPS, Plan

log = logging.getLogger(__name__)

BACKGROUND = (18, 18, 22)
INK = (240, 240, 240)
MUTED = (150, 150, 160)


def _clock(frame: int) -> str:
    s = frame / FPS
    return f"{int(s // 60)}:{s % 60:04.1f}"


def storyboard_image(plan: Plan, logo: Path | None, *, tile_w: int | None = None) -> Image.Image:
    portrait = plan.height > plan.width
    tile_w = tile_w or (220 if portrait else 360)
    tile_h = round(plan.height * tile_w / plan.width)
    cols = 6 if portrait else 4
    caption_h = 64
    gap = 12
    head = 56
    rows = (len(plan.shots) + cols - 1) // cols
    sheet = Image.new(
        "RGB", (cols * (tile_w + gap) + gap, head + rows * (tile_h + caption_h + gap) + gap), BACKGROUND
    )
    draw = ImageDraw.Draw(sheet)
    from PIL import ImageFont

    big = ImageFont.truetype(str(FAMILIES["sans"].headline), 22)
    small = ImageFont.truetype(str(FAMILIES["sans"].body), 14)
    comp = Compositor(plan, logo)
    try:
        title = (
            f"{len(plan.shots)} shots · {plan.duration:.1f} s · {plan.width}x{plan.height} · style "
            f"{plan.style.name} · {plan.grid.tempo_bpm:.0f} bpm"
        )
        draw.text((gap, 16), title, font=big, fill=INK)
        for n, shot in enumerate(plan.shots):
            f = min(shot.start + min(14, shot.frames // 2), plan.frames - 1)
            rgb = yuv.to_rgb(comp.frame(f))
            tile = Image.fromarray(rgb).resize((tile_w, tile_h), Image.Resampling.BILINEAR)
            x = gap + (n % cols) * (tile_w + gap)
            y = head + (n // cols) * (tile_h + caption_h + gap)
            sheet.paste(tile, (x, y))
            into = shot.transition.kind if shot.transition.frames else "cut"
            label = f"{n + 1}. {_clock(shot.start)}  {shot.label}" + (f" · {into}" if n else "")
            draw.text((x, y + tile_h + 4), label, font=small, fill=INK)
            words = [c.text for c in plan.cues if c.start < shot.end and c.end > shot.start]
            line = " / ".join(dict.fromkeys(words))
            if len(line) > 48:
                line = line[:47] + "…"
            draw.text((x, y + tile_h + 24), line, font=small, fill=MUTED)
    finally:
        comp.close()
        clear_font_cache()
    return sheet


def storyboard(draft: Draft | dict[str, Any], assets: Mapping[str, Path], *, quality: int = 85) -> bytes:
    """The storyboard of a draft as JPEG bytes (RenderError for a bad draft or asset)."""
    plan, logo = prepare(draft, assets, narrate=False)  # never a voice engine in the API process
    image = storyboard_image(plan, logo)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    log.info("storyboard: %d shots, %d bytes", len(plan.shots), out.tell())
    return out.getvalue()
