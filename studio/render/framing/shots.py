"""Several shots from one photo: camera moves (start crop → end crop) that know where the subject is.

`plan_photo_shots` returns `Move`s whose crops are in source pixels and have the target's aspect
(the canvas, or a layout cell). The kinds:

- punch-in: from the widest framing to a tight one on the subject; the subject stays whole.
- reveal: the reverse, from close on the focal point out to the wide framing.
- detail: close on a textured part of the subject (`Subject.details`), drifting gently.
- pan: a fixed-size crop travelling across the subject; when the subject is wider than the crop
  (a landscape photo in 9:16) the crop stays within the subject's span and travels from one end
  to the other, otherwise the subject stays whole for the whole pan.
- hold: a composed framing with a barely visible drift (for slow pace or many shots).

Every crop stays inside the photo, never magnifies the photo more than `max_upscale` canvas pixels
per source pixel (unless the photo is too small even for its widest crop: then zooms stay within
1.1x of it and `Move.upscale` says so), and places the subject in the canvas's safe zone where the
crop allows. Zooms scale about the move's fixed point, so every edge moves monotonically: a subject
inside both end crops is inside every frame between them. The pace sets the durations, how far the
camera travels, and the easing (gentle sine when slow, snappy expo when fast).
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from studio.render.framing.easing import ease
from studio.render.framing.geometry import Rect
from studio.render.framing.subject import Subject
from studio.render.framing.text_place import safe_zone

log = logging.getLogger(__name__)

Pace = Literal["slow", "normal", "fast"]
Label = Literal["punch-in", "detail", "pan", "reveal", "hold"]
TextSide = Literal["top", "bottom"]
MAX_UPSCALE = 2.2


@dataclass(frozen=True)
class PaceStyle:
    seconds: float  # a shot's suggested length
    zoom: float  # how much tighter a punch-in / reveal ends than it starts (at most)
    travel: float  # fraction of the pan's room travelled
    fill: float  # share of the safe zone the subject fills at the tight end
    ease_zoom: str
    ease_pan: str


PACES: dict[str, PaceStyle] = {
    "slow": PaceStyle(3.2, 1.25, 0.7, 0.72, "ease-in-out-sine", "ease-in-out-sine"),
    "normal": PaceStyle(2.0, 1.45, 0.85, 0.8, "ease-in-out-cubic", "ease-in-out-cubic"),
    "fast": PaceStyle(1.0, 1.7, 1.0, 0.88, "ease-out-expo", "ease-in-out-quint"),
}
_ACROSS: dict[str, Label] = {"punch-in": "pan", "reveal": "pan", "hold": "detail"}
_TEMPLATES: tuple[tuple[Label, ...], ...] = (
    ("punch-in", "detail", "pan", "reveal", "hold"),
    ("pan", "punch-in", "detail", "reveal", "hold"),
    ("reveal", "detail", "pan", "punch-in", "hold"),
)


@dataclass(frozen=True)
class Move:
    """A camera move over one photo: crops in source pixels, with the target's aspect."""

    start: Rect
    end: Rect
    easing: str  # a name from framing.easing
    label: Label
    seconds: float  # suggested duration at the pace it was planned for
    upscale: float  # the most target pixels per source pixel over the move (its tightest crop)
    text_band: TextSide | None = None  # a band of the safe zone the subject never enters, for text

    def at(self, t: float) -> Rect:
        """The crop at progress t (0–1) after easing: zooms scale geometrically about the move's
        fixed point (constant perceived speed, monotonic edges), pans travel linearly."""
        p = ease(self.easing, t)
        k = self.end.w / self.start.w
        if abs(k - 1.0) < 1e-6:
            return self.start.lerp(self.end, p)
        ax = (self.end.x0 - k * self.start.x0) / (1.0 - k)
        ay = (self.end.y0 - k * self.start.y0) / (1.0 - k)
        s = k**p
        return Rect(
            ax + (self.start.x0 - ax) * s,
            ay + (self.start.y0 - ay) * s,
            ax + (self.start.x1 - ax) * s,
            ay + (self.start.y1 - ay) * s,
        )


class _Framer:
    """Crops of one photo for one target aspect, with the subject placed in the safe zone."""

    def __init__(
        self,
        pw: int,
        ph: int,
        subject: Subject,
        tw: int,
        th: int,
        safe: Rect,
        max_upscale: float,
        protect: bool = False,
    ):
        self.protect = protect  # a caption band is reserved: stay out of it where possible
        self.photo = Rect(0, 0, pw, ph)
        self.aspect = tw / th
        self.tw = tw
        self.subject = subject.rect.scaled(pw, ph)
        self.focus = (subject.center[0] * pw, subject.center[1] * ph)
        self.safe = safe
        full_w = min(pw, ph * self.aspect)
        self.full_w = full_w
        self.min_w = max(tw / max_upscale, 1.0)
        if self.min_w > full_w / 1.1:  # a small photo: zooms stay within 1.1x of the widest crop
            self.min_w = full_w / 1.1
            log.info(
                "photo %dx%d is small for a %dx%d target: %.2fx upscale at the widest crop",
                pw,
                ph,
                tw,
                th,
                tw / full_w,
            )

    def width_for(self, fill: float) -> float:
        """The crop width at which the subject fills `fill` of the safe zone (limited by the photo
        and the upscale cap)."""
        s, z = self.subject, self.safe
        need = max(s.w / (fill * z.w), s.h * self.aspect / (fill * z.h))
        return min(self.full_w, max(self.min_w, need))

    def place(self, w: float, focus: tuple[float, float] | None = None) -> Rect:
        """A crop `w` wide with the focus at the safe zone's centre (or as near as the photo allows),
        shifted to keep the whole subject when it fits."""
        w = min(max(w, 1.0), self.full_w)
        h = w / self.aspect
        fx, fy = focus or self.focus
        tx, ty = (self.safe.x0 + self.safe.x1) / 2, (self.safe.y0 + self.safe.y1) / 2
        crop = Rect(fx - tx * w, fy - ty * h, fx - tx * w + w, fy - ty * h + h)
        if focus is None:  # keep the subject whole when it fits: shift towards it
            s = self.subject
            dx = max(0.0, s.x1 - crop.x1) - max(0.0, crop.x0 - s.x0) if s.w <= w else 0.0
            dy = max(0.0, s.y1 - crop.y1) - max(0.0, crop.y0 - s.y0) if s.h <= h else 0.0
            crop = crop.moved(dx, dy)
        return crop.clamped_into(self.photo)

    def keeps_subject(self, crop: Rect) -> bool:
        return crop.contains(self.subject, tol=1.0)


def _zoom_pair(fr: _Framer, style: PaceStyle) -> tuple[Rect, Rect]:
    """(wide, tight) crops for a punch-in or reveal, both keeping the subject when it fits."""
    tight_w = fr.width_for(style.fill)
    wide_w = min(fr.full_w, tight_w * style.zoom)
    tight_w = max(tight_w, wide_w / style.zoom)
    if wide_w / tight_w < 1.06:  # the subject fills the photo: zoom past it a little anyway,
        # but not into a reserved caption band (then it is a gentle push of at least 3 %)
        floor = min(fr.width_for(1.0), wide_w / 1.03) if fr.protect else fr.min_w
        tight_w = max(fr.min_w, floor, wide_w / min(style.zoom, 1.15))
    wide, tight = fr.place(wide_w), fr.place(tight_w)
    if not fr.keeps_subject(tight):  # subject larger than the tight crop: centre on the focus
        tight = fr.place(tight_w, fr.focus)
    return wide, tight


def _detail(
    fr: _Framer, subject: Subject, style: PaceStyle, index: int, pw: int, ph: int
) -> tuple[Rect, Rect]:
    boxes = subject.details or (subject.box,)
    d = Rect.of(boxes[index % len(boxes)]).scaled(pw, ph)
    w = max(d.w * 1.25, d.h * 1.25 * fr.aspect)
    w = min(fr.full_w, max(fr.min_w, min(w, fr.width_for(style.fill) / 1.2)))  # closer than the punch-in
    end = fr.place(w, (d.cx, d.cy))
    start = fr.place(min(fr.full_w, w * (1.0 + 0.1 * style.zoom)), (d.cx, d.cy))
    return start, end


def _pan(fr: _Framer, style: PaceStyle, forward: bool) -> tuple[Rect, Rect]:
    """A crop travelling across the subject along the photo's long room: from the crop that shows
    the subject's one end to the one that shows its other end (or, when the subject fits, between
    the two crops that just keep it)."""
    photo, s = fr.photo, fr.subject
    horizontal = photo.w / photo.h >= fr.aspect
    w = fr.full_w / (1.0 if abs(photo.w / photo.h - fr.aspect) > 0.15 * fr.aspect else 1.18)
    w = min(fr.full_w, max(w, fr.min_w, fr.width_for(0.95)))  # the subject keeps fitting its zone
    base = fr.place(w)
    h = w / fr.aspect
    z = fr.safe
    if horizontal:  # crops that keep the subject in its zone (it fits), or stay on it (it does not)
        lo, hi = sorted((s.x1 - z.x1 * w, s.x0 - z.x0 * w))
        lim, size, pos0, centre = photo.w - w, w, base.x0, s.cx - z.cx * w
    else:
        lo, hi = sorted((s.y1 - z.y1 * h, s.y0 - z.y0 * h))
        lim, size, pos0, centre = photo.h - h, h, base.y0, s.cy - z.cy * h
    lo, hi = max(lo, 0.0), min(hi, lim)
    if hi - lo < 0.06 * size:  # subject about the crop's size: a short drift centred on it
        c = min(max(centre, 0.0), lim)
        lo, hi = max(0.0, c - 0.04 * size), min(lim, c + 0.04 * size)
    span = (hi - lo) * style.travel
    mid = min(max(pos0, lo + span / 2), hi - span / 2)
    a, b = mid - span / 2, mid + span / 2
    if not forward:
        a, b = b, a
    if horizontal:
        return Rect(a, base.y0, a + w, base.y1), Rect(b, base.y0, b + w, base.y1)
    return Rect(base.x0, a, base.x1, a + h), Rect(base.x0, b, base.x1, b + h)


def _shot(
    fr: _Framer,
    subject: Subject,
    label: Label,
    style: PaceStyle,
    pace: str,
    index: int,
    forward: bool,
    pw: int,
    ph: int,
) -> tuple[Rect, Rect, str]:
    if label in ("punch-in", "reveal"):
        wide, tight = _zoom_pair(fr, style)
        if label == "punch-in":
            return wide, tight, style.ease_zoom
        return tight, wide, "ease-out-cubic" if pace != "slow" else style.ease_zoom
    if label == "detail":
        start, end = _detail(fr, subject, style, index, pw, ph)
        return start, end, "ease-in-out-sine" if pace == "slow" else "ease-out-cubic"
    if label == "pan":
        start, end = _pan(fr, style, forward)
        return start, end, style.ease_pan
    w = fr.width_for(style.fill * 0.75)  # hold
    return fr.place(min(fr.full_w, w * 1.04)), fr.place(w), "ease-in-out-sine"


def subject_zone(
    canvas_w: int,
    canvas_h: int,
    safe: Rect | None = None,
    text_room: float = 0.0,
    text_side: TextSide = "bottom",
) -> Rect:
    """Where on the target (fractions) the subject is placed: the safe zone minus the caption band."""
    zone = safe or Rect.of(safe_zone((canvas_w, canvas_h)))
    room = min(max(text_room, 0.0), 0.5) * zone.h
    if text_side == "top":
        return Rect(zone.x0, zone.y0 + room, zone.x1, zone.y1)
    return Rect(zone.x0, zone.y0, zone.x1, zone.y1 - room)


def subject_fits(
    photo_w: int, photo_h: int, subject: Subject, canvas_w: int, canvas_h: int, margin: float = 0.05
) -> bool:
    """Whether the whole subject fits in the widest canvas-aspect crop of the photo, with a margin."""
    aspect = canvas_w / canvas_h
    full_w = min(photo_w, photo_h * aspect)
    s = subject.rect.scaled(photo_w, photo_h)
    return s.w * (1 + 2 * margin) <= full_w and s.h * (1 + 2 * margin) <= full_w / aspect


def plan_shot(
    label: Label,
    photo_w: int,
    photo_h: int,
    subject: Subject,
    canvas_w: int,
    canvas_h: int,
    pace: Pace = "normal",
    *,
    index: int = 0,
    forward: bool = True,
    safe: Rect | None = None,
    text_room: float = 0.0,
    text_side: TextSide = "bottom",
    max_upscale: float = MAX_UPSCALE,
) -> Move:
    """One move of the given kind (see the module docstring); `index` picks the detail, `forward`
    the pan's direction (left → right, or top → bottom). `text_room` (0–0.5) keeps that share of
    the safe zone, on `text_side`, free of the subject for a caption."""
    style = PACES.get(pace, PACES["normal"])
    zone = subject_zone(canvas_w, canvas_h, safe, text_room, text_side)
    fr = _Framer(photo_w, photo_h, subject, canvas_w, canvas_h, zone, max_upscale, protect=text_room > 0)
    start, end, easing = _shot(fr, subject, label, style, pace, index, forward, photo_w, photo_h)
    seconds = style.seconds * (0.8 if label in ("detail", "hold") else 1.0)
    move = Move(start, end, easing, label, round(seconds, 2), round(canvas_w / min(start.w, end.w), 3))
    safe_rect = safe or Rect.of(safe_zone((canvas_w, canvas_h)))
    return replace(move, text_band=_free_band(move, fr.subject, safe_rect, max(text_room, 0.2), text_side))


def _free_band(move: Move, subject_px: Rect, safe: Rect, room: float, prefer: TextSide) -> TextSide | None:
    """Which band of the safe zone (top or bottom, `room` of its height) the subject stays out of
    during the whole move, preferred side first; None when it crosses both."""
    lows, highs = [], []
    for i in range(7):
        crop = move.at(i / 6)
        lows.append((subject_px.y0 - crop.y0) / crop.h)
        highs.append((subject_px.y1 - crop.y0) / crop.h)
    pad = 0.01
    free = {
        "top": min(lows) - pad >= safe.y0 + room * safe.h,
        "bottom": max(highs) + pad <= safe.y1 - room * safe.h,
    }
    order: list[TextSide] = [prefer, "top" if prefer == "bottom" else "bottom"]
    return next((side for side in order if free[side]), None)


def plan_photo_shots(
    photo_w: int,
    photo_h: int,
    subject: Subject,
    canvas_w: int,
    canvas_h: int,
    count: int = 3,
    pace: Pace = "normal",
    seed: int = 0,
    *,
    safe: Rect | None = None,
    text_room: float = 0.0,
    text_side: TextSide = "bottom",
    labels: Sequence[Label] | None = None,
    max_upscale: float = MAX_UPSCALE,
) -> list[Move]:
    """`count` moves over a `photo_w`x`photo_h` photo for a `canvas_w`x`canvas_h` target (a canvas
    or a layout cell), in an order picked by `seed` (punch-in / detail / pan / reveal / hold, or a
    rotation of it). `safe` is where on the target the subject should sit, in fractions; by default
    the canvas's platform safe zone (`text_place.safe_zone`). `text_room` reserves a caption band
    (share of the safe zone on `text_side`) that the subject stays out of where the crop allows;
    `Move.text_band` says which shots keep a band free (detail shots rarely do). `labels` replaces
    the seed's order with an explicit one (e.g. no detail shots when text sits beside the subject)."""
    rng = random.Random(seed)
    template = tuple(labels) if labels else _TEMPLATES[seed % len(_TEMPLATES)]
    if not subject_fits(photo_w, photo_h, subject, canvas_w, canvas_h):
        # wider (or taller) than any crop: zooms would cut it, so the camera travels across it
        template = tuple(_ACROSS.get(label, label) for label in template)
    moves = []
    forward = rng.random() < 0.5
    for i in range(max(0, count)):
        cycle = i // len(template)
        label = template[i % len(template)]
        moves.append(
            plan_shot(
                label,
                photo_w,
                photo_h,
                subject,
                canvas_w,
                canvas_h,
                pace,
                index=i + cycle,
                forward=forward,
                safe=safe,
                text_room=text_room,
                text_side=text_side,
                max_upscale=max_upscale,
            )
        )
        if label == "pan":
            forward = not forward  # the next pan comes back
    log.debug("planned %s for %dx%d → %dx%d", [m.label for m in moves], photo_w, photo_h, canvas_w, canvas_h)
    return moves


def move_keeps_subject(move: Move, subject_px: Rect, samples: int = 9) -> bool:
    """Whether every sampled frame of the move contains the subject (1 px tolerance)."""
    return all(move.at(i / (samples - 1)).contains(subject_px, tol=1.0) for i in range(samples))


def upscale_report(moves: list[Move]) -> float:
    return max((m.upscale for m in moves), default=math.nan)
