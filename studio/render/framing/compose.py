"""A reference compositor: one RGB frame of a layout at progress t (previews, contact sheets, tests).

The studio renders Y/Cb/Cr planes with its own warp (`render_stills._warp`); this module shows the
same geometry in RGB: each cell samples its photo through the crop of its current move (or its
static crop) with a sub-pixel bilinear warp, panels are flat or linear gradients, gutters show the
layout's background colour.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.render.framing.geometry import Rect
from studio.render.framing.layout import Layout, Panel


def warp_crop(rgb: np.ndarray, crop: Rect, size: tuple[int, int]) -> np.ndarray:
    """The `crop` window of `rgb` (source pixels, fractional) resampled to `size` (w, h)."""
    sx, sy = crop.w / size[0], crop.h / size[1]
    m = np.array([[sx, 0.0, crop.x0 + sx / 2 - 0.5], [0.0, sy, crop.y0 + sy / 2 - 0.5]])
    interp = cv2.INTER_AREA if sx > 1.5 else cv2.INTER_LINEAR
    if interp == cv2.INTER_AREA:  # shrink first (area), then warp the remainder: no aliasing
        f = 1.0 / sx
        small = cv2.resize(
            rgb,
            (max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f))),
            interpolation=cv2.INTER_AREA,
        )
        kx, ky = small.shape[1] / rgb.shape[1], small.shape[0] / rgb.shape[0]
        return warp_crop(small, Rect(crop.x0 * kx, crop.y0 * ky, crop.x1 * kx, crop.y1 * ky), size)
    return cv2.warpAffine(
        rgb, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )


def _panel(p: Panel, w: int, h: int) -> np.ndarray:
    a = np.array(p.color, np.float32)
    b = np.array(p.gradient_to if p.gradient_to is not None else p.color, np.float32)
    t = np.linspace(0.0, 1.0, h if p.vertical else w, dtype=np.float32)
    line = a[None, :] * (1 - t[:, None]) + b[None, :] * t[:, None]
    grid = (
        np.broadcast_to(line[:, None, :], (h, w, 3))
        if p.vertical
        else np.broadcast_to(line[None, :, :], (h, w, 3))
    )
    return np.clip(grid, 0, 255).astype(np.uint8)


def render_layout(
    layout: Layout, images: list[np.ndarray], t: float | None = None, scale: float = 1.0
) -> np.ndarray:
    """The layout's frame at move progress `t` (None: static crops), `scale` times the canvas size.
    `images[i]` is photo i at any resolution (crops are scaled from the layout's photo sizes by
    the caller passing the photo at the size the layout was planned for, or proportionally)."""
    cw, ch = round(layout.canvas[0] * scale), round(layout.canvas[1] * scale)
    frame = np.empty((ch, cw, 3), np.uint8)
    frame[:] = layout.background
    for p in layout.panels:
        x0, y0, x1, y1 = p.rect.scaled(scale).ints()
        if x1 > x0 and y1 > y0:
            frame[y0:y1, x0:x1] = _panel(p, x1 - x0, y1 - y0)
    for cell in layout.cells:
        x0, y0, x1, y1 = cell.rect.scaled(scale).ints()
        if x1 <= x0 or y1 <= y0:
            continue
        crop = cell.moves[0].at(t) if (t is not None and cell.moves) else cell.crop
        frame[y0:y1, x0:x1] = warp_crop(images[cell.photo], crop, (x1 - x0, y1 - y0))
    return frame
