"""A draft read into a render plan: every time on the 30 fps frame grid, every default filled in.

The draft format is the contract in `docs/studio-draft.md` (times in ms; track `tt` 0 visual, 1 audio,
7 text). The visual track is laid out by the timeline rule: segment i starts where segment i-1 ends
minus the transition into i, so consecutive segments overlap by exactly their transition. Frame
counts are whole numbers from here on, so no frame is ever dropped or duplicated downstream.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

FPS = 30
SIZES: dict[str, tuple[int, int]] = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
MOTIONS = ("zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "none")
_KINDS: dict[str, Literal["image", "video", "color"]] = {"image": "image", "video": "video", "color": "color"}
XFADE = {"fade": "fade", "slide": "slideleft", "wipe": "wipeleft"}


class PlanError(ValueError):
    """The draft cannot be rendered as it stands (message is user-readable)."""


class Visual(BaseModel):
    id: str
    kind: Literal["image", "video", "color"]
    src: str | None = None
    name: str
    motion: str = "none"
    color: str = "#1e293b"
    start: int  # first frame on the timeline
    frames: int  # number of frames
    transition: str = "cut"  # into this segment: an xfade transition name, or "cut"
    transition_frames: int = 0
    trim_in: float = 0.0  # video: seconds skipped at the start of the source
    volume: float = 0.0  # video: volume of the clip's own sound


class Block(BaseModel):
    """A stretch of the visual track as the graph sees it: one video clip, or a run of consecutive
    generated segments (photos, colour cards) whose transitions among themselves are drawn by the
    frame generator. Transitions between blocks (into or out of a clip) go through ffmpeg's xfade."""

    kind: Literal["clip", "generated"]
    visuals: list[Visual]
    start: int
    frames: int
    transition: str  # into this block
    transition_frames: int


class Text(BaseModel):
    id: str
    text: str
    role: str
    pos: str | None
    start: int
    end: int  # frame after the last one shown


class Audio(BaseModel):
    id: str
    src: str
    name: str
    volume: float
    fade_in: float  # seconds
    fade_out: float
    start: float  # seconds on the timeline
    duration: float
    seed: int = 0  # music beds: which variation


class Logo(BaseModel):
    src: str
    pos: str = "top-right"
    scale: float = 0.12


class Plan(BaseModel):
    width: int
    height: int
    frames: int  # total frames of the video
    visuals: list[Visual]
    texts: list[Text]
    audios: list[Audio]
    logo: Logo | None = None

    @property
    def duration(self) -> float:
        return self.frames / FPS

    def blocks(self) -> list[Block]:
        """The visual track as clips and runs of generated segments, in timeline order."""
        blocks: list[Block] = []
        for v in self.visuals:
            if v.kind != "video" and blocks and blocks[-1].kind == "generated":
                run = blocks[-1]
                run.visuals.append(v)
                run.frames = v.start + v.frames - run.start
                continue
            kind: Literal["clip", "generated"] = "clip" if v.kind == "video" else "generated"
            blocks.append(Block(kind=kind, visuals=[v], start=v.start, frames=v.frames,
                                transition=v.transition, transition_frames=v.transition_frames))
        return blocks


def _frames(ms: Any) -> int:
    try:
        return max(0, round(float(ms) * FPS / 1000))
    except (TypeError, ValueError):
        return 0


def _num(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _size(meta: dict[str, Any]) -> tuple[int, int]:
    if meta.get("aspect") in SIZES:
        return SIZES[str(meta["aspect"])]
    size = (meta.get("width"), meta.get("height"))
    return size if size in SIZES.values() else SIZES["16:9"]  # type: ignore[return-value]


def _tracks(draft: dict[str, Any], kind: int) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    for track in draft.get("t") or []:
        if isinstance(track, dict) and track.get("tt") == kind:
            segments.extend(s for s in track.get("sg") or [] if isinstance(s, dict))
    return segments


def _visuals(segments: list[dict[str, Any]]) -> list[Visual]:
    out: list[Visual] = []
    for n, seg in enumerate(segments):
        m = seg.get("m") or {}
        raw_kind = m.get("kind") or ("color" if not m.get("src") else "image")
        kind = _KINDS.get(str(raw_kind))
        if kind is None:
            raise PlanError(f"segment {seg.get('id', n + 1)} has an unknown kind {raw_kind!r}")
        frames = _frames(seg.get("d"))
        if frames < 1:
            continue
        trans = m.get("transition") or {}
        ttype = trans.get("type", "cut") if isinstance(trans, dict) else "cut"
        tframes = _frames(trans.get("d", 0)) if isinstance(trans, dict) and ttype in XFADE else 0
        if out:  # an overlap never eats into the previous segment's own transition
            tframes = min(tframes, out[-1].frames - out[-1].transition_frames, frames)
        else:
            tframes = 0
        start = out[-1].start + out[-1].frames - tframes if out else 0
        motion = m.get("motion", "none")
        out.append(Visual(
            id=str(seg.get("id", f"v{n + 1}")), kind=kind, src=m.get("src"),
            name=str(m.get("name") or m.get("src") or f"segment {n + 1}"),
            motion=motion if motion in MOTIONS else "none", color=str(m.get("color") or "#1e293b"),
            start=start, frames=frames, transition=XFADE[ttype] if tframes > 0 else "cut",
            transition_frames=max(0, tframes), trim_in=max(0.0, _num(m.get("in"), 0.0) / 1000),
            volume=max(0.0, _num(m.get("vol"), 0.0)),
        ))
    return out


def plan_from_draft(draft: dict[str, Any]) -> Plan:
    """Read a studio draft into a Plan; raises PlanError when there is nothing to render."""
    if not isinstance(draft, dict):
        raise PlanError("the draft is not a JSON object")
    meta = draft.get("m") or {}
    width, height = _size(meta)
    visuals = _visuals(_tracks(draft, 0))
    texts = [
        Text(id=str(s.get("id", "")), text=str((s.get("m") or {}).get("text", "")).strip(),
             role=str((s.get("m") or {}).get("role", "caption")), pos=(s.get("m") or {}).get("pos"),
             start=_frames(s.get("st", 0)), end=_frames(_num(s.get("st"), 0) + _num(s.get("d"), 0)))
        for s in _tracks(draft, 7)
    ]
    texts = [t for t in texts if t.text and t.end > t.start]
    audios: list[Audio] = []
    for s in _tracks(draft, 1):
        m = s.get("m") or {}
        if not m.get("src") or _num(s.get("d"), 0) <= 0:
            continue
        audios.append(Audio(
            id=str(s.get("id", "")), src=str(m["src"]), name=str(m.get("name") or m["src"]),
            volume=max(0.0, _num(m.get("vol"), 0.35)), fade_in=_num(m.get("fade_in"), 500) / 1000,
            fade_out=_num(m.get("fade_out"), 1500) / 1000, start=_num(s.get("st"), 0) / 1000,
            duration=_num(s.get("d"), 0) / 1000, seed=int(_num(m.get("seed"), 0)),
        ))
    visual_end = max((v.start + v.frames for v in visuals), default=0)
    others = [t.end for t in texts] + [_frames((a.start + a.duration) * 1000) for a in audios]
    frames = _frames(draft.get("d")) or visual_end or max(others, default=0)
    if frames < 1:
        raise PlanError("the draft is empty: add a photo, a clip or a title first")
    if not visuals:  # text only: a colour card behind it
        visuals = [Visual(id="background", kind="color", name="background", start=0, frames=frames)]
    if visual_end and visual_end != frames:
        log.debug("draft d=%s frames=%d but the visual track ends at %d", draft.get("d"), frames, visual_end)
    logo_meta = meta.get("logo")
    logo = None
    if isinstance(logo_meta, dict) and logo_meta.get("src"):
        try:
            logo = Logo.model_validate(logo_meta)
        except ValidationError:
            log.info("ignoring a malformed logo: %r", logo_meta)
    return Plan(width=width, height=height, frames=frames, visuals=visuals, texts=texts, audios=audios,
                logo=logo)
