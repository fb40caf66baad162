"""Designed layouts for photos whose shape does not match the canvas: no thin band over blur.

`plan_layout(photos, canvas_w, canvas_h, role)` scores every layout that the photos allow and
returns the best one as cells (a canvas rectangle, the photo shown in it and its source crop) and
panels (flat or gradient colour, for text). Kinds:

- full: one photo, cover-cropped around its subject (when the subject fits the canvas's shape).
- pan: one photo much wider (or taller) than the canvas; the cell's moves travel across it.
- beside: one photo, full bleed, the subject pushed to one side so text sits beside it.
- side-panel: one photo on one side (or the top), a colour panel on the other that hosts the text;
  the photo is widened by cropping as far as its subject allows, so the panel stays ≤ 45 %.
- split: two photos stacked; duo: two side by side.
- duo-band: two photos side by side (stacked on a portrait canvas) with a colour band between them
  that hosts the text (`BAND` of the canvas): only on request (`kind="duo-band"`), for the shots of
  a duo where a text found no place off the two subjects.
- collage: three photos (one large and two small, three bands or three columns).

`filler` is the share of the canvas that no photo covers (panels and gutters).
`plan_sequence` lays out a whole promo; `average_filler` is what the ≤ 25 % budget is checked on.
"""

from __future__ import annotations

import colorsys
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from studio.render.framing.geometry import Rect
from studio.render.framing.shots import Label, Move, Pace, plan_photo_shots, plan_shot, subject_fits
from studio.render.framing.subject import RGB, Subject
from studio.render.framing.text_place import safe_zone, text_regions

log = logging.getLogger(__name__)

Kind = Literal["full", "pan", "beside", "side-panel", "split", "duo", "duo-band", "collage"]
Role = Literal["auto", "hero", "text", "gallery", "end"]
GUTTER = 0.008  # of the canvas's short side
TEXT_BOX = (0.62, 0.17)  # a two-line headline at ~6 % type, in fractions of the canvas's short side
BAND = 0.34  # a duo-band's text band: this share of the canvas's long side, between the two photos


@dataclass(frozen=True)
class PhotoInfo:
    width: int
    height: int
    subject: Subject

    @property
    def aspect(self) -> float:
        return self.width / self.height


@dataclass(frozen=True)
class Panel:
    rect: Rect  # canvas pixels
    color: RGB
    gradient_to: RGB | None  # the far end's colour, or None for flat
    vertical: bool  # gradient direction: top → bottom (True) or left → right
    ink: RGB  # text colour that reads on it
    hosts_text: bool


@dataclass(frozen=True)
class Cell:
    rect: Rect  # canvas pixels
    photo: int  # index into the photos given to plan_layout
    crop: Rect  # source pixels, the cell's aspect: the static framing
    moves: tuple[Move, ...] = ()  # camera moves inside the cell, when planned


@dataclass(frozen=True)
class Layout:
    kind: Kind
    canvas: tuple[int, int]
    cells: tuple[Cell, ...]
    panels: tuple[Panel, ...]
    text_area: Rect | None  # where text belongs (a panel, or the free side), canvas pixels
    filler: float  # share of the canvas not covered by a photo
    score: float
    background: RGB  # shows through the gutters

    def subject_rects(self, photos: Sequence[PhotoInfo], move: int | None = 0) -> list[Rect]:
        """Every cell's subject on the canvas: everywhere the cell's move number `move` takes it
        (sampled), so text placed off these rectangles stays off for that whole shot; where its static
        crop puts it for cells without moves, or with `move=None`."""
        out = []
        for c in self.cells:
            p = photos[c.photo]
            if move is None or not c.moves:
                out.append(subject_on_canvas(c, p))
                continue
            m = c.moves[move % len(c.moves)]
            r = subject_on_canvas(c, p, m.at(0.0))
            for i in range(1, 7):
                r = r.union(subject_on_canvas(c, p, m.at(i / 6)))
            out.append(r)
        return out


def subject_on_canvas(cell: Cell, photo: PhotoInfo, crop: Rect | None = None) -> Rect:
    """The photo's subject box in canvas pixels for `crop` (default the cell's), clipped to the cell."""
    crop = crop or cell.crop
    s = photo.subject.rect.scaled(photo.width, photo.height)
    sx, sy = cell.rect.w / crop.w, cell.rect.h / crop.h
    r = Rect(
        cell.rect.x0 + (s.x0 - crop.x0) * sx,
        cell.rect.y0 + (s.y0 - crop.y0) * sy,
        cell.rect.x0 + (s.x1 - crop.x0) * sx,
        cell.rect.y0 + (s.y1 - crop.y0) * sy,
    )
    return r.intersection(cell.rect) or Rect(r.cx, r.cy, r.cx, r.cy)


def cover_crop(photo: PhotoInfo, aspect: float, *, offset: float = 0.0) -> Rect:
    """The largest `aspect` crop of the photo around its subject: the subject whole when it fits
    (centred on its focal point otherwise). `offset` (-1 … 1) pushes the subject towards the
    crop's left/top (-) or right/bottom (+) third, for text beside it."""
    pw, ph = photo.width, photo.height
    w = min(pw, ph * aspect)
    h = w / aspect
    s = photo.subject.rect.scaled(pw, ph)
    fx, fy = photo.subject.center[0] * pw, photo.subject.center[1] * ph
    horizontal = w < pw - 0.5
    tx = 0.5 + offset / 3 if horizontal else 0.5
    ty = 0.5 + offset / 3 if not horizontal else 0.45
    crop = Rect(fx - tx * w, fy - ty * h, fx - tx * w + w, fy - ty * h + h)
    if s.w <= w:
        crop = crop.moved(max(0.0, s.x1 - crop.x1) - max(0.0, crop.x0 - s.x0), 0.0)
    if s.h <= h:
        crop = crop.moved(0.0, max(0.0, s.y1 - crop.y1) - max(0.0, crop.y0 - s.y0))
    return crop.clamped_into(Rect(0, 0, pw, ph))


def _kept(photo: PhotoInfo, crop: Rect) -> float:
    """Share of the subject's area inside the crop."""
    s = photo.subject.rect.scaled(photo.width, photo.height)
    return s.overlap(crop) / max(s.area, 1.0)


def _cell_score(photo: PhotoInfo, cell: Rect, crop: Rect, max_upscale: float) -> float:
    keep = _kept(photo, crop)
    shown = crop.area / (photo.width * photo.height)
    upscale = cell.w / crop.w
    return 3.0 * keep**2 + 0.6 * shown - 0.4 * max(0.0, upscale - max_upscale)


def panel_colours(subject: Subject) -> tuple[RGB, RGB, RGB]:
    """(colour, gradient end, ink) for a text panel next to this photo: its own backdrop when it
    has one (the panel reads as more studio backdrop), else a deep tone of its accent colour."""

    def rgb(v: tuple[float, float, float], k: float = 255.0) -> RGB:
        return (
            max(0, min(255, round(v[0] * k))),
            max(0, min(255, round(v[1] * k))),
            max(0, min(255, round(v[2] * k))),
        )

    if subject.backdrop is not None:
        base = subject.backdrop
        end = rgb((base[0] * 0.88, base[1] * 0.88, base[2] * 0.88), 1.0)
    else:
        hh, ss, _ = colorsys.rgb_to_hsv(*(v / 255 for v in subject.accent))
        base = rgb(colorsys.hsv_to_rgb(hh, min(ss, 0.55), 0.24))
        end = rgb(colorsys.hsv_to_rgb(hh, min(ss, 0.6), 0.14))
    luma = 0.2126 * base[0] + 0.7152 * base[1] + 0.0722 * base[2]
    ink: RGB = (24, 24, 28) if luma > 150 else (250, 248, 244)
    return base, end, ink


def _grid(canvas: Rect, gutter: float, rows: list[list[float]], row_heights: list[float]) -> list[Rect]:
    """Cells of a grid: rows of relative widths, with relative heights, separated by gutters."""
    cells: list[Rect] = []
    total_h = canvas.h - gutter * (len(rows) - 1)
    y = canvas.y0
    for widths, rh in zip(rows, row_heights, strict=True):
        h = total_h * rh / sum(row_heights)
        total_w = canvas.w - gutter * (len(widths) - 1)
        x = canvas.x0
        for wr in widths:
            w = total_w * wr / sum(widths)
            cells.append(Rect(round(x), round(y), round(x + w), round(y + h)))
            x += w + gutter
        y += h + gutter
    return cells


def _multi(
    photos: Sequence[PhotoInfo], canvas: Rect, gutter: float, max_upscale: float
) -> list[tuple[Kind, list[Rect], tuple[int, ...], float]]:
    """Every multi-photo arrangement with its best photo order: (kind, cells, order, score)."""
    n = len(photos)
    options: list[tuple[Kind, list[Rect]]] = []
    if n == 2:
        options = [
            ("split", _grid(canvas, gutter, [[1], [1]], [1, 1])),
            ("duo", _grid(canvas, gutter, [[1, 1]], [1])),
        ]
    elif n == 3:
        options = [
            ("collage", _grid(canvas, gutter, [[1], [1, 1]], [1.2, 1])),
            ("collage", _grid(canvas, gutter, [[1, 1], [1]], [1, 1.2])),
            ("collage", _grid(canvas, gutter, [[1], [1], [1]], [1, 1, 1])),
            ("collage", _grid(canvas, gutter, [[1, 1, 1]], [1])),
        ]
        if canvas.w > canvas.h:  # one large on the left, two stacked on the right
            g = gutter
            left = Rect(canvas.x0, canvas.y0, round(canvas.x0 + (canvas.w - g) * 0.58), canvas.y1)
            rh = (canvas.h - g) / 2
            options.append(
                (
                    "collage",
                    [
                        left,
                        Rect(left.x1 + g, canvas.y0, canvas.x1, round(canvas.y0 + rh)),
                        Rect(left.x1 + g, round(canvas.y0 + rh + g), canvas.x1, canvas.y1),
                    ],
                )
            )
    out = []
    for kind, cells in options:
        best: tuple[float, tuple[int, ...]] | None = None
        for order in itertools.permutations(range(n)):
            score = (
                sum(
                    _cell_score(photos[i], c, cover_crop(photos[i], c.aspect), max_upscale)
                    for i, c in zip(order, cells, strict=True)
                )
                / n
            )
            if best is None or score > best[0]:
                best = (score, order)
        assert best is not None
        out.append((kind, cells, best[1], best[0]))
    return out


def plan_layout(
    photos: Sequence[PhotoInfo],
    canvas_w: int,
    canvas_h: int,
    role: Role = "auto",
    *,
    kind: Kind | None = None,
    pace: Pace = "normal",
    shots: int = 0,
    seed: int = 0,
    text_room: float = 0.26,
    text_box: tuple[float, float] | None = TEXT_BOX,
    max_upscale: float = 2.2,
) -> Layout:
    """The best layout of 1–3 photos on a `canvas_w`x`canvas_h` canvas.

    `role`: "hero" (an opening: one photo, full bleed), "text" / "end" (text must have a place of
    its own: beside / side-panel preferred), "gallery" (several photos at once), "auto" (whatever
    scores best). `kind` forces a layout when the photos allow it. With `shots` > 0 each cell gets
    that many planned camera moves (a pan for the pan layout); on layouts without a text area,
    single-cell moves keep `text_room` of the safe zone (bottom) free for the caption. `text_box`
    (w, h as fractions of the canvas's short side; None when the layout carries no text) makes
    layouts where such a block cannot sit off the subject score lower."""
    if not 1 <= len(photos) <= 3:
        raise ValueError("plan_layout takes one to three photos")
    canvas = Rect(0, 0, canvas_w, canvas_h)
    gutter = round(GUTTER * min(canvas_w, canvas_h))
    aspect = canvas_w / canvas_h
    first = photos[0]
    colour, end, ink = panel_colours(first.subject)
    cands: list[tuple[float, Layout]] = []

    def add(k: Kind, cells: list[Cell], panels: list[Panel], text_area: Rect | None, score: float) -> None:
        covered = sum(c.rect.area for c in cells)
        filler = max(0.0, 1.0 - covered / canvas.area)
        layout = Layout(
            k, (canvas_w, canvas_h), tuple(cells), tuple(panels), text_area, round(filler, 4), 0.0, colour
        )
        if shots > 0:  # plan the moves now: the text check below must see the shot, not a still
            layout = _with_moves(layout, photos, shots, pace, seed, text_room)
        total = score - 2.2 * filler + _role_bonus(role, k)
        if shots > 0:  # moves that cut a subject the still would show whole cost what they cut
            for c in layout.cells:
                p = photos[c.photo]
                still = _kept(p, c.crop)
                worst = min(
                    (_kept(p, m.at(i / 4)) for m in c.moves if m.label != "detail" for i in range(5)),
                    default=still,
                )
                total -= 2.0 * max(0.0, still - worst) / len(layout.cells)
        move = 0
        if shots > 0 and text_area is None:  # the first shot that keeps a caption band free
            moves = layout.cells[0].moves if len(layout.cells) == 1 else ()
            move = next((i for i, m in enumerate(moves) if m.text_band is not None), -1)
            if move < 0:
                move = 0
                if role in ("text", "end"):
                    total -= 1.5
        if text_box is not None:  # can a caption sit off the subject on this layout?
            place = text_regions(
                canvas_w,
                canvas_h,
                safe_zone((canvas_w, canvas_h)),
                layout.subject_rects(photos, move),
                text_box[0] * min(canvas_w, canvas_h),
                text_box[1] * min(canvas_w, canvas_h),
                panel=text_area,
            )
            total -= 5.0 * place.overlap + 1.5 * (1.0 - place.scale)
        cands.append((total, replace(layout, score=round(total, 3))))

    # one photo: full, pan, beside, side-panel
    crop = cover_crop(first, aspect)
    fits = subject_fits(first.width, first.height, first.subject, canvas_w, canvas_h)
    mismatch = max(first.aspect / aspect, aspect / first.aspect)
    portrait_in_landscape = aspect > 1.2 and first.aspect < 0.9  # designed layouts only, no pan
    if fits or not portrait_in_landscape:
        add(
            "full",
            [Cell(canvas, 0, crop)],
            [],
            None,
            _cell_score(first, canvas, crop, max_upscale) + (0.3 if fits else 0.0),
        )
    if mismatch > 1.3 and (not fits or mismatch > 2.2) and not portrait_in_landscape:
        pan = plan_shot(
            "pan",
            first.width,
            first.height,
            first.subject,
            canvas_w,
            canvas_h,
            pace,
            forward=seed % 2 == 0,
            text_room=text_room,
        )
        covered = pan.start.union(pan.end)
        s = first.subject.rect.scaled(first.width, first.height)
        seen = s.overlap(covered) / max(s.area, 1.0)  # how much of the subject the pan shows
        add(
            "pan",
            [Cell(canvas, 0, pan.start.lerp(pan.end, 0.5), (pan,))],
            [],
            None,
            3.0 * seen**2 + 0.3 * min(1.0, covered.area / (first.width * first.height)),
        )
    beside = _beside(first, canvas, aspect)
    if beside is not None:
        bcrop, text_area = beside
        add(
            "beside",
            [Cell(canvas, 0, bcrop)],
            [],
            text_area,
            _cell_score(first, canvas, bcrop, max_upscale) + 0.25,
        )
    side = _side_panel(first, canvas, gutter, seed)
    if side is not None:
        cell, prect, score = side
        add("side-panel", [cell], [Panel(prect, colour, end, prect.w >= prect.h, ink, True)], prect, score)
    if len(photos) == 2 and kind == "duo-band":
        rects, band = _band_cells(canvas)
        cells = [Cell(r, i, cover_crop(photos[i], r.aspect)) for i, r in enumerate(rects)]
        score = sum(_cell_score(photos[c.photo], c.rect, c.crop, max_upscale) for c in cells) / 2
        add("duo-band", cells, [Panel(band, colour, end, band.w < band.h, ink, True)], band, score)
    if len(photos) > 1:
        for k, rects, order, score in _multi(photos, canvas, gutter, max_upscale):
            cells = [Cell(r, i, cover_crop(photos[i], r.aspect)) for i, r in zip(order, rects, strict=True)]
            add(k, cells, [], None, score + 0.15 * (len(photos) - 1))
    allowed = [c for c in cands if kind is None or c[1].kind == kind] or cands
    layout = max(allowed, key=lambda c: c[0])[1]
    log.debug(
        "layout %s on %dx%d (filler %.0f %%, score %.2f)",
        layout.kind,
        canvas_w,
        canvas_h,
        layout.filler * 100,
        layout.score,
    )
    return layout


def _band_cells(canvas: Rect) -> tuple[list[Rect], Rect]:
    """Two cells with a text band of `BAND` between them: columns on a landscape canvas, rows on a
    square or portrait one (a column there would be too narrow for a word at a readable size)."""
    if canvas.w > 1.2 * canvas.h:
        side = round(canvas.w * (1 - BAND) / 2)
        left = Rect(canvas.x0, canvas.y0, canvas.x0 + side, canvas.y1)
        right = Rect(canvas.x1 - side, canvas.y0, canvas.x1, canvas.y1)
        return [left, right], Rect(left.x1, canvas.y0, right.x0, canvas.y1)
    side = round(canvas.h * (1 - BAND) / 2)
    top = Rect(canvas.x0, canvas.y0, canvas.x1, canvas.y0 + side)
    bottom = Rect(canvas.x0, canvas.y1 - side, canvas.x1, canvas.y1)
    return [top, bottom], Rect(canvas.x0, top.y1, canvas.x1, bottom.y0)


def _role_bonus(role: Role, kind: Kind) -> float:
    table: dict[str, dict[str, float]] = {
        "hero": {"full": 0.3, "pan": 0.3, "beside": 0.2},
        "text": {"beside": 0.6, "side-panel": 0.9},
        "end": {"beside": 0.6, "side-panel": 1.0},
        "gallery": {"split": 0.6, "duo": 0.6, "collage": 0.8},
    }
    return table.get(role, {}).get(kind, 0.0)


def _beside(photo: PhotoInfo, canvas: Rect, aspect: float) -> tuple[Rect, Rect] | None:
    """Full bleed with the subject kept whole and a large free side (left, right, top or bottom:
    ≥ 40 % of the frame across, room for a headline) as the text area. The crop is also tried with
    the subject pushed into a third, which frees more of one side."""
    pw, ph = photo.width, photo.height
    s = photo.subject.rect.scaled(pw, ph)
    short = min(canvas.w, canvas.h)
    best: tuple[float, Rect, Rect] | None = None
    for offset in (0.0, -1.0, 1.0):
        crop = cover_crop(photo, aspect, offset=offset)
        if _kept(photo, crop) < 0.98:
            continue
        x0, x1 = (s.x0 - crop.x0) / crop.w, (s.x1 - crop.x0) / crop.w
        y0, y1 = (s.y0 - crop.y0) / crop.h, (s.y1 - crop.y0) / crop.h
        sides = [
            (x0, Rect(0, 0, x0 * canvas.w, canvas.h)),
            (1 - x1, Rect(x1 * canvas.w, 0, canvas.w, canvas.h)),
            (y0, Rect(0, 0, canvas.w, y0 * canvas.h)),
            (1 - y1, Rect(0, y1 * canvas.h, canvas.w, canvas.h)),
        ]
        for free, area in sides:
            fits_text = area.w >= TEXT_BOX[0] * short * 0.85 and area.h >= TEXT_BOX[1] * short * 1.6
            if free >= 0.4 and fits_text and (best is None or area.area > best[0]):
                best = (area.area, crop, area)
    return (best[1], best[2]) if best else None


def _side_panel(photo: PhotoInfo, canvas: Rect, gutter: float, seed: int) -> tuple[Cell, Rect, float] | None:
    """The photo in a cell on one side (landscape canvas) or on top (portrait canvas), a panel in
    the rest; the cell as large as the subject allows, the panel between 30 % and 45 %."""
    landscape = (
        canvas.w > 1.2 * canvas.h
    )  # a square canvas gets its panel below: a text column would be narrow
    long_side = canvas.w if landscape else canvas.h
    s = photo.subject.rect.scaled(photo.width, photo.height)
    best: tuple[float, Cell, Rect] | None = None
    for share in (0.70, 0.66, 0.62, 0.58, 0.55):
        size = round(long_side * share)
        area = Rect(0, 0, size, canvas.h) if landscape else Rect(0, 0, canvas.w, size)
        crop = cover_crop(photo, area.aspect)
        keep = _kept(photo, crop)
        margin_ok = crop.contains(s.padded(0.04 * s.w, 0.04 * s.h), tol=0.5) or keep < 1.0
        score = _cell_score(photo, area, crop, 2.2) + (0.15 if margin_ok else 0.0) + 0.3 * share
        if best is None or score > best[0] + 1e-9:
            best = (score, Cell(area, 0, crop), area)
    if best is None:
        return None
    score, cell, rect = best
    on_far_side = (seed % 2 == 1) == (photo.subject.center[0 if landscape else 1] < 0.5)
    if landscape:
        panel = Rect(rect.x1, 0, canvas.w, canvas.h)
        if on_far_side:  # photo on the right, panel on the left
            cell = Cell(Rect(canvas.w - rect.w, 0, canvas.w, canvas.h), 0, cell.crop)
            panel = Rect(0, 0, canvas.w - rect.w, canvas.h)
    else:
        panel = Rect(0, rect.y1, canvas.w, canvas.h)
    return cell, panel, score + 0.1


def _with_moves(
    layout: Layout, photos: Sequence[PhotoInfo], shots: int, pace: Pace, seed: int, text_room: float
) -> Layout:
    cells = []
    inset = len(layout.cells) > 1 or bool(layout.panels)  # a cell, not the whole canvas
    room = 0.0 if (inset or layout.text_area is not None) else text_room
    for i, c in enumerate(layout.cells):
        if c.moves:
            cells.append(c)
            continue
        p = photos[c.photo]
        safe: Rect | None = Rect(0.06, 0.06, 0.94, 0.94) if inset else None
        labels: tuple[Label, ...] | None = None
        if layout.kind == "beside" and layout.text_area is not None:  # the subject keeps to its side
            safe = _subject_side(layout)
            labels = ("punch-in", "pan", "hold")
        moves = plan_photo_shots(
            p.width,
            p.height,
            p.subject,
            round(c.rect.w),
            round(c.rect.h),
            shots,
            pace,
            seed + i,
            safe=safe,
            text_room=room,
            labels=labels,
        )
        cells.append(Cell(c.rect, c.photo, c.crop, tuple(moves)))
    return Layout(
        layout.kind,
        layout.canvas,
        tuple(cells),
        layout.panels,
        layout.text_area,
        layout.filler,
        layout.score,
        layout.background,
    )


def _subject_side(layout: Layout) -> Rect:
    """For a beside layout: the part of the canvas's safe zone away from the text area (fractions)."""
    cw, ch = layout.canvas
    z = Rect.of(safe_zone(layout.canvas))
    t = layout.text_area.scaled(1 / cw, 1 / ch) if layout.text_area else z
    if t.h > 0.99:  # a column of text: the subject keeps to the other columns
        return (
            Rect(z.x0, z.y0, min(z.x1, t.x0 - 0.02), z.y1)
            if t.x0 > 0.01
            else Rect(max(z.x0, t.x1 + 0.02), z.y0, z.x1, z.y1)
        )
    return (
        Rect(z.x0, z.y0, z.x1, min(z.y1, t.y0 - 0.02))
        if t.y0 > 0.01
        else Rect(z.x0, max(z.y0, t.y1 + 0.02), z.x1, z.y1)
    )


def plan_sequence(
    photos: Sequence[PhotoInfo], canvas_w: int, canvas_h: int, *, pace: Pace = "normal", seed: int = 0
) -> list[tuple[Layout, tuple[int, ...]]]:
    """A whole promo's layouts, in photo order: photos that fit the canvas go full bleed; runs of
    photos that do not are grouped in twos and threes (split / duo / collage) where that scores
    better than showing them alone (pan, beside, side-panel); the last layout is an "end" layout
    (room for the call to action). Returns (layout, indices of the photos it shows)."""
    out: list[tuple[Layout, tuple[int, ...]]] = []
    i, n = 0, len(photos)
    while i < n:
        last = i == n - 1
        role: Role = "hero" if i == 0 else ("end" if last else "auto")
        single = plan_layout([photos[i]], canvas_w, canvas_h, role, pace=pace, seed=seed + i)
        best: tuple[Layout, tuple[int, ...]] = (single, (i,))
        if single.kind not in ("full",) and not last and i > 0:
            for size in (3, 2):
                group = tuple(range(i, min(n - 1, i + size)))  # keep the last photo for the end
                if len(group) == size:
                    multi = plan_layout(
                        [photos[j] for j in group], canvas_w, canvas_h, "gallery", pace=pace, seed=seed + i
                    )
                    if multi.kind in ("split", "duo", "collage") and multi.score > single.score - 0.2:
                        best = (multi, group)
                        break
        layout, group = best
        # cell photo indices are local to the group (0 for a single photo): map them back
        cells = tuple(Cell(c.rect, group[c.photo], c.crop, c.moves) for c in layout.cells)
        layout = replace(layout, cells=cells)
        out.append((layout, group))
        i += len(group)
    return out


def average_filler(layouts: Sequence[Layout]) -> float:
    """Mean filler share over a promo's layouts (each layout on screen for about as long)."""
    return sum(lay.filler for lay in layouts) / max(1, len(layouts))
