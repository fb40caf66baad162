"""Rectangles shared by the framing modules.

`Rect` is an axis-aligned rectangle with float edges, in whatever unit its user says: source pixels
(crops), canvas pixels (cells, text boxes) or 0–1 fractions (subject boxes). `Box` is the plain
tuple form `(x0, y0, x1, y1)` used in data classes that must stay hashable and JSON-friendly.
"""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, box: Box) -> Rect:
        return cls(float(box[0]), float(box[1]), float(box[2]), float(box[3]))

    @classmethod
    def around(cls, cx: float, cy: float, w: float, h: float) -> Rect:
        return cls(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def area(self) -> float:
        return max(0.0, self.w) * max(0.0, self.h)

    @property
    def aspect(self) -> float:
        return self.w / self.h if self.h > 0 else 0.0

    def box(self) -> Box:
        return (self.x0, self.y0, self.x1, self.y1)

    def ints(self) -> tuple[int, int, int, int]:
        return (round(self.x0), round(self.y0), round(self.x1), round(self.y1))

    def scaled(self, sx: float, sy: float | None = None) -> Rect:
        """Every coordinate multiplied (unit change, e.g. fractions → pixels)."""
        sy = sx if sy is None else sy
        return Rect(self.x0 * sx, self.y0 * sy, self.x1 * sx, self.y1 * sy)

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def padded(self, px: float, py: float | None = None) -> Rect:
        py = px if py is None else py
        return Rect(self.x0 - px, self.y0 - py, self.x1 + px, self.y1 + py)

    def intersection(self, other: Rect) -> Rect | None:
        r = Rect(
            max(self.x0, other.x0), max(self.y0, other.y0), min(self.x1, other.x1), min(self.y1, other.y1)
        )
        return r if r.w > 0 and r.h > 0 else None

    def overlap(self, other: Rect) -> float:
        """Area of the intersection with `other`."""
        r = self.intersection(other)
        return r.area if r else 0.0

    def union(self, other: Rect) -> Rect:
        return Rect(
            min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1)
        )

    def iou(self, other: Rect) -> float:
        inter = self.overlap(other)
        total = self.area + other.area - inter
        return inter / total if total > 0 else 0.0

    def contains(self, other: Rect, tol: float = 0.0) -> bool:
        return (
            other.x0 >= self.x0 - tol
            and other.y0 >= self.y0 - tol
            and other.x1 <= self.x1 + tol
            and other.y1 <= self.y1 + tol
        )

    def clamped_into(self, outer: Rect) -> Rect:
        """This rectangle shifted (not resized, unless it is larger) to lie inside `outer`."""
        w, h = min(self.w, outer.w), min(self.h, outer.h)
        x0 = min(max(self.x0, outer.x0), outer.x1 - w)
        y0 = min(max(self.y0, outer.y0), outer.y1 - h)
        return Rect(x0, y0, x0 + w, y0 + h)

    def lerp(self, other: Rect, t: float) -> Rect:
        return Rect(
            self.x0 + (other.x0 - self.x0) * t,
            self.y0 + (other.y0 - self.y0) * t,
            self.x1 + (other.x1 - self.x1) * t,
            self.y1 + (other.y1 - self.y1) * t,
        )


def union_all(rects: list[Rect]) -> Rect:
    out = rects[0]
    for r in rects[1:]:
        out = out.union(r)
    return out
