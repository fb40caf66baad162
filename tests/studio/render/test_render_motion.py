"""Ken Burns motion on stills is sub-pixel smooth: no integer-crop judder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.render.render import render_draft
from tests.fixtures_render import draft, read_frames, still, textured_photo


def phase_shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The (dx, dy) that moves image a onto image b, by phase correlation with a sub-pixel peak."""
    h, w = a.shape
    window = np.outer(np.hanning(h), np.hanning(w))
    fa = np.fft.fft2((a - a.mean()) * window)
    fb = np.fft.fft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    corr = np.fft.ifft2(cross / np.maximum(np.abs(cross), 1e-9)).real
    py, px = np.unravel_index(np.argmax(corr), corr.shape)

    def refine(c_minus: float, c0: float, c_plus: float) -> float:
        denom = c_minus - 2 * c0 + c_plus
        return 0.0 if denom == 0 else 0.5 * (c_minus - c_plus) / denom

    dx = px + refine(corr[py, (px - 1) % w], corr[py, px], corr[py, (px + 1) % w])
    dy = py + refine(corr[(py - 1) % h, px], corr[py, px], corr[(py + 1) % h, px])
    return (dx - w if dx > w / 2 else dx), (dy - h if dy > h / 2 else dy)


def path_residual(frames: np.ndarray, box: tuple[slice, slice]) -> tuple[np.ndarray, float]:
    """Frame-to-frame x shifts of a region, and their rms distance from a smooth (quadratic) path."""
    shifts = np.array([phase_shift(frames[i][box].astype(float), frames[i + 1][box].astype(float))[0]
                       for i in range(len(frames) - 1)])
    t = np.arange(len(shifts))
    fit = np.polyval(np.polyfit(t, shifts, 2), t)
    return shifts, float(np.sqrt(np.mean((shifts - fit) ** 2)))


def test_the_smoothness_measure_catches_integer_crop_judder() -> None:
    rng = np.random.default_rng(1)
    from PIL import Image

    texture = np.asarray(Image.fromarray(rng.integers(0, 256, (80, 200), dtype=np.uint8))
                         .resize((1200, 480), Image.Resampling.BICUBIC)).astype(float)
    speed = 1.37  # pixels per frame; an integer crop can only move 1 or 2
    juddering = np.stack([texture[:, int(i * speed):int(i * speed) + 512] for i in range(40)])
    shifts, residual = path_residual(juddering, (slice(0, 480), slice(0, 512)))
    assert abs(shifts.mean() + speed) < 0.1
    assert residual > 0.3


@pytest.mark.slow
def test_ken_burns_pan_is_sub_pixel_smooth(tmp_path: Path) -> None:
    photo = textured_photo(tmp_path / "texture.jpg", (1920, 1080))
    d = draft([still("asset://t", "texture.jpg", 2000, motion="pan-right")])
    result = render_draft(d, {"asset://t": photo}, tmp_path / "pan.mp4")
    frames = read_frames(result.path, 1920, 1080, gray=True)
    assert len(frames) == 60
    shifts, residual = path_residual(frames, (slice(284, 796), slice(704, 1216)))
    assert shifts.mean() < -1.0, "the picture should travel left while the camera pans right"
    assert residual <= 0.1, f"judder: {residual:.3f} px rms; shifts {np.round(shifts, 2)}"


@pytest.mark.slow
def test_ken_burns_zoom_is_sub_pixel_smooth(tmp_path: Path) -> None:
    photo = textured_photo(tmp_path / "texture.jpg", (1920, 1080), seed=5)
    d = draft([still("asset://t", "texture.jpg", 2000, motion="zoom-in")])
    result = render_draft(d, {"asset://t": photo}, tmp_path / "zoom.mp4")
    frames = read_frames(result.path, 1920, 1080, gray=True)
    # off-centre, a zoom moves the picture outwards: to the right on the right-hand side
    shifts, residual = path_residual(frames, (slice(412, 668), slice(1400, 1656)))
    assert shifts.mean() > 0.1  # a 2 s shot zooms half the way (the camera's speed is capped)
    assert residual <= 0.1, f"judder: {residual:.3f} px rms; shifts {np.round(shifts, 2)}"


@pytest.mark.parametrize("motion", ["pan-left", "pan-right", "pan-up", "zoom-in", "zoom-out"])
def test_a_short_shot_moves_no_faster_than_a_long_one(motion: str) -> None:
    from studio.render.stills import boxes

    def top_speed(frames: int) -> float:
        b = np.array(list(boxes(motion, frames, (2150, 1210), (1920, 1080))))
        return float(np.abs(np.diff(b, axis=0)).max())

    one_second, four_seconds = top_speed(30), top_speed(120)
    assert 0 < one_second <= four_seconds * 1.01, (one_second, four_seconds)
    long = np.array(list(boxes(motion, 150, (2150, 1210), (1920, 1080))))
    assert np.abs(long[-1] - long[0]).max() > 100  # a full-length shot still travels the whole way
