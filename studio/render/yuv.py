"""BT.709 limited-range Y'CbCr 4:2:0 planes: conversion from RGB, flat fills, and alpha sprites.

Frames are made directly in the encoder's pixel format (Y full size, Cb and Cr half size), so no
frame is ever converted as a whole: photos are converted once when decoded, text and logos once
as premultiplied sprites, and every per-frame operation is an OpenCV call on uint8 planes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Planes = tuple[np.ndarray, np.ndarray, np.ndarray]  # Y (h, w), Cb (h/2, w/2), Cr (h/2, w/2)
RGB = tuple[int, int, int]

# RGB (0-255) → Y (16-235), Cb, Cr (16-240, centred on 128)
_KR, _KB = 0.2126, 0.0722
_KG = 1 - _KR - _KB
_M = np.array(
    [
        [_KR * 219 / 255, _KG * 219 / 255, _KB * 219 / 255, 16.0],
        [-_KR / (2 * (1 - _KB)) * 224 / 255, -_KG / (2 * (1 - _KB)) * 224 / 255, 0.5 * 224 / 255, 128.0],
        [0.5 * 224 / 255, -_KG / (2 * (1 - _KR)) * 224 / 255, -_KB / (2 * (1 - _KR)) * 224 / 255, 128.0],
    ],
    np.float32,
)


def yuv_of(rgb: RGB) -> tuple[int, int, int]:
    v = _M[:, :3] @ np.array(rgb, np.float32) + _M[:, 3]
    return round(v[0]), round(v[1]), round(v[2])


def to_planes(rgb: np.ndarray) -> Planes:
    """An RGB image (h, w, 3) uint8 with even sides → Y, Cb, Cr planes (chroma averaged 2x2)."""
    yuv = cv2.transform(rgb, _M)  # uint8, saturated
    y = np.ascontiguousarray(yuv[..., 0])
    h, w = y.shape
    uv = cv2.resize(yuv[..., 1:], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return y, np.ascontiguousarray(uv[..., 0]), np.ascontiguousarray(uv[..., 1])


def to_rgb(planes: Planes) -> np.ndarray:
    """Planes back to RGB (for storyboards and tests)."""
    y, u, v = planes
    h, w = y.shape
    uu = cv2.resize(u, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) - 128
    vv = cv2.resize(v, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) - 128
    yy = (y.astype(np.float32) - 16) * (255 / 219)
    kr, kb = _KR, _KB
    r = yy + 2 * (1 - kr) * (255 / 224) * vv
    b = yy + 2 * (1 - kb) * (255 / 224) * uu
    g = (yy - kr * r - kb * b) / _KG
    return np.clip(np.stack([r, g, b], axis=-1), 0, 255).astype(np.uint8)


def solid(rgb: RGB, w: int, h: int) -> Planes:
    y, u, v = yuv_of(rgb)
    return (
        np.full((h, w), y, np.uint8),
        np.full((h // 2, w // 2), u, np.uint8),
        np.full((h // 2, w // 2), v, np.uint8),
    )


def gradient(a: RGB, b: RGB, w: int, h: int, *, vertical: bool = True, angle: float | None = None) -> Planes:
    """A linear gradient from `a` to `b` (top → bottom, left → right, or along `angle` radians)."""
    if angle is None:
        t = np.linspace(0, 1, h if vertical else w, dtype=np.float32)
        tt = t[:, None] if vertical else t[None, :]
    else:
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        d = (xs / w - 0.5) * np.cos(angle) + (ys / h - 0.5) * np.sin(angle)
        tt = np.clip(d + 0.5, 0, 1)
    ca, cb = np.array(a, np.float32), np.array(b, np.float32)
    img = ca + (cb - ca) * tt[..., None]
    img = np.broadcast_to(img, (h, w, 3)).astype(np.uint8)
    return to_planes(np.ascontiguousarray(img))


def new_frame(w: int, h: int) -> Planes:
    return (
        np.empty((h, w), np.uint8),
        np.empty((h // 2, w // 2), np.uint8),
        np.empty((h // 2, w // 2), np.uint8),
    )


def copy_into(dst: Planes, src: Planes) -> None:
    for d, s in zip(dst, src, strict=True):
        np.copyto(d, s)


@dataclass
class Sprite:
    """An RGBA image as premultiplied Y/Cb/Cr planes plus alpha at both sizes (even width and height).

    Blending is two saturating OpenCV operations per plane: dst * (255 - a) / 255 + premultiplied."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    a: np.ndarray
    a2: np.ndarray

    @property
    def w(self) -> int:
        return int(self.y.shape[1])

    @property
    def h(self) -> int:
        return int(self.y.shape[0])


def sprite(rgba: np.ndarray) -> Sprite:
    """A sprite of an RGBA image (straight alpha); odd sides are padded with transparency."""
    h, w = rgba.shape[:2]
    if h % 2 or w % 2:
        padded = np.zeros((h + h % 2, w + w % 2, 4), np.uint8)
        padded[:h, :w] = rgba
        rgba = padded
        h, w = rgba.shape[:2]
    a = np.ascontiguousarray(rgba[..., 3])
    y, u, v = to_planes(np.ascontiguousarray(rgba[..., :3]))
    a2 = cv2.resize(a, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return Sprite(
        cv2.multiply(y, a, scale=1 / 255),
        cv2.multiply(u, a2, scale=1 / 255),
        cv2.multiply(v, a2, scale=1 / 255),
        a,
        a2,
    )


def _blend_plane(dst: np.ndarray, pre: np.ndarray, alpha: np.ndarray, x: int, y: int, opacity: float) -> None:
    h, w = pre.shape
    dh, dw = dst.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(dw, x + w), min(dh, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    sx, sy = x0 - x, y0 - y
    p = pre[sy : sy + y1 - y0, sx : sx + x1 - x0]
    a = alpha[sy : sy + y1 - y0, sx : sx + x1 - x0]
    if opacity < 0.999:
        p = cv2.convertScaleAbs(p, alpha=opacity)
        a = cv2.convertScaleAbs(a, alpha=opacity)
    region = dst[y0:y1, x0:x1]
    inv = cv2.subtract(np.full_like(a, 255), a)
    region[...] = cv2.add(cv2.multiply(region, inv, scale=1 / 255), p)


def blend(frame: Planes, s: Sprite, x: int, y: int, opacity: float = 1.0) -> None:
    """Draw sprite `s` with its top-left at (x, y) (rounded down to even), in place."""
    if opacity <= 0.004:
        return
    x -= x % 2
    y -= y % 2
    _blend_plane(frame[0], s.y, s.a, x, y, opacity)
    _blend_plane(frame[1], s.u, s.a2, x // 2, y // 2, opacity)
    _blend_plane(frame[2], s.v, s.a2, x // 2, y // 2, opacity)


def mix(a: Planes, b: Planes, t: float, out: Planes) -> Planes:
    """(1 - t) a + t b, plane by plane, into `out`."""
    for pa, pb, po in zip(a, b, out, strict=True):
        cv2.addWeighted(pa, 1.0 - t, pb, t, 0.0, dst=po)
    return out


def toward(frame: Planes, rgb: RGB, t: float) -> None:
    """Blend the frame toward a flat colour by `t` (flashes to white, dips to black), in place."""
    c = yuv_of(rgb)
    for plane, value in zip(frame, c, strict=True):
        cv2.addWeighted(plane, 1.0 - t, plane, 0.0, value * t, dst=plane)
