"""Generated frames: colour cards, and transitions between photos drawn on the planes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.render.frames import colour_planes, run_frames, transition
from studio.render.plan import plan_from_draft
from tests.fixtures_render import draft, still


def _flat(value: int, w: int = 64, h: int = 36) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.full((h, w), value, np.uint8), np.full((h // 2, w // 2), value, np.uint8),
            np.full((h // 2, w // 2), value, np.uint8))


def test_colour_cards_are_bt709_limited_range() -> None:
    y, cb, cr = colour_planes("#ffffff", (64, 36))
    assert (y[0, 0], cb[0, 0], cr[0, 0]) == (235, 128, 128)
    y, cb, cr = colour_planes("#000000", (64, 36))
    assert (y[0, 0], cb[0, 0], cr[0, 0]) == (16, 128, 128)
    y, cb, cr = colour_planes("#ff0000", (64, 36))
    assert (y[0, 0], cb[0, 0], cr[0, 0]) == (63, 102, 240)


def test_fade_mixes_the_two_pictures() -> None:
    y, _, _ = transition("fade", _flat(0), _flat(200), 0.25)
    assert y[0, 0] == 50


def test_slide_pushes_the_old_picture_out_to_the_left() -> None:
    a, b = _flat(10), _flat(250)
    a[0][:, :32] = 20  # the old picture's left half is darker
    y, cb, _ = transition("slideleft", a, b, 0.5)
    assert (y[:, :32] == 10).all() and (y[:, 32:] == 250).all()  # old right half now on the left
    assert (cb[:, :16] == 10).all() and (cb[:, 16:] == 250).all()  # chroma cut at the same place


def test_wipe_uncovers_the_new_picture_from_the_right() -> None:
    y, _, cr = transition("wipeleft", _flat(10), _flat(250), 0.25)
    assert (y[:, :48] == 10).all() and (y[:, 48:] == 250).all()
    assert (cr[:, :24] == 10).all() and (cr[:, 24:] == 250).all()


def test_a_run_of_colour_cards_has_every_frame_and_blends_the_overlap() -> None:
    segs = [{"id": "c1", "st": 0, "d": 1000, "m": {"kind": "color", "color": "#000000"}},
            {"id": "c2", "st": 0, "d": 1000, "m": {"kind": "color", "color": "#ffffff",
                                                   "transition": {"type": "fade", "d": 300}}}]
    plan = plan_from_draft(draft(segs))
    (block,) = plan.blocks()
    frames = [planes[0][0, 0] for planes in run_frames(block.visuals, {}, (64, 36))]
    assert len(frames) == plan.frames == 51
    assert frames[:21] == [16] * 21 and frames[30:] == [235] * 21
    assert all(16 < v < 235 for v in frames[21:30]) and frames[21:30] == sorted(frames[21:30])


def test_photos_in_a_run_are_decoded_as_they_come(sample_photos: list[Path]) -> None:
    plan = plan_from_draft(draft([still("asset://a", "a.jpg", 200, motion="zoom-in"),
                                  still("asset://b", "b.jpg", 200, motion="pan-left", tdur=100)]))
    (block,) = plan.blocks()
    paths = {"asset://a": sample_photos[0], "asset://b": sample_photos[1]}
    frames = list(run_frames(block.visuals, paths, (320, 180)))
    assert len(frames) == 9 and all(f[0].shape == (180, 320) and f[1].shape == (90, 160) for f in frames)
