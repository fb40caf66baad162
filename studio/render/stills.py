"""Photos → raw yuv420p frames with a smooth Ken Burns motion, decoded and coloured once.

A photo is decoded once (JPEG DCT scaling to about the size needed, EXIF orientation applied) into a
"canvas": the whole frame at zoom 1, `CANVAS_SCALE` times the output size, with the photo shown whole
over a blurred fill of itself when its aspect differs from the frame's (contain-blur). The canvas is
converted once to BT.709 limited-range Y, Cb, Cr planes. Every frame is then one resampling of a
fractional window of those planes (OpenCV's bilinear `warpAffine`), so the motion is
sub-pixel smooth — no integer crop steps — and costs ~4 ms per 1080p frame.
"""

from __future__ import annotations

import ctypes
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter, ImageOps

log = logging.getLogger(__name__)
cv2.setNumThreads(1)  # frames are made by one thread per pipe, next to ffmpeg's encoder: no pool

CANVAS_SCALE = 1.12  # canvas resolution relative to the output: the deepest zoom is 1:1
ZOOM = 1.12  # zoom at the end of zoom-in (start of zoom-out) and during pans
FULL_MOTION_FRAMES = 120  # a shot this long (4 s) or longer moves all the way; shorter ones move less,
# so the camera never goes faster than that (a 1 s shot drifts a quarter of the way instead of racing)
COVER_TOLERANCE = 1.12  # aspect ratios closer than this are cropped to cover instead of contain-blur

Box = tuple[float, float, float, float]
Planes = tuple[np.ndarray, np.ndarray, np.ndarray]  # Y, Cb, Cr


class PhotoError(Exception):
    """A photo could not be decoded (message is user-readable)."""


@dataclass(frozen=True)
class Canvas:
    """A photo laid out for a frame, as 8-bit Y (full size) and Cb, Cr (half size) planes."""

    y: np.ndarray
    cb: np.ndarray
    cr: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return self.y.shape[1], self.y.shape[0]


def _even(v: float) -> int:
    return max(2, round(v / 2) * 2)


def load_photo(path: Path, name: str, need: tuple[int, int]) -> Image.Image:
    """Decode a photo as RGB, upright, decoded no larger than needed to cover `need` (w, h)."""
    try:
        with Image.open(path) as img:
            orientation = img.getexif().get(274, 1)
            w, h = img.size
            if orientation in (5, 6, 7, 8):
                w, h = h, w
            f = max(need[0] / w, need[1] / h)
            want = (math.ceil(img.size[0] * f), math.ceil(img.size[1] * f))
            if img.format == "JPEG":
                img.draft("RGB", want)
            img.load()
            upright = ImageOps.exif_transpose(img)
            if upright.mode != "RGB":
                rgba = upright.convert("RGBA")
                upright = Image.new("RGB", rgba.size, (0, 0, 0))
                upright.paste(rgba, mask=rgba.getchannel("A"))
            return upright.copy()
    except FileNotFoundError as exc:
        raise PhotoError(f"photo {name} is missing") from exc
    except (Exception, Image.DecompressionBombError) as exc:
        log.info("photo %s: %s: %s", name, type(exc).__name__, exc)
        raise PhotoError(f"photo {name} could not be decoded") from exc


def compose(photo: Image.Image, width: int, height: int) -> Image.Image:
    """The photo laid out on a `width`x`height` RGB canvas: cover when the aspects are close, else the
    whole photo centred over a blurred, dimmed fill of itself (editly's contain-blur)."""
    pw, ph = photo.size
    ratio = (pw / ph) / (width / height)
    if 1 / COVER_TOLERANCE <= ratio <= COVER_TOLERANCE:
        return ImageOps.fit(photo, (width, height), Image.Resampling.LANCZOS)
    small = ImageOps.fit(photo, (max(8, width // 16), max(8, height // 16)), Image.Resampling.BILINEAR)
    small = Image.eval(small.filter(ImageFilter.GaussianBlur(2.5)), lambda v: int(v * 0.72))
    canvas = small.resize((width, height), Image.Resampling.BICUBIC)
    f = min(width / pw, height / ph)
    fg = photo.resize((max(1, round(pw * f)), max(1, round(ph * f))), Image.Resampling.LANCZOS)
    canvas.paste(fg, ((width - fg.width) // 2, (height - fg.height) // 2))
    return canvas


def to_yuv(rgb: Image.Image) -> Canvas:
    """RGB (even width and height) → BT.709 limited-range Y, and Cb, Cr averaged over 2x2 blocks.

    Converted in bands of rows, so the float temporaries stay small (a worker's memory is shared
    with ffmpeg's encoder)."""
    src = np.asarray(rgb)
    h, w = src.shape[:2]
    y = np.empty((h, w), np.uint8)
    cb = np.empty((h // 2, w // 2), np.uint8)
    cr = np.empty((h // 2, w // 2), np.uint8)
    for top in range(0, h, 128):
        a = src[top:top + 128].astype(np.float32)
        r, g, b = a[..., 0], a[..., 1], a[..., 2]
        luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
        rows = len(a)
        y[top:top + rows] = np.clip(np.round(16.0 + luma * (219.0 / 255.0)), 0, 255)
        for plane, diff, k in ((cb, b - luma, 1.8556), (cr, r - luma, 1.5748)):
            half = diff.reshape(rows // 2, 2, w // 2, 2).mean(axis=(1, 3))
            plane[top // 2:(top + rows) // 2] = np.clip(np.round(128.0 + half * (224.0 / 255.0 / k)), 0, 255)
    return Canvas(y, cb, cr)


def prepare(path: Path, name: str, width: int, height: int) -> Canvas:
    """Decode, lay out and colour-convert a photo once for a `width`x`height` output."""
    cw, ch = _even(width * CANVAS_SCALE), _even(height * CANVAS_SCALE)
    photo = load_photo(path, name, (cw, ch))
    return to_yuv(compose(photo, cw, ch))


def check_photo(path: Path, name: str) -> None:
    """Raise PhotoError now if the photo cannot be decoded (a fast decode at 1/8 scale)."""
    load_photo(path, name, (1, 1))


def release_memory() -> None:
    """Hand freed heap memory back to the system (glibc's malloc_trim; elsewhere nothing).

    A render worker shares the machine's memory with ffmpeg's encoder; decoding and laying out a
    photo leaves tens of MB of freed but still resident heap behind, which this returns."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        pass


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL("libc.so.6")


def boxes(motion: str, frames: int, canvas: tuple[int, int], out: tuple[int, int]) -> Iterator[Box]:
    """The window of the canvas shown at each frame (fractional, in canvas luma pixels).

    Zooms interpolate the zoom factor geometrically (a constant rate to the eye) around the centre;
    pans travel at a constant speed across the room that the zoom `ZOOM` leaves. Shots shorter than
    `FULL_MOTION_FRAMES` cover that fraction of the way (pans centred), keeping the same top speed.
    """
    cw, ch = canvas
    aspect = out[0] / out[1]
    full_w, full_h = (cw, cw / aspect) if cw / ch <= aspect else (ch * aspect, ch)
    reach = min(1.0, (frames - 1) / (FULL_MOTION_FRAMES - 1))
    for i in range(frames):
        f = i / (frames - 1) if frames > 1 else 0.0
        if motion in ("zoom-in", "zoom-out"):
            zoom = ZOOM ** (reach * (f if motion == "zoom-in" else 1 - f))
        else:
            zoom = 1.0 if motion == "none" else ZOOM
        bw, bh = full_w / zoom, full_h / zoom
        x, y = (cw - bw) / 2, (ch - bh) / 2
        travel = 0.5 + reach * (f - 0.5)  # 0 → 1 across the room for a full-length shot
        if motion == "pan-left":
            x = (cw - bw) * (1 - travel)
        elif motion == "pan-right":
            x = (cw - bw) * travel
        elif motion == "pan-up":
            y = (ch - bh) * (1 - travel)
        elif motion == "pan-down":
            y = (ch - bh) * travel
        yield (x, y, x + bw, y + bh)


def _warp(plane: np.ndarray, box: Box, size: tuple[int, int]) -> np.ndarray:
    """The `box` window of `plane` resampled to `size` (w, h): bilinear, sub-pixel exact.

    Pixel centres: output pixel i (centre i + 0.5 in box units) samples the plane at
    x0 + (i + 0.5) * s, which in OpenCV's integer-centred coordinates is s * i + x0 + s / 2 - 0.5."""
    x0, y0, x1, y1 = box
    sx, sy = (x1 - x0) / size[0], (y1 - y0) / size[1]
    m = np.array([[sx, 0.0, x0 + sx / 2 - 0.5], [0.0, sy, y0 + sy / 2 - 0.5]])
    return cv2.warpAffine(plane, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def frames_yuv(canvas: Canvas, motion: str, frames: int, out: tuple[int, int]) -> Iterator[Planes]:
    """yuv420p frames of the canvas moving as `motion` says, each as its (Y, Cb, Cr) planes.

    OpenCV's bilinear warp (1/32-pixel positions, ~4 ms a 1080p frame on one core; Pillow's
    separable resize is sub-pixel too but three times slower)."""
    w, h = out
    still: Planes | None = None
    for x0, y0, x1, y1 in boxes(motion, frames, canvas.size, out):
        if still is None or motion != "none":
            half = (x0 / 2, y0 / 2, x1 / 2, y1 / 2)
            still = (_warp(canvas.y, (x0, y0, x1, y1), (w, h)),
                     _warp(canvas.cb, half, (w // 2, h // 2)),
                     _warp(canvas.cr, half, (w // 2, h // 2)))
        yield still
