"""Where a text block goes: inside the platform's safe zone, off the subject, in a band or a panel.

`safe_zone(aspect)` gives the rectangle (fractions of the canvas) that text and the subject keep
to on each canvas; `text_regions(...)` picks the best place for one text block of a given size.

Safe zones, per canvas (x0, y0, x1, y1):

- 9:16 (TikTok, Reels, Shorts, 抖音, 视频号): the top 10 % (status bar, tabs), the bottom 20 %
  (caption, music label) and the right 15 % (like / comment / share buttons) are covered by the
  app; 6 % on the left keeps text off the screen edge.
- 3:4 (小红书 notes): 7 % top, 15 % bottom (title and interaction bar when shown full screen),
  12 % right (the like / collect / comment column), 6 % left.
- 4:5 (Instagram feed): 5 % top, 10 % bottom (the tag and sound badges), 6 % each side (the profile
  grid shows a centre 3:4 crop of a 4:5 post, cutting ~3 % of each side).
- 1:1: 5 % all round.
- 16:9 (YouTube): 5 % sides, 6 % top, 10 % bottom (progress bar and captions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np

from studio.render.framing.geometry import Box, Rect

log = logging.getLogger(__name__)

Aspect = str | tuple[int, int]
Band = Literal["top", "middle", "bottom", "panel"]
CANVASES: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "1:1": (1080, 1080),
    "16:9": (1920, 1080),
    "4:5": (1080, 1350),
    "3:4": (1080, 1440),
}
SAFE_ZONES: dict[str, Box] = {
    "9:16": (0.06, 0.10, 0.85, 0.80),
    "3:4": (0.06, 0.07, 0.88, 0.85),
    "4:5": (0.06, 0.05, 0.94, 0.90),
    "1:1": (0.05, 0.05, 0.95, 0.95),
    "16:9": (0.05, 0.06, 0.95, 0.90),
}
MAX_OVERLAP = 0.03  # share of a text box that may lie over a (padded) subject


@dataclass(frozen=True)
class TextPlacement:
    rect: Rect  # canvas pixels
    overlap: float  # share of the box's area over the padded subject rectangles
    band: Band
    scale: float  # 1.0, or less when the box had to shrink to fit beside the subject
    inside_safe: bool


def aspect_key(aspect: Aspect) -> str:
    """The nearest of the five canvases ("9:16", …) to an aspect given as "w:h" or (w, h)."""
    if isinstance(aspect, str):
        if aspect in SAFE_ZONES:
            return aspect
        a, b = (float(v) for v in aspect.split(":"))
    else:
        a, b = float(aspect[0]), float(aspect[1])
    ratio = a / b
    return min(CANVASES, key=lambda k: abs(np.log(CANVASES[k][0] / CANVASES[k][1] / ratio)))


def safe_zone(aspect: Aspect) -> Box:
    """The safe zone of the canvas nearest to `aspect`, as fractions (x0, y0, x1, y1)."""
    return SAFE_ZONES[aspect_key(aspect)]


def _overlaps(xs: np.ndarray, ys: np.ndarray, bw: float, bh: float, rects: list[Rect]) -> np.ndarray:
    total = np.zeros(xs.shape, np.float64)
    for r in rects:
        ix = np.clip(np.minimum(xs + bw, r.x1) - np.maximum(xs, r.x0), 0, None)
        iy = np.clip(np.minimum(ys + bh, r.y1) - np.maximum(ys, r.y0), 0, None)
        total += ix * iy
    return np.minimum(1.0, total / (bw * bh))


def text_regions(
    canvas_w: int,
    canvas_h: int,
    safe_zone: Box | Rect,
    subject_rects_on_canvas: list[Rect],
    box_w: float,
    box_h: float,
    *,
    panel: Rect | None = None,
    prefer: Literal["top", "bottom", "center"] | None = None,
    pad: float = 0.02,
    min_scale: float = 0.6,
) -> TextPlacement:
    """The best rectangle (canvas pixels) for a `box_w`x`box_h` text block.

    Searched inside the safe zone (fractions) — or inside `panel` (canvas pixels, a layout's text
    panel) intersected with it — on a grid of positions, at full size first (or the size that fits
    the region) and then shrinking (down to 60 % of that, and never under `min_scale` of the
    box: text stays readable) only when no position keeps the box off the subjects. Subjects are padded by
    `pad` of the canvas's short side. Costs: overlap (dominant), distance from the preferred band
    (top or bottom edge of the region; `prefer` from the draft's text position), off-centre
    placement, shrinking."""
    z = safe_zone if isinstance(safe_zone, Rect) else Rect.of(safe_zone)
    zone = z.scaled(canvas_w, canvas_h)
    region = zone
    if panel is not None:
        inner = panel.padded(-0.06 * min(panel.w, panel.h))
        region = inner.intersection(zone) or inner
    margin = pad * min(canvas_w, canvas_h)
    subjects = [r.padded(margin) for r in subject_rects_on_canvas]
    best: tuple[float, Rect, float, float] | None = None
    fit = min(1.0, region.w / box_w, region.h / box_h)  # a box larger than the region shrinks first
    scales = [k * fit for k in (1.0, 0.9, 0.8, 0.7, 0.6) if k * fit >= min_scale - 1e-6] or [fit]
    for scale in scales:
        bw, bh = box_w * scale, box_h * scale
        xs = np.linspace(region.x0, region.x1 - bw, 13)
        ys = np.linspace(region.y0, region.y1 - bh, 25)
        gx, gy = np.meshgrid(xs, ys)
        over = _overlaps(gx, gy, bw, bh, subjects)
        span_y = max(1.0, region.h - bh)
        top_dist = (gy - region.y0) / span_y
        band_cost: np.ndarray
        if prefer == "top":
            band_cost = top_dist
        elif prefer == "center":
            band_cost = np.abs(top_dist - 0.5) * 2
        elif prefer == "bottom":
            band_cost = 1.0 - top_dist
        else:  # either band, bottom slightly favoured (captions sit low)
            band_cost = np.minimum(top_dist * 1.15, 1.0 - top_dist)
            if canvas_w > 1.2 * canvas_h:  # wide canvases also take text in a side column
                left = (gx - region.x0) / max(1.0, region.w - bw)
                band_cost = np.minimum(band_cost, np.minimum(left, 1.0 - left) * 1.1)
        centred = np.abs((gx + bw / 2) - region.cx) / max(1.0, region.w / 2)
        if canvas_w > 1.2 * canvas_h and prefer is None:
            centred = centred * 0.3
        cost = 40.0 * over + 1.0 * band_cost + 0.35 * centred + 3.0 * (1.0 - scale)
        i = np.unravel_index(int(np.argmin(cost)), cost.shape)
        cand = (
            float(cost[i]),
            Rect(float(gx[i]), float(gy[i]), float(gx[i]) + bw, float(gy[i]) + bh),
            float(over[i]),
            scale,
        )
        if best is None or cand[0] < best[0]:
            best = cand
        if cand[2] <= MAX_OVERLAP:
            break
    assert best is not None
    _, rect, best_over, best_scale = best
    band: Band
    if panel is not None and panel.contains(rect, tol=1.0):
        band = "panel"
    else:
        third = (rect.cy / canvas_h) * 3
        band = "top" if third < 1 else ("middle" if third < 2 else "bottom")
    if best_over > MAX_OVERLAP:
        log.info("text box %.0fx%.0f overlaps the subject by %.0f %% at best", box_w, box_h, best_over * 100)
    return TextPlacement(rect, round(best_over, 4), band, round(best_scale, 3), zone.contains(rect, tol=1.0))
