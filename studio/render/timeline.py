"""A draft read into a frame-exact render plan: shots on the music's beat grid, subject-aware moves
and layouts, transitions from the style, text cues placed off the subject inside the safe zone,
and the end card.

How a draft becomes shots (docs/rendering.md tells it at length):

1. The music's beat grid (`studio.render.audio.music_grid`): a generated bed's own grid, a user's
   track beat-tracked, or a steady grid at the pace's tempo when there is no music.
2. The end card takes the last 2-3 s (starting on a downbeat) when the video is long enough.
3. The draft's visual segments keep their order and their share of the time; every boundary moves
   to the nearest beat (the video keeps the draft's length, frame-exact).
4. Each segment is cut on the beat into shots of a length set by the pace (about 3 s slow, 2 s
   normal, 1.2 s fast, in whole beats, with a short-short-long rhythm when fast); a photo's shots
   are the camera moves `studio.render.framing` plans for it (punch-in, detail, pan, reveal, hold)
   inside the layout it picks (full bleed, pan, beside, side panel); a clip's shots alternate wide
   and a punch-in; a colour card is a designed animated background.
5. Transitions come from the style: within a photo mostly hard cuts, between photos the style's
   set (whip, zoom, flash, slide, dissolve, dip), every one centred on its beat.
6. Texts: the draft's title, captions, offer and call to action, on the beat; gaps are filled with
   the texts the draft has (held longer, or the title / brand as a tag), so words are on screen
   for most of the video; each cue is placed by `framing.text_place.text_regions` off every subject
   rectangle of the shots it spans, inside the canvas's safe zone, with a backing when the
   background under it would not give legible contrast.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from studio.draft import Draft, TextSegment, VisualSegment
from studio.render.audio import BeatGrid, MusicPlan, music_grid, music_plan
from studio.render.captions import phrase_captions
from studio.render.framing.geometry import Rect
from studio.render.framing.layout import Layout, PhotoInfo, plan_layout
from studio.render.framing.shots import Move
from studio.render.framing.subject import Subject
from studio.render.framing.text_place import TextPlacement, safe_zone, text_regions
from studio.render.styles import RGB, Style, hex_rgb, ink_for, luminance, pick_style
from studio.render.text import Block, Look, has_cjk, layout_text

log = logging.getLogger(__name__)

FPS = 30
MAX_TEXT_OVERLAP = 0.03  # share of a text's box that may lie over a subject
END_CARD_S = 2.5
MIN_END_VIDEO_S = 6.0  # shorter videos get no end card unless the draft asks for one
SHOT_S = {"slow": 3.0, "normal": 2.0, "fast": 1.2}
TEMPO = {"slow": 90.0, "normal": 110.0, "fast": 128.0}  # the grid when there is no music
TransitionKind = Literal["cut", "dissolve", "slide", "wipe", "whip", "zoom", "flash", "dip"]
_DRAFT_TRANSITIONS: dict[str, TransitionKind] = {
    "cut": "cut",
    "fade": "dissolve",
    "dissolve": "dissolve",
    "slide": "slide",
    "wipe": "wipe",
    "whip": "whip",
    "zoom": "zoom",
    "flash": "flash",
    "dip": "dip",
}


class PlanError(ValueError):
    """The draft cannot be rendered as it stands (message is user-readable)."""


# --- media the planner looks at --------------------------------------------------------------
@dataclass(frozen=True)
class Photo:
    ref: str
    path: Path
    name: str
    width: int
    height: int
    subject: Subject
    small: np.ndarray  # RGB analysis image (<= 512 px): backgrounds under texts are measured on it


@dataclass(frozen=True)
class Clip:
    ref: str
    path: Path
    name: str
    width: int
    height: int
    duration: float | None
    audio: bool
    subject: Subject
    small: np.ndarray


# --- the plan ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellShot:
    rect: Rect  # canvas pixels
    photo: str  # Photo.ref
    move: Move  # crops in the photo's pixels


@dataclass(frozen=True)
class PanelFill:
    rect: Rect
    color: RGB
    gradient_to: RGB | None
    vertical: bool


@dataclass(frozen=True)
class PhotoScene:
    cells: tuple[CellShot, ...]
    panels: tuple[PanelFill, ...]
    background: RGB
    layout: str  # the layout kind (full, pan, beside, side-panel, ...)


@dataclass(frozen=True)
class ClipScene:
    clip: str  # Clip.ref
    rect: Rect  # where the clip shows (canvas pixels)
    crop: Rect  # the clip's source pixels shown there
    trim_in: float  # seconds into the clip at the scene's first frame
    zoom: float  # 1: as cropped; > 1 a punch-in about the subject
    focus: tuple[float, float]  # the punch-in's centre, fractions of the crop
    panels: tuple[PanelFill, ...]
    background: RGB
    volume: float


@dataclass(frozen=True)
class CardScene:
    colors: tuple[RGB, RGB]
    seed: int


@dataclass(frozen=True)
class EndScene:
    colors: tuple[RGB, RGB]
    background: str  # accent | gradient | dark


Scene = PhotoScene | ClipScene | CardScene | EndScene


@dataclass(frozen=True)
class Transition:
    kind: TransitionKind
    frames: int  # centred on the shot's first frame (0: a cut)


@dataclass(frozen=True)
class Shot:
    index: int
    start: int  # first frame
    frames: int
    scene: Scene
    label: str  # punch-in, detail, pan, reveal, hold, clip, card, end
    segment: str  # the draft's visual segment id ("end" for the end card)
    transition: Transition  # into this shot

    @property
    def end(self) -> int:
        return self.start + self.frames


@dataclass(frozen=True)
class Cue:
    """One text on screen: its words laid out, where and when, and how it animates."""

    id: str
    role: str
    text: str
    start: int
    end: int
    block: Block
    x: int  # top-left of the block's box on the canvas (the drawn image adds its padding around it)
    y: int
    anim: str  # in-animation: none, fade, pop, slide, typewriter, words
    beat_frames: int  # frames per beat (word-by-word reveals step on the beat's subdivisions)
    box: Rect  # the block's box (canvas pixels), for tests and the storyboard
    overlap: float = 0.0  # share of the box over a subject (0 unless nothing else was possible)


@dataclass(frozen=True)
class LogoMark:
    ref: str
    path: Path
    rect: Rect  # canvas pixels
    until: int  # frame where the end card (with its own logo) takes over


@dataclass(frozen=True)
class EndCard:
    start: int
    brand: str
    cta: str
    handle: str
    logo: Path | None
    colors: tuple[RGB, RGB]


@dataclass
class Plan:
    width: int
    height: int
    frames: int
    style: Style
    grid: BeatGrid
    shots: list[Shot]
    cues: list[Cue]
    music: MusicPlan | None
    logo: LogoMark | None
    end_card: EndCard | None
    photos: dict[str, Photo] = field(default_factory=dict)
    clips: dict[str, Clip] = field(default_factory=dict)
    voice: Path | None = None
    # what the planner scheduled for each text: (id, role, words, first frame, end frame); the cues
    # draw each for its whole time, but over the frames of a transition whose other shot has no room
    schedule: list[tuple[str, str, str, int, int]] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.frames / FPS

    @property
    def cut_frames(self) -> list[int]:
        return [s.start for s in self.shots[1:]]

    def shots_at(self, frame: int) -> list[Shot]:
        return [s for s in self.shots if s.start <= frame < s.end]


# --- helpers ----------------------------------------------------------------------------------
def _f(seconds: float) -> int:
    return round(seconds * FPS)


def _snap(t: float, beats: list[float], lo: float, hi: float) -> float:
    """The beat nearest `t` inside [lo, hi] (t itself when no beat is there)."""
    inside = [b for b in beats if lo <= b <= hi]
    return min(inside, key=lambda b: abs(b - t)) if inside else t


def _panels(layout: Layout) -> tuple[PanelFill, ...]:
    return tuple(PanelFill(p.rect, p.color, p.gradient_to, p.vertical) for p in layout.panels)


def _scaled(move: Move, zoom: float) -> Move:
    """A move with its travel scaled by the style's intensity (never beyond the planned end crop)."""
    k = max(0.3, min(1.0, zoom))
    return replace(move, end=move.start.lerp(move.end, k)) if k < 1.0 else move


# --- the planner ------------------------------------------------------------------------------
@dataclass
class _Context:
    draft: Draft
    style: Style
    width: int
    height: int
    grid: BeatGrid
    photos: Mapping[str, Photo]
    clips: Mapping[str, Clip]
    text_first: set[str] = field(default_factory=set)  # segments whose layout must leave room for text
    text_shots: set[int] = field(default_factory=set)  # first frames of shots re-planned with room for text


def plan_draft(
    draft: Draft,
    photos: Mapping[str, Photo],
    clips: Mapping[str, Clip],
    *,
    music: MusicPlan | None = None,
    grid: BeatGrid | None = None,
    logo: Path | None = None,
) -> Plan:
    """The plan of a draft. `photos` / `clips` hold the analysed media by `asset://` reference;
    `music` and `grid` come from `studio.render.audio` (computed here when not given)."""
    width, height = draft.canvas
    frames = _f(draft.d / 1000)
    if frames < 1:
        vis_end = max((s.end for s in draft.visuals), default=0)
        frames = _f(vis_end / 1000)
    if frames < 1:
        raise PlanError("the draft is empty: add a photo, a clip or a title first")
    style = pick_style(draft)
    duration = frames / FPS
    if music is None:
        music = music_plan(draft, duration)
    if grid is None:
        grid = music_grid(music, duration, TEMPO.get(draft.m.pace, 110.0))
    ctx = _Context(draft, style, width, height, grid, photos, clips)
    end_start = _end_card_start(ctx, duration)
    until = _f(end_start) if end_start is not None else frames
    mark = _logo_mark(ctx, logo, until)
    end_card = _end_card(ctx, _f(end_start), logo) if end_start is not None else None
    shots = _all_shots(ctx, end_start, frames)
    # no text is ever left out: a photo whose every framing leaves no room for its words gets a
    # layout with room for text (the whole segment when most of its words found no place, else the
    # shots where one did not: a duo gets its text band there, a single photo a text layout)
    for _round in range(3):
        crowded: set[str] = set()
        homeless: set[int] = set()
        cues = _cues(ctx, shots, until, mark, crowded, homeless)
        if not (crowded - ctx.text_first) and not (homeless - ctx.text_shots):
            break
        ctx.text_first |= crowded
        ctx.text_shots |= homeless
        shots = _all_shots(ctx, end_start, frames)
    cues = _cues(ctx, shots, until, mark)
    plan = Plan(
        width, height, frames, style, grid, shots, cues, music, mark, end_card, dict(photos), dict(clips)
    )
    plan.schedule = [it[:5] for it in _text_plan(ctx, shots, until)]
    log.debug(
        "plan: %d shots, %d cues, %.1f bpm, style %s", len(shots), len(cues), grid.tempo_bpm, style.name
    )
    return plan


def _all_shots(ctx: _Context, end_start: float | None, frames: int) -> list[Shot]:
    style = ctx.style
    shots = _shots(ctx, end_start, frames)
    if end_start is not None:
        colors = style.backgrounds[0] if style.end_background == "gradient" else (style.accent, style.accent)
        if style.end_background == "dark":
            colors = (style.scrim, style.backgrounds[0][1])
        n = frames - _f(end_start)
        into = _transition(ctx, "between", len(shots), shots[-1] if shots else None, n)
        shots.append(
            Shot(len(shots), _f(end_start), n, EndScene(colors, style.end_background), "end", "end", into)
        )
    return shots


def _end_card_start(ctx: _Context, duration: float) -> float | None:
    card = ctx.draft.m.end_card
    if card is not None and not card.enabled:
        return None
    if card is None and duration < MIN_END_VIDEO_S:
        return None
    want = (card.d / 1000) if card is not None else END_CARD_S
    want = max(1.5, min(3.0, want, duration * 0.4))
    target = duration - want
    lo, hi = duration - min(3.0, duration * 0.45), duration - min(2.0, want)
    t = _snap(target, ctx.grid.downbeats, lo, hi)
    if t == target:
        t = _snap(target, ctx.grid.beats, lo, hi)
    return t if t > 0.5 else None


def _segment_spans(ctx: _Context, until: float) -> list[tuple[VisualSegment, float, float]]:
    """Each visual segment's [start, end) in seconds, scaled into [0, until) and snapped to beats."""
    segs = [s for s in ctx.draft.visuals if s.d > 0]
    if not segs:
        return []
    # nominal boundaries: the middle of each overlap (where the draft's transition is half done)
    bounds = [0.0]
    for s in segs[1:]:
        t = s.m.transition
        overlap = t.d if t is not None and t.type != "cut" else 0
        bounds.append((s.st + overlap / 2) / 1000)
    nominal_end = segs[-1].end / 1000
    scale = until / nominal_end if nominal_end > 0 else 1.0
    beat = ctx.grid.beat_s
    out_bounds = [0.0]
    for nominal in bounds[1:]:
        lo = out_bounds[-1] + max(beat, 0.5)
        at = _snap(nominal * scale, ctx.grid.beats, lo, until - max(beat, 0.5))
        out_bounds.append(max(at, lo) if at < until else until)
    out_bounds.append(until)
    spans = []
    for s, a, b in zip(segs, out_bounds, out_bounds[1:], strict=False):
        if b - a >= 1.0 / FPS:
            spans.append((s, a, b))
    return spans


def _cut_points(ctx: _Context, a: float, b: float, pace: str) -> list[float]:
    """Cut times inside (a, b) on the beat: shots of about the pace's length, in whole beats."""
    beats = [t for t in ctx.grid.beats if a + 1e-6 < t < b - 1e-6]
    if not beats:
        return []
    beat = ctx.grid.beat_s
    target = SHOT_S.get(pace, 2.0)
    per = max(1, round(target / beat))
    pattern = [per]
    if pace == "fast" and per >= 2:
        pattern = [per, max(1, per // 2), max(1, per // 2), per]
    elif pace == "normal" and per >= 3:
        pattern = [per, per, max(2, per - 1), per + 1]
    cuts: list[float] = []
    k = 0
    t = a
    while True:
        step = pattern[k % len(pattern)]
        k += 1
        nxt = t + step * beat
        cand = [x for x in beats if x > t + beat * 0.5]
        if not cand:
            break
        near = min(cand, key=lambda x: abs(x - nxt))
        if b - near < beat * max(1, per // 2) * 0.9:  # the last shot would be a stub
            break
        cuts.append(near)
        t = near
    return cuts


def _shots(ctx: _Context, end_start: float | None, frames: int) -> list[Shot]:
    until = end_start if end_start is not None else frames / FPS
    spans = _segment_spans(ctx, until)
    shots: list[Shot] = []
    pace = ctx.draft.m.pace
    if not spans:  # a text-only draft: designed cards, cut on the bars
        span_list: list[tuple[str, float, float, int]] = []
        bars = [t for t in ctx.grid.downbeats if 0 < t < until]
        per = max(1, round(4.0 / max(ctx.grid.beat_s * ctx.grid.beats_per_bar, 0.5)))
        edges = [0.0, *bars[per - 1 :: per], until]
        edges = sorted(set(e for e in edges if e <= until))
        for n, (a, b) in enumerate(itertools.pairwise(edges)):
            if b - a > 0.3:
                span_list.append(("card", a, b, n))
        for _, a, b, n in span_list:
            colors = ctx.style.backgrounds[n % len(ctx.style.backgrounds)]
            shots.append(
                Shot(
                    len(shots),
                    _f(a),
                    _f(b) - _f(a),
                    CardScene(colors, n),
                    "card",
                    f"card{n}",
                    _transition(ctx, "between", len(shots), shots[-1] if shots else None, _f(b) - _f(a)),
                )
            )
        return _fix_lengths(shots, _f(until))
    n = 0
    while n < len(spans):
        seg, a, b = spans[n]
        duo = _pair(ctx, spans, n)
        if duo is not None:
            b = spans[n + 1][2]
        cuts = _cut_points(ctx, a, b, pace)
        edges = [a, *cuts, b]
        pieces = [(x, y) for x, y in itertools.pairwise(edges)]
        scenes = _duo_scenes(ctx, duo, n, pieces) if duo is not None else None
        if scenes is None:
            b = spans[n][2]
            cuts = _cut_points(ctx, a, b, pace)
            edges = [a, *cuts, b]
            pieces = [(x, y) for x, y in itertools.pairwise(edges)]
            scenes = _segment_scenes(ctx, seg, n, pieces)
            n += 1
        else:
            n += 2
        seg_id = (
            f"{seg.id}+{spans[n - 1][0].id}"
            if duo is not None and scenes and n >= 2 and scenes[0][1] in ("duo", "split")
            else seg.id
        )
        for k, ((x, y), (scene, label)) in enumerate(zip(pieces, scenes, strict=True)):
            where = "within" if k else "between"
            prev = shots[-1] if shots else None
            trans = _transition(ctx, where, len(shots), prev, _f(y) - _f(x), seg if k == 0 else None)
            shots.append(Shot(len(shots), _f(x), _f(y) - _f(x), scene, label, seg_id, trans))
    return _fix_lengths(shots, _f(until))


def _pair(
    ctx: _Context, spans: list[tuple[VisualSegment, float, float]], n: int
) -> tuple[Photo, Photo] | None:
    """Two neighbouring photos that each fit the canvas badly (a portrait pair in 16:9, landscapes in
    9:16): shown together in one designed layout (duo, split) instead of two panels of filler."""
    if n + 1 >= len(spans):
        return None
    first, second = spans[n][0], spans[n + 1][0]
    if {first.id, second.id} & ctx.text_first or first.m.kind != "image" or second.m.kind != "image":
        return None
    a, b = ctx.photos.get(first.m.src or ""), ctx.photos.get(second.m.src or "")
    if a is None or b is None or a.ref == b.ref:
        return None
    aspect = ctx.width / ctx.height

    def misfit(p: Photo) -> bool:
        ratio = (p.width / p.height) / aspect
        return ratio < 0.78 or ratio > 1.28

    return (a, b) if misfit(a) and misfit(b) else None


def _duo_scenes(
    ctx: _Context, pair: tuple[Photo, Photo], n: int, pieces: list[tuple[float, float]]
) -> list[tuple[Scene, str]] | None:
    """The shots of a duo: side by side (or stacked) without filler; a shot where a text found no
    place off the two subjects (`ctx.text_shots`) gets the duo-band layout, its text between them."""
    count = len(pieces)
    infos = [PhotoInfo(p.width, p.height, p.subject) for p in pair]
    pace = ctx.draft.m.pace
    layout = plan_layout(infos, ctx.width, ctx.height, "gallery", pace=pace, shots=max(1, count), seed=n)
    if layout.kind not in ("duo", "split") or layout.filler > 0.05:
        return None
    band: Layout | None = None
    homeless = [k for k, (a, _b) in enumerate(pieces) if _f(a) in ctx.text_shots]
    banded = set(homeless)  # runs of banded shots: one shot between two that need it is banded too
    banded |= {k + 1 for k in homeless if k + 2 in banded}
    if homeless:
        band = plan_layout(
            infos, ctx.width, ctx.height, "text", kind="duo-band", pace=pace, shots=max(1, count), seed=n
        )
        if band.kind != "duo-band":
            band = None
    out: list[tuple[Scene, str]] = []
    for k in range(count):
        lay = band if band is not None and k in banded else layout
        cells = []
        for c in lay.cells:
            moves = c.moves or (Move(c.crop, c.crop, "linear", "hold", 2.0, 1.0),)
            cells.append(CellShot(c.rect, pair[c.photo].ref, _scaled(moves[k % len(moves)], ctx.style.zoom)))
        out.append((PhotoScene(tuple(cells), _panels(lay), lay.background, lay.kind), layout.kind))
    return out


def _fix_lengths(shots: list[Shot], until: int) -> list[Shot]:
    """Shots back to back from frame 0 to `until`, none empty."""
    out: list[Shot] = []
    for s in shots:
        start = out[-1].end if out else 0
        if s.start + s.frames <= start:
            continue
        out.append(replace(s, index=len(out), start=start, frames=s.start + s.frames - start))
    if out:
        last = out[-1]
        out[-1] = replace(last, frames=until - last.start)
        if out[0].transition.frames:
            out[0] = replace(out[0], transition=Transition("cut", 0))
    return [s for s in out if s.frames > 0]


def _transition(
    ctx: _Context, where: str, index: int, prev: Shot | None, frames: int, seg: VisualSegment | None = None
) -> Transition:
    if prev is None:
        return Transition("cut", 0)
    style = ctx.style
    kind: TransitionKind
    asked = ctx.draft.m.transition
    explicit = seg.m.transition.type if seg is not None and seg.m.transition is not None else None
    # today's director writes "fade" everywhere by default: only another type (or a styled draft)
    # counts as the creator's choice
    chosen = asked or explicit
    if chosen and (ctx.draft.m.style is not None or chosen != "fade") and where == "between":
        kind = _DRAFT_TRANSITIONS.get(chosen, "dissolve")
    else:
        options = style.within if where == "within" else style.between
        kind = _DRAFT_TRANSITIONS.get(options[index % len(options)], "cut")
    if kind == "cut":
        return Transition("cut", 0)
    seconds = (
        style.transition_s if kind in ("dissolve", "slide", "wipe", "dip") else min(style.transition_s, 0.3)
    )
    n = _f(seconds)
    n = min(n, max(0, prev.frames * 2 // 3), max(0, frames * 2 // 3))
    n -= n % 2
    return Transition(kind, n) if n >= 2 else Transition("cut", 0)


def _segment_scenes(
    ctx: _Context, seg: VisualSegment, n: int, pieces: list[tuple[float, float]]
) -> list[tuple[Scene, str]]:
    kind = seg.m.kind
    count = len(pieces)
    ref = seg.m.src or ""
    if kind == "image" and ref in ctx.photos:
        photo = ctx.photos[ref]
        a, b = pieces[0][0], pieces[-1][1]
        wordy = any(
            t.m.role in ("caption", "text", "subtitle", "offer", "price")
            and t.st / 1000 < b
            and t.end / 1000 > a
            for t in ctx.draft.texts()
        )
        if seg.id in ctx.text_first:
            return _photo_scenes(ctx, photo, n, count, wordy=True, forced=True)
        scenes = _photo_scenes(ctx, photo, n, count, wordy)
        homeless = [k for k, (x, _y) in enumerate(pieces) if _f(x) in ctx.text_shots]
        if homeless:  # the shots where a text found no place: the text layout there
            roomy = _photo_scenes(ctx, photo, n, count, wordy=True, forced=True)
            scenes = [roomy[k] if k in homeless else sc for k, sc in enumerate(scenes)]
        return scenes
    if kind == "video" and ref in ctx.clips:
        clip = ctx.clips[ref]
        return _clip_scenes(ctx, seg, clip, pieces)
    colors = ctx.style.backgrounds[n % len(ctx.style.backgrounds)]
    return [(CardScene(colors, n * 7 + k), "card") for k in range(count)]


def _photo_scenes(
    ctx: _Context, photo: Photo, n: int, count: int, wordy: bool = False, forced: bool = False
) -> list[tuple[Scene, str]]:
    info = PhotoInfo(photo.width, photo.height, photo.subject)
    role: Literal["hero", "text", "auto"] = "hero" if n == 0 else "auto"
    if forced:
        role = "text"
    pace = ctx.draft.m.pace
    layout = plan_layout([info], ctx.width, ctx.height, role, pace=pace, shots=max(1, count), seed=n)
    if forced:  # text beside the subject on the full-bleed photo first: a panel only when that fails
        beside = plan_layout(
            [info], ctx.width, ctx.height, role, kind="beside", pace=pace, shots=max(1, count), seed=n
        )
        if beside.kind == "beside":
            layout = beside
    panels = _panels(layout)
    out: list[tuple[Scene, str]] = []
    for k in range(count):
        cells = []
        label = "hold"
        for c in layout.cells:
            moves = c.moves or (Move(c.crop, c.crop, "linear", "hold", 2.0, 1.0),)
            move = _scaled(moves[k % len(moves)], ctx.style.zoom)
            label = move.label
            cells.append(CellShot(c.rect, photo.ref, move))
        out.append((PhotoScene(tuple(cells), panels, layout.background, layout.kind), label))
    return out


def _clip_scenes(
    ctx: _Context, seg: VisualSegment, clip: Clip, pieces: list[tuple[float, float]]
) -> list[tuple[Scene, str]]:
    info = PhotoInfo(clip.width, clip.height, clip.subject)
    layout = plan_layout([info], ctx.width, ctx.height, "auto", shots=0)
    cell = layout.cells[0]
    panels = _panels(layout)
    start = pieces[0][0]
    trim = seg.m.start_in / 1000
    vol = seg.m.vol if seg.m.vol is not None else 0.0
    out: list[tuple[Scene, str]] = []
    for k, (a, _b) in enumerate(pieces):
        zoom = 1.0 if k % 2 == 0 else 1.18
        out.append(
            (
                ClipScene(
                    clip.ref,
                    cell.rect,
                    cell.crop,
                    trim + (a - start),
                    zoom,
                    clip.subject.center,
                    panels,
                    layout.background,
                    vol,
                ),
                "clip" if zoom == 1.0 else "clip-punch",
            )
        )
    return out


# --- logo and end card ------------------------------------------------------------------------
def _logo_mark(ctx: _Context, logo: Path | None, until: int) -> LogoMark | None:
    meta = ctx.draft.m.logo
    if meta is None or logo is None:
        return None
    w, h = ctx.width, ctx.height
    zone = Rect.of(safe_zone((w, h))).scaled(w, h)
    try:
        from PIL import Image

        with Image.open(logo) as img:
            lw, lh = img.size
    except Exception:
        return None
    width = w * min(0.3, max(0.05, meta.scale))
    height = width * lh / max(lw, 1)
    if height > h * 0.12:
        height = h * 0.12
        width = height * lw / max(lh, 1)
    margin = min(w, h) * 0.02
    x = zone.x0 + margin if "left" in meta.pos else zone.x1 - width - margin
    y = zone.y1 - height - margin if "bottom" in meta.pos else zone.y0 + margin
    return LogoMark(meta.src, logo, Rect(x, y, x + width, y + height), until)


def _end_card(ctx: _Context, start: int, logo: Path | None) -> EndCard:
    d = ctx.draft
    brand = d.m.brand
    ctas = d.texts("cta")
    name = (brand.name if brand is not None and brand.name else None) or d.m.title or ""
    handle = ""
    if brand is not None:
        handle = brand.handle or brand.url or ""
    cta = ctas[-1].m.text if ctas else default_cta(d)
    colors = ctx.style.backgrounds[0]
    return EndCard(start, name.strip(), cta.strip(), handle.strip(), logo, colors)


# what a business's viewers are asked to do, when the draft does not say: (words in the prompt,
# English call, Chinese call); the first match wins, a shop's "Shop now" otherwise
_CTAS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("cafe", "café", "coffee", "restaurant", "bakery", "pizza", "menu", "food", "dish", "meal",
      "咖啡", "餐厅", "美食", "面包", "烘焙", "外卖", "菜"), "Order now", "立即下单"),
    (("salon", "spa", "massage", "clinic", "class", "lesson", "course", "studio", "hotel", "booking",
      "appointment", "tour", "美发", "美容", "按摩", "课程", "酒店", "预约", "民宿"), "Book now", "立即预约"),
    (("opening", "event", "festival", "concert", "visit", "open house", "开业", "活动", "展览", "到店"),
     "Visit us", "欢迎到店"),
    (("app", "software", "download", "subscribe", "channel", "应用", "下载", "订阅"),
     "Try it free", "免费试用"),
)


def default_cta(d: Draft) -> str:
    """A call to action fitted to the business the prompt describes (its language, too)."""
    prompt = (d.m.prompt or "") + " " + (d.m.title or "")
    zh = (d.m.language or "").startswith("zh") or has_cjk(prompt)
    low = prompt.lower()
    for words, en, cn in _CTAS:
        if any((w in prompt) if has_cjk(w) else re.search(rf"\b{re.escape(w)}\b", low) for w in words):
            return cn if zh else en
    return "立即购买" if zh else "Shop now"


# --- text cues --------------------------------------------------------------------------------
_ROLE_ORDER = {"title": 0, "subtitle": 1, "offer": 2, "price": 2, "caption": 3, "text": 3, "cta": 4}


# Text sizes, read on a phone: the frame's width is what the phone's width shows, so sizes are
# fractions of it. Captions 4.5-6 % of the width (49-65 px on 1080), never smaller; headlines
# (title, offer, price, call to action) larger. A landscape frame is the exception: 4.5 % of its
# 1920 px would be 8 % of its height (two lines a sixth of the picture), crowding the photos out
# of their designed layouts; its captions are 4 % of the width (77 px, 7 % of the height, still
# above the 5 %-of-height norm of video captions), never under 3.6 %, and headlines at most 13 %
# of the height.
CAPTION_MIN = 0.045
CAPTION_MAX = 0.06
HEADLINE_MIN = 0.055
LANDSCAPE_CAPTION = 0.04
LANDSCAPE_MIN = 0.036
_HEADLINES = ("title", "offer", "price", "cta")


def text_px(ctx_width: int, ctx_height: int, style: Style, role: str) -> tuple[int, int]:
    """(size, smallest size) in px of a text of `role` on a `ctx_width` x `ctx_height` canvas."""
    w, h = ctx_width, ctx_height
    short = min(w, h)
    landscape = w > h * 1.2
    caption = w * (LANDSCAPE_CAPTION if landscape else min(CAPTION_MAX, max(CAPTION_MIN, style.caption_size)))
    floor = w * (LANDSCAPE_MIN if landscape else CAPTION_MIN)
    if role in _HEADLINES:
        share = {
            "title": style.headline_size,
            "offer": style.headline_size * 0.9,
            "price": style.headline_size,
            "cta": style.cta_size,
        }[role]
        px = max(share * short, caption * (1.25 if role != "cta" else 1.1))
        floor = max(floor, w * HEADLINE_MIN if not landscape else caption * 1.15)
        if landscape:
            px = min(px, 0.13 * h)
        return round(max(px, floor)), round(min(floor, px))
    px = caption * (1.12 if role == "subtitle" else 1.0)
    return round(max(px, floor)), round(floor)


def _look(ctx: _Context, role: str, seg: TextSegment | None) -> tuple[Look, str]:
    style = ctx.style
    headline = role in _HEADLINES
    px, floor = text_px(ctx.width, ctx.height, style, role)
    m = seg.m if seg is not None else None
    if m is not None and m.size is not None:
        px = max(floor, round(px * {"s": 0.8, "m": 1.0, "l": 1.2, "xl": 1.4}[m.size]))
    fam = (m.font if m is not None and m.font else None) or (
        style.headline_font if headline else style.body_font
    )
    backing: str = style.cta_backing if role == "cta" else style.backing
    if role == "tag":
        backing = "box"
    if m is not None and m.bg is not None:
        backing = {"none": "none", "scrim": "scrim", "box": "box", "outline": "outline"}[m.bg]
    color = hex_rgb(m.color) if m is not None and m.color else style.text
    box_color = style.scrim
    if (backing in ("box", "outline-box") and role in ("cta", "offer", "price", "tag")) or (
        backing == "box" and style.name in ("bold", "playful")
    ):
        box_color = style.accent
        if m is None or not m.color:
            color = style.ink_on_accent
    if backing == "outline-box":
        box_color = style.accent
    upper = style.upper_headline and headline
    if m is not None and m.upper is not None:
        upper = m.upper
    lines = {"title": 3, "cta": 2, "tag": 1, "offer": 2, "price": 1}.get(role, 3)
    anim = {"title": style.title_anim, "cta": style.cta_anim}.get(role, style.caption_anim)
    if role in ("offer", "price"):
        anim = "pop"
    if role == "tag":
        anim = "slide"
    if m is not None and m.anim is not None:
        anim = m.anim
    look = Look(
        family=fam,
        headline=headline,
        size=px,
        color=color,
        backing=backing,
        box_color=box_color,
        box_alpha=235 if backing == "box" else 170,
        upper=upper,
        tracking=style.tracking if headline else 0.0,
        max_lines=lines,
    )
    return look, anim


def _subject_rects(ctx: _Context, shot: Shot) -> list[Rect]:
    """Where the subject is on the canvas over the whole shot (every cell, the move sampled)."""
    scene = shot.scene
    out: list[Rect] = []
    if isinstance(scene, PhotoScene):
        for c in scene.cells:
            photo = ctx.photos[c.photo]
            s = photo.subject.rect.scaled(photo.width, photo.height)
            r: Rect | None = None
            for i in range(7):
                crop = c.move.at(i / 6)
                sx, sy = c.rect.w / crop.w, c.rect.h / crop.h
                q = Rect(
                    c.rect.x0 + (s.x0 - crop.x0) * sx,
                    c.rect.y0 + (s.y0 - crop.y0) * sy,
                    c.rect.x0 + (s.x1 - crop.x0) * sx,
                    c.rect.y0 + (s.y1 - crop.y0) * sy,
                )
                q = q.intersection(c.rect) or Rect(q.cx, q.cy, q.cx, q.cy)
                r = q if r is None else r.union(q)
            if r is not None:
                out.append(r)
    elif isinstance(scene, ClipScene):
        clip = ctx.clips[scene.clip]
        s = clip.subject.rect.scaled(clip.width, clip.height)
        crop = scene.crop
        sx, sy = scene.rect.w / crop.w, scene.rect.h / crop.h
        q = Rect(
            scene.rect.x0 + (s.x0 - crop.x0) * sx,
            scene.rect.y0 + (s.y0 - crop.y0) * sy,
            scene.rect.x0 + (s.x1 - crop.x0) * sx,
            scene.rect.y0 + (s.y1 - crop.y0) * sy,
        )
        if scene.zoom > 1:
            q = q.padded(q.w * (scene.zoom - 1) / 2, q.h * (scene.zoom - 1) / 2)
        out.append(q.intersection(scene.rect) or q)
    return out


def _panel_of(shot: Shot) -> Rect | None:
    scene = shot.scene
    if isinstance(scene, PhotoScene | ClipScene):
        hosts = [p.rect for p in scene.panels]
        return max(hosts, key=lambda r: r.area) if hosts else None
    return None


def _phrased_texts(d: Draft) -> list[tuple[str, TextSegment, str, int, int]]:
    """(id, segment, text, start ms, end ms) of every text, the captions cut at phrase boundaries
    (`studio.render.captions`: neighbours that continue each other rejoined, long ones split)."""
    out: list[tuple[str, TextSegment, str, int, int]] = []
    captions = [s for s in d.texts() if s.m.role in ("caption", "text") and s.m.text.strip()]
    captions.sort(key=lambda s: s.st)
    pieces = phrase_captions([(s.m.text, s.st, s.end) for s in captions], d.m.prompt or "")
    seen: dict[str, int] = {}
    for piece in pieces:
        seg = captions[piece.source]
        n = seen.get(seg.id, 0)
        seen[seg.id] = n + 1
        out.append((seg.id if n == 0 else f"{seg.id}~{n}", seg, piece.text, piece.start, piece.end))
    for seg in d.texts():
        if seg.m.role not in ("caption", "text") and seg.m.text.strip():
            out.append((seg.id, seg, seg.m.text.strip(), seg.st, seg.end))
    return out


Item = tuple[str, str, str, int, int, TextSegment | None]
OFFER_S = 3.5  # an offer shown beside the captions gets this long to itself, after them
CAPTION_KEEP_S = 1.2  # what the last caption keeps when the offer's own time would cover it


def _offer_after_captions(items: list[Item], until: int) -> list[Item]:
    """A promo's text runs hook → benefits → offer → call to action. An offer (or price) that the
    draft spreads over the captions would fight them for the one text place: it gets its own time
    after the captions (the last `OFFER_S` before the end card when the captions run to it, the
    captions overlapping that window ending where it starts, the last one keeping
    `CAPTION_KEEP_S`: no caption is left out)."""
    captions = [it for it in items if it[1] in ("caption", "text", "subtitle")]
    offers = [it for it in items if it[1] in ("offer", "price")]
    if not captions or not offers:
        return items
    out = [it for it in items if it[1] not in ("offer", "price")]
    last = max(it[4] for it in captions)
    for off in offers:
        overlap = sum(max(0, min(off[4], c[4]) - max(off[3], c[3])) for c in captions)
        if overlap < _f(2.0):
            out.append(off)
            continue
        start = min(last, until - _f(OFFER_S))
        # never over a whole caption: the last one keeps `CAPTION_KEEP_S` of its own
        start = max(start, off[3], max(c[3] for c in captions) + _f(CAPTION_KEEP_S))
        start = min(start, until - _f(1.5))  # and the offer keeps 1.5 s before the end card
        if start <= off[3]:  # it has no time of its own: it shares theirs
            out.append(off)
            continue
        trimmed = []
        for it in out:
            cut = (*it[:4], min(it[4], start), it[5])
            keep = it[1] in ("caption", "text", "subtitle") and cut[4] - cut[3] >= 8
            trimmed.append(cut if keep else it)  # a caption the cut would leave out keeps its time
        out = trimmed
        out.append((*off[:3], start, until, off[5]))
    return out


def _text_plan(
    ctx: _Context, shots: list[Shot], until: int
) -> list[tuple[str, str, str, int, int, TextSegment | None]]:
    """(id, role, text, start, end, segment) of every cue, on the beat, gaps filled."""
    d = ctx.draft
    beats = ctx.grid.beats
    items: list[tuple[str, str, str, int, int, TextSegment | None]] = []
    for seg_id, seg, text, st, end in _phrased_texts(d):
        a, b = st / 1000, end / 1000
        a = _snap(a, beats, a - 0.25, a + 0.25) if a > 0.05 else 0.0
        fa, fb = _f(a), min(_f(b), until)
        if seg.m.role == "cta" and fb - fa < FPS:  # the end card shows it
            continue
        if fb - fa >= 8:
            items.append((seg_id, seg.m.role, text, fa, fb, seg))
    items = _offer_after_captions(items, until)
    items.sort(key=lambda it: it[3])
    # no overlaps between cues of the same band: a later cue starts when the earlier one ends
    tidy: list[tuple[str, str, str, int, int, TextSegment | None]] = []
    for it in items:
        if tidy and it[3] < tidy[-1][4] and it[1] == tidy[-1][1]:
            prev = tidy[-1]
            tidy[-1] = (*prev[:4], it[3], prev[5])
        tidy.append(it)
    items = [it for it in tidy if it[4] - it[3] >= 8]
    # fill the gaps: hold a cue into a short gap, the title (or brand) as a tag in a long one
    filled: list[tuple[str, str, str, int, int, TextSegment | None]] = []
    cursor = 0
    tag_text = (d.m.brand.name if d.m.brand is not None and d.m.brand.name else None) or d.m.title or ""
    if not tag_text and items:
        tag_text = items[0][2]
    pool = [it for it in items if it[1] in ("caption", "text", "subtitle", "offer", "price")]
    reprise = 0
    for it in [*items, ("end", "", "", until, until, None)]:
        gap = it[3] - cursor
        if gap > 0 and filled and gap <= _f(2.5) and filled[-1][4] == cursor and filled[-1][1] != "cta":
            prev = filled[-1]
            filled[-1] = (*prev[:4], it[3], prev[5])
            cursor = it[3]
        elif gap >= _f(1.5) and (tag_text or pool):
            cuts = [s.start for s in shots if cursor < s.start < it[3]]
            edges = [cursor, *[c for c in cuts if c - cursor >= _f(1.5) and it[3] - c >= _f(1.5)], it[3]]
            for a, b in itertools.pairwise(edges):
                if pool and reprise % 2 == 1:
                    src = pool[(reprise // 2) % len(pool)]
                    filled.append((f"{src[0]}-again{reprise}", src[1], src[2], a, b, src[5]))
                elif tag_text:
                    filled.append((f"tag{reprise}", "tag", tag_text, a, b, None))
                reprise += 1
            cursor = it[3]
        if it[0] != "end":
            filled.append(it)
            cursor = max(cursor, it[4])
    return filled


def _cues(
    ctx: _Context,
    shots: list[Shot],
    until: int,
    mark: LogoMark | None,
    crowded: set[str] | None = None,
    homeless: set[int] | None = None,
) -> list[Cue]:
    """The text cues; `crowded` receives the segments where most words found no place off the
    subject, `homeless` the first frames of the shots where a cue found none."""
    self_crowded = crowded if crowded is not None else set()
    self_homeless = homeless if homeless is not None else set()
    w, h = ctx.width, ctx.height
    zone = Rect.of(safe_zone((w, h)))
    zone_px = zone.scaled(w, h)
    cues: list[Cue] = []
    beat_frames = max(2, round(ctx.grid.beat_s * FPS))
    taken: list[tuple[int, int, Rect]] = []  # cues already placed (frames, box)
    wanted: dict[str, int] = {}  # frames of words meant for each segment's time
    lost: dict[str, int] = {}  # of which found no place
    for cue_id, role, text, start, end, seg in _text_plan(ctx, shots, until):
        spanned = [s for s in shots if s.start < end and s.end > start and not isinstance(s.scene, EndScene)]
        if not spanned:
            continue
        # split a cue where the layout changes so much that one place cannot avoid every subject
        groups: list[list[Shot]] = [[spanned[0]]]
        for s in spanned[1:]:
            if _panel_of(s) != _panel_of(groups[-1][-1]) or type(s.scene) is not type(groups[-1][-1].scene):
                groups.append([s])
            else:
                groups[-1].append(s)
        for g, group in enumerate(groups):
            a = max(start, group[0].start)
            b = min(end, group[-1].end)
            if b - a < 8:
                continue
            args = (zone, zone_px, beat_frames, mark, taken)
            cue = _place(
                ctx,
                cue_id if g == 0 else f"{cue_id}.{g}",
                role,
                text,
                a,
                b,
                seg,
                group,
                *args,
                animate=g == 0,
                visible=_visible(shots, a, b),
            )
            pieces = [cue] if cue is not None and cue.overlap <= MAX_TEXT_OVERLAP else []
            if not pieces:  # shot by shot: where one framing leaves room
                for k, s in enumerate(group):
                    sa, sb = max(a, s.start), min(b, s.end)
                    if sb - sa < 8:
                        continue
                    piece: Cue | None = None
                    if len(group) > 1:
                        piece = _place(
                            ctx,
                            f"{cue_id}.{g}.{k}",
                            role,
                            text,
                            sa,
                            sb,
                            seg,
                            [s],
                            *args,
                            animate=g == 0 and k == 0,
                            visible=_visible(shots, sa, sb),
                        )
                    if piece is None or piece.overlap > MAX_TEXT_OVERLAP:
                        # the shot alone: not over the transitions, where a neighbour's subject shows
                        ta, tb = _alone(shots, s)
                        ta, tb = max(sa, ta), min(sb, tb)
                        if tb - ta >= 8:
                            piece = _place(
                                ctx,
                                f"{cue_id}.{g}.{k}",
                                role,
                                text,
                                ta,
                                tb,
                                seg,
                                [s],
                                *args,
                                animate=g == 0 and k == 0,
                                visible=_visible(shots, ta, tb),
                            )
                    if piece is not None and piece.overlap <= MAX_TEXT_OVERLAP:
                        pieces.append(piece)
                    else:
                        self_homeless.add(s.start)
            placed = 0
            for piece in pieces:
                cues.append(piece)
                taken.append((piece.start, piece.end, piece.box))
                placed += piece.end - piece.start
            for seg_id in {seg_id for s in group for seg_id in s.segment.split("+")}:
                wanted[seg_id] = wanted.get(seg_id, 0) + (b - a)
                lost[seg_id] = lost.get(seg_id, 0) + max(0, b - a - placed)
    # a photo is planned again text-first when most of the words meant for its time found no
    # place off its subject (a duo keeps its pair: its homeless shots get the text band instead)
    duos = {part for s in shots if "+" in s.segment for part in s.segment.split("+")}
    self_crowded.update(k for k, n in wanted.items() if lost.get(k, 0) > 0.5 * n and k not in duos)
    return cues


def _alone(shots: list[Shot], shot: Shot) -> tuple[int, int]:
    """The frames [a, b) of `shot` where no neighbour shows through a transition."""
    n = shots.index(shot)
    nxt = shots[n + 1] if n + 1 < len(shots) else None
    a = shot.start + shot.transition.frames - shot.transition.frames // 2
    b = shot.end - (nxt.transition.frames // 2 if nxt is not None else 0)
    return a, b


def _visible(shots: list[Shot], a: int, b: int) -> tuple[Shot, ...]:
    """The shots on screen at some frame of [a, b): a transition shows the next shot from half its
    length before its cut and the previous one until half its length after."""
    out: list[Shot] = []
    for n, s in enumerate(shots):
        if isinstance(s.scene, EndScene):
            continue
        nxt = shots[n + 1] if n + 1 < len(shots) else None
        lo = s.start - s.transition.frames // 2
        hi = s.end + (nxt.transition.frames - nxt.transition.frames // 2 if nxt is not None else 0)
        if lo < b and hi > a:
            out.append(s)
    return tuple(out)


def _place(
    ctx: _Context,
    cue_id: str,
    role: str,
    text: str,
    a: int,
    b: int,
    seg: TextSegment | None,
    group: list[Shot],
    zone: Rect,
    zone_px: Rect,
    beat_frames: int,
    mark: LogoMark | None,
    taken: list[tuple[int, int, Rect]],
    *,
    animate: bool,
    visible: tuple[Shot, ...] = (),
) -> Cue | None:
    w, h = ctx.width, ctx.height
    look, anim = _look(ctx, role, seg)
    floor = text_px(w, h, ctx.style, role)[1]  # never smaller than this (read on a phone)
    panel = _panel_of(group[0])
    avoid: list[Rect] = []
    for s in [*group, *[v for v in visible if v not in group]]:
        avoid.extend(_subject_rects(ctx, s))
    if mark is not None:
        avoid.append(mark.rect)
    avoid.extend(r for ta, tb, r in taken if ta < b and tb > a)
    region = panel.intersection(zone_px) if panel is not None else zone_px
    if panel is not None and (region is None or region.h < 0.14 * h or region.w < 0.25 * w):
        panel, region = None, zone_px  # the panel lies mostly outside the safe zone: place freely
    region = region or zone_px
    card = isinstance(group[0].scene, CardScene)
    if card:  # a text-only promo: the words are the hero
        grow = 1.3 if role in ("title", "offer", "price", "cta") else 1.75
        look = replace(look, size=round(look.size * grow), max_lines=look.max_lines + 1)
    prefer = _prefer(role, seg)
    if card and role != "tag":
        prefer = "center"
    best: tuple[float, Block, TextPlacement] | None = None
    # in the layout's text panel first; anywhere in the safe zone when the panel is too narrow for
    # a word at a readable size (a word is never cut across lines while another place keeps it whole)
    places = [(panel, region)] + ([(None, zone_px)] if panel is not None else [])
    for where, room in places:
        widths: tuple[float, ...] = (0.86, 0.6, 0.44, 0.32) if where is None else (0.84, 0.6)
        if role == "tag":
            widths = (0.5, 0.36)
        for share in widths:
            wide = replace(look, max_lines=look.max_lines + (1 if share < 0.7 else 0))
            block = layout_text(text, wide, room.w * share, min_size=floor)
            if (block.size < floor or block.broken) and share != widths[0]:
                continue  # a column too narrow for its longest word at a readable size
            pad = block.size * 0.35
            box_w, box_h = block.width + 2 * pad, block.height + 2 * pad * 0.6
            placed = text_regions(
                w, h, zone, avoid, box_w, box_h, panel=where, prefer=prefer, min_scale=floor / block.size
            )
            shrink = block.size * placed.scale / look.size
            cost = (
                40.0 * placed.overlap
                + 4.0 * (1.0 - shrink)
                + 0.3 * len(block.lines)
                + 30.0 * (block.cut or block.broken)
            )
            if best is None or cost < best[0] - 1e-6:
                best = (cost, block, placed)
                panel = where
            if placed.overlap <= 0.01 and placed.scale >= 0.995:
                break
        if best is not None and not (best[1].cut or best[1].broken):
            break
    assert best is not None
    _, block, placed = best
    if placed.scale < 0.995:  # shrunk to fit beside the subject: lay out again at that size
        pad = block.size * 0.35
        look = replace(block.look, size=max(min(floor, block.size), round(block.size * placed.scale)))
        room_w = max(placed.rect.w - 2 * pad * placed.scale, look.size * 2.0)
        again = layout_text(text, look, room_w, min_size=floor)
        if again.broken and not block.broken:  # rounding: a hair more room keeps the word whole
            again = layout_text(text, look, room_w * 1.06, min_size=floor)
        if not again.broken or block.broken:
            block = again
    box = placed.rect
    # keep the block centred in the box it was given
    x = round(box.cx - block.width / 2)
    y = round(box.cy - block.height / 2)
    x = max(round(zone_px.x0), min(x, round(zone_px.x1 - block.width)))
    y = max(round(zone_px.y0), min(y, round(zone_px.y1 - block.height)))
    final_box = Rect(x, y, x + block.width, y + block.height)
    # what the drawn box covers (a block laid out again may come out a little larger than its place)
    covered = max((r.overlap(final_box) / max(final_box.area, 1.0) for r in avoid), default=0.0)
    look = _legible(ctx, look, group, final_box, panel)
    if look != block.look:
        block = replace(
            block,
            look=replace(
                block.look,
                color=look.color,
                backing=look.backing,
                box_color=look.box_color,
                box_alpha=look.box_alpha,
            ),
        )
    return Cue(
        cue_id,
        role,
        text,
        a,
        b,
        block,
        x,
        y,
        anim if animate else "fade",
        beat_frames,
        final_box,
        round(max(placed.overlap, covered), 4),
    )


def _prefer(role: str, seg: TextSegment | None) -> Literal["top", "bottom", "center"] | None:
    pos = seg.m.pos if seg is not None else None
    if pos in ("top", "top-left", "top-right"):
        return "top"
    if pos in ("bottom", "bottom-left", "bottom-right"):
        return "bottom"
    if pos == "center":
        return "center"
    by_role: dict[str, Literal["top", "bottom", "center"]] = {
        "title": "top",
        "cta": "bottom",
        "caption": "bottom",
        "tag": "top",
    }
    return by_role.get(role)


MIN_CONTRAST = 4.5  # WCAG AA for text, between the letters and the pixels behind them
# what the plan aims for: the backdrop is measured on the small analysis image at three points of
# each move, so a margin keeps the rendered frames (full resolution, every frame) above 4.5
PLAN_CONTRAST = 5.2


def _luma(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of (n, 3) sRGB samples."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def worst_contrast(color: RGB, backdrop: np.ndarray) -> float:
    """The contrast of `color` against the backdrop's pixels (n, 3): its 5th percentile (a few
    stray pixels aside, what the hardest-to-read part of the text stands on)."""
    lt = luminance(color)
    lb = _luma(backdrop.reshape(-1, 3))
    ratio = (np.maximum(lt, lb) + 0.05) / (np.minimum(lt, lb) + 0.05)
    return float(np.percentile(ratio, 5))


def _legible(ctx: _Context, look: Look, shots: list[Shot], box: Rect, panel: Rect | None) -> Look:
    """The look made legible on the pixels behind it: contrast >= `MIN_CONTRAST` between the text
    colour and (the 5th percentile of) the backdrop under the text box, measured on the photos'
    pixels over every shot the text spans (the move sampled), on a panel's colours or a card's.

    In order: the look as it is; a box/plate look with its ink corrected; the text's colour
    flipped to white or near-black (on panels and plain backdrops); a plate (a soft-edged scrim,
    dark under light text, light under dark text) as opaque as the worst pixel needs."""
    backdrop = _backdrop(ctx, shots, box)
    if backdrop is None or not len(backdrop):
        return look
    if look.backing == "box":
        plate = np.array(look.box_color, np.float64)
        alpha = look.box_alpha / 255.0
        behind = backdrop * (1 - alpha) + plate * alpha
        if worst_contrast(look.color, behind) >= PLAN_CONTRAST:
            return look
        ink = ink_for(look.box_color)
        if worst_contrast(ink, behind) >= PLAN_CONTRAST:
            return replace(look, color=ink)
        return replace(look, color=ink, box_alpha=250)
    if worst_contrast(look.color, backdrop) >= PLAN_CONTRAST:
        return look if look.backing != "scrim" or panel is None else replace(look, backing="none")
    custom = look.color != ctx.style.text  # the creator's colour: keep it, back it instead
    if not custom:
        for ink in ((255, 255, 255), (17, 17, 17)):
            if worst_contrast(ink, backdrop) >= PLAN_CONTRAST:
                backing = look.backing if look.backing not in ("scrim",) else "shadow"
                if (panel is not None or ink != (255, 255, 255)) and backing in ("shadow", "outline"):
                    backing = "none"  # a dark shadow under dark letters only muddies them
                return replace(look, color=ink, backing=backing)
    light_text = luminance(look.color) >= 0.4
    plate = np.array(ctx.style.scrim if light_text else (246, 244, 240), np.float64)
    if light_text and luminance(ctx.style.scrim) > 0.05:
        plate = np.array((12, 12, 12), np.float64)
    for alpha in (0.6, 0.7, 0.8, 0.88, 0.94):
        if worst_contrast(look.color, backdrop * (1 - alpha) + plate * alpha) >= PLAN_CONTRAST:
            break
    rgb = (int(plate[0]), int(plate[1]), int(plate[2]))
    return replace(look, backing="scrim", box_color=rgb, box_alpha=round(alpha * 255))


def _backdrop(ctx: _Context, shots: list[Shot], box: Rect) -> np.ndarray | None:
    """RGB samples (n, 3) of what lies under `box` over `shots` (each shot's move at its start,
    middle and end), from the photos' analysis images, the panels' and cards' colours."""
    parts: list[np.ndarray] = []
    for shot in shots:
        scene = shot.scene
        if isinstance(scene, PhotoScene | ClipScene):
            for p in scene.panels:
                if p.rect.intersection(box) is not None:
                    parts.append(np.array([p.color, p.gradient_to or p.color], np.float64))
            if isinstance(scene, ClipScene):
                if scene.rect.intersection(box) is not None:
                    clip = ctx.clips[scene.clip]
                    parts.append(clip.small.reshape(-1, 3).astype(np.float64))
                continue
            for t in (0.0, 0.5, 1.0):
                patch = _photo_under(ctx, scene, box, t)
                if patch is not None:
                    parts.append(patch)
        elif isinstance(scene, CardScene):
            parts.append(np.array(scene.colors, np.float64))
    return np.concatenate(parts) if parts else None


def _photo_under(ctx: _Context, scene: PhotoScene, box: Rect, t: float) -> np.ndarray | None:
    out: list[np.ndarray] = []
    for c in scene.cells:
        inter = c.rect.intersection(box)
        if inter is None:
            continue
        photo = ctx.photos[c.photo]
        crop = c.move.at(t)
        sh, sw = photo.small.shape[:2]
        kx, ky = sw / photo.width, sh / photo.height
        fx0 = crop.x0 + (inter.x0 - c.rect.x0) / c.rect.w * crop.w
        fx1 = crop.x0 + (inter.x1 - c.rect.x0) / c.rect.w * crop.w
        fy0 = crop.y0 + (inter.y0 - c.rect.y0) / c.rect.h * crop.h
        fy1 = crop.y0 + (inter.y1 - c.rect.y0) / c.rect.h * crop.h
        x0, x1 = max(0, int(fx0 * kx)), min(sw, math.ceil(fx1 * kx))
        y0, y1 = max(0, int(fy0 * ky)), min(sh, math.ceil(fy1 * ky))
        if x1 > x0 and y1 > y0:
            out.append(photo.small[y0:y1, x0:x1].reshape(-1, 3).astype(np.float64))
    return np.concatenate(out) if out else None
