"""Photos that do not fit the frame's aspect are shown whole over a blurred fill of themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.render.render import render_draft
from studio.render.stills import compose
from tests.fixtures_render import draft, read_frames, still


def _portrait(path: Path) -> Path:
    """A 3:4 photo: warm gradient, a green bar at the very top and bottom edges, a blue disc."""
    px = np.zeros((1200, 900, 3), np.uint8)
    px[..., 0] = np.linspace(230, 120, 1200)[:, None]
    px[..., 1] = np.linspace(140, 60, 900)[None, :]
    px[..., 2] = 40
    img = Image.fromarray(px)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 899, 40), fill=(20, 200, 40))
    draw.rectangle((0, 1159, 899, 1199), fill=(20, 200, 40))
    draw.ellipse((250, 400, 650, 800), fill=(30, 60, 220))
    img.save(path, quality=95)
    return path


def test_contain_blur_keeps_the_whole_photo_and_fills_the_sides(tmp_path: Path) -> None:
    photo = Image.open(_portrait(tmp_path / "portrait.jpg")).convert("RGB")
    canvas = np.asarray(compose(photo, 1920, 1080)).astype(int)
    left = (1920 - 810) // 2
    centre = canvas[:, left:left + 810]
    expected = np.asarray(photo.resize((810, 1080), Image.Resampling.LANCZOS)).astype(int)
    assert np.abs(centre - expected).mean() < 4
    sides = np.concatenate([canvas[:, :left - 5], canvas[:, left + 815:]], axis=1)
    assert sides.mean() > 30, "the side bands are black"
    assert np.abs(np.diff(sides, axis=1)).mean() < 2, "the side bands are not blurred"


def test_a_photo_close_to_the_frame_aspect_covers_it() -> None:
    photo = Image.new("RGB", (1600, 1000), (200, 50, 50))  # 16:10 in a 16:9 frame
    canvas = np.asarray(compose(photo, 1920, 1080)).astype(int)
    assert np.abs(canvas - [200, 50, 50]).max() <= 2


@pytest.mark.slow
def test_portrait_photo_in_a_16_9_video_is_whole_and_centred(tmp_path: Path) -> None:
    photo = _portrait(tmp_path / "portrait.jpg")
    d = draft([still("asset://p", "portrait.jpg", 1000, motion="none")])
    result = render_draft(d, {"asset://p": photo}, tmp_path / "out.mp4")
    frame = read_frames(result.path, 1920, 1080)[10].astype(int)
    # the photo is 810x1080 in the middle: its green top and bottom edges are both in the picture
    left = (1920 - 810) // 2
    green = np.array([20, 200, 40])
    assert np.abs(frame[8, left + 50:left + 760] - green).mean() < 30
    assert np.abs(frame[1072, left + 50:left + 760] - green).mean() < 30
    assert np.abs(frame[540, 960] - [30, 60, 220]).max() < 30  # the disc in the centre
    expected = np.asarray(Image.open(photo).convert("RGB").resize((810, 1080))).astype(int)
    assert np.abs(frame[:, left + 4:left + 806] - expected[:, 4:806]).mean() < 8
    # side bands: not black, and a soft (blurred) version of the photo's colours
    for band in (frame[:, 20:left - 20], frame[:, left + 830:1900]):
        assert band.mean() > 30
        assert np.abs(np.diff(band, axis=1)).mean() < 2
