"""The frames of generated segments (photos and colour cards), transitions between them included.

A run of consecutive generated segments becomes one continuous stream of yuv420p frames: each
photo moves as its `motion` says (`studio.render.stills`), a colour card is flat, and where two
segments overlap the transition is drawn here, on the planes, with the same three looks as ffmpeg's
xfade: `fade`, `slideleft` (the new picture pushes the old one out to the left) and `wipeleft` (the
new picture is uncovered from the right). Drawing them here instead of with one xfade per
transition keeps ffmpeg's memory flat: every xfade instance keeps its own pool of 1080p frames
(~35 MB) until the end of the run, so a 30-photo video would need a gigabyte.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import cv2
import numpy as np

from studio.render.plan import Visual
from studio.render.stills import Planes, frames_yuv, prepare, release_memory


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    try:
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except (ValueError, IndexError):
        return 0x1E, 0x29, 0x3B


def colour_planes(colour: str, out: tuple[int, int]) -> Planes:
    """A flat BT.709 limited-range frame of `colour` ("#rrggbb")."""
    r, g, b = _hex_rgb(colour)
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
    y = round(16 + luma * 219 / 255)
    cb = round(128 + (b - luma) * 224 / 255 / 1.8556)
    cr = round(128 + (r - luma) * 224 / 255 / 1.5748)
    w, h = out
    return (np.full((h, w), y, np.uint8), np.full((h // 2, w // 2), cb, np.uint8),
            np.full((h // 2, w // 2), cr, np.uint8))


def _segment(visual: Visual, paths: Mapping[str, Path], out: tuple[int, int]) -> Iterator[Planes]:
    """The segment's own frames; a photo is decoded when its first frame is asked for."""
    if visual.kind == "color":
        planes = colour_planes(visual.color, out)
        for _ in range(visual.frames):
            yield planes
        return
    canvas = prepare(paths[visual.src or ""], visual.name, out[0], out[1])
    release_memory()
    yield from frames_yuv(canvas, visual.motion, visual.frames, out)


def transition(kind: str, a: Planes, b: Planes, p: float) -> Planes:
    """Frame `p` (0 → 1) of the way from picture a to picture b. Cuts fall on even luma columns, so
    the chroma planes (half width) cut at the same place."""
    half_w = a[0].shape[1] // 2
    out: list[np.ndarray] = []
    for k, (pa, pb) in enumerate(zip(a, b, strict=True)):
        unit = 2 if k == 0 else 1  # luma columns per chroma column
        if kind == "slideleft":
            s = round(p * half_w) * unit
            out.append(np.concatenate((pa[:, s:], pb[:, :s]), axis=1))
        elif kind == "wipeleft":
            e = round((1 - p) * half_w) * unit
            plane = pa.copy()
            plane[:, e:] = pb[:, e:]
            out.append(plane)
        else:
            out.append(cv2.addWeighted(pa, 1 - p, pb, p, 0))
    return out[0], out[1], out[2]


def run_frames(run: list[Visual], paths: Mapping[str, Path], out: tuple[int, int]) -> Iterator[Planes]:
    """Every frame of a run of generated segments, from the first one's start to the last one's end."""
    start, end = run[0].start, run[-1].start + run[-1].frames
    nxt = 0  # index of the next segment to start
    live: list[tuple[Visual, Iterator[Planes]]] = []
    for t in range(start, end):
        while nxt < len(run) and run[nxt].start <= t:
            live.append((run[nxt], _segment(run[nxt], paths, out)))
            nxt += 1
        frames = [(v, next(it)) for v, it in live]
        live = [(v, it) for v, it in live if t + 1 < v.start + v.frames]
        if len(frames) == 1:
            yield frames[0][1]
        else:
            (_, a), (incoming, b) = frames[-2], frames[-1]
            p = (t - incoming.start + 1) / (incoming.transition_frames + 1)
            yield transition(incoming.transition, a, b, p)
