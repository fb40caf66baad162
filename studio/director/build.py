"""The create flow: a `create_draft` call (assets + words) → a complete, valid draft.

The understanding decides everything from the message (so the call can be replayed); this module
only assembles. Default length: 15 s for up to 3 shots, 4 s a shot beyond (clamped to 5-120 s),
never longer than the clips can fill when every shot is a clip. A text-only prompt makes title
cards: one colour segment per ~5 s.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from studio.director.models import Asset
from studio.director.timeline import TRANSITION_MS, clamp_total, fit, normalize, set_aspect
from studio.draft import (
    Aspect,
    Draft,
    MusicMeta,
    MusicSegment,
    TextMeta,
    TextSegment,
    TextStyle,
    VisualMeta,
    VisualSegment,
)

PALETTE = ("#1e293b", "#0f766e", "#7c3aed", "#b45309", "#be123c")
CARD_MS = 5000
SYNTH_VOL, OWN_AUDIO_VOL = 0.35, 0.8
TEXT_MAX = 200


class MusicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    src: str = Field(pattern=r"^(synth|asset)://[\w.-]+$", description="synth://<mood> or asset://<id>")
    name: str = "Music"
    vol: float = Field(default=SYNTH_VOL, ge=0.0, le=1.0)
    src_d: int | None = Field(default=None, ge=1, description="an uploaded song's length, ms")


class CreateArgs(BaseModel):
    """The arguments of `create_draft` (the operation itself is `studio.director.ops.CreateDraft`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    assets: list[str] = Field(default_factory=list, description="ids of the photos and clips, in order")
    duration_ms: int | None = Field(default=None, ge=1, description="length in ms (none: the shots' default)")
    asked_ms: int | None = Field(default=None, description="the length the user asked for, before clamping")
    aspect: Aspect = "16:9"
    title: str | None = Field(default=None, max_length=TEXT_MAX)
    subtitle: str | None = Field(default=None, max_length=TEXT_MAX)
    captions: list[str] = Field(default_factory=list)
    cta: str | None = Field(default=None, max_length=TEXT_MAX)
    offer: str | None = Field(default=None, max_length=TEXT_MAX)
    price: str | None = Field(default=None, max_length=40)
    music: MusicSpec | None = None
    prompt: str = Field(default="", max_length=4000, description="the description the video was made from")
    language: Literal["en", "zh"] = "en"


def default_total(visual: list[Asset]) -> int:
    n = len(visual)
    total = 15000 if n <= 3 else n * 4000
    if visual and all(a.kind == "video" and a.duration_ms for a in visual):
        total = min(total, sum(a.duration_ms or 0 for a in visual) - TRANSITION_MS["fade"] * (n - 1))
    return clamp_total(total)


def shot_segment(seg_id: str, asset: Asset) -> VisualSegment:
    meta = VisualMeta(src=asset.ref, kind="image" if asset.kind == "image" else "video", name=asset.name)
    if asset.kind == "video":
        meta.trim_in, meta.vol = 0, 0.0
        if asset.duration_ms:
            meta.src_d = asset.duration_ms
    return VisualSegment(id=seg_id, st=0, d=0, m=meta)


def card_segment(seg_id: str, color: str) -> VisualSegment:
    # `kind` also at the segment level: the first contract's readers look there
    meta = VisualMeta(kind="color", color=color, name="Title card")
    return VisualSegment.model_validate({"id": seg_id, "st": 0, "d": 0, "kind": "color", "m": meta})


def text_segment(draft: Draft, role: str, text: str, pos: str | None) -> TextSegment:
    """A new text of `role`, with the look the user gave that role (or all text) before."""
    meta = TextMeta(text=text, role=role)  # type: ignore[arg-type]
    for key in ("all", role):
        style: TextStyle | None = (draft.m.text_styles or {}).get(key)
        if style is not None:
            for field, value in style.model_dump(exclude_none=True).items():
                if key == "all" and field == "pos":
                    continue
                setattr(meta, field, value)
    if pos:
        meta.pos = pos  # type: ignore[assignment]
    return TextSegment(id=draft.new_id("x"), st=0, d=0, m=meta)


def build_draft(args: CreateArgs, assets: list[Asset]) -> Draft:
    by_id = {a.id: a for a in assets}
    visual = [by_id[i] for i in args.assets if i in by_id and by_id[i].kind in ("image", "video")]
    draft = normalize(None)
    set_aspect(draft, args.aspect)
    draft.m.language = args.language
    draft.m.prompt = args.prompt
    total = clamp_total(args.duration_ms or default_total(visual))
    track = draft.visual_track(create=True)
    assert track is not None
    if visual:
        track.sg.extend(shot_segment(f"v{n}", a) for n, a in enumerate(visual, 1))
    else:
        count = max(1, round(total / CARD_MS))
        track.sg.extend(card_segment(f"v{n}", PALETTE[(n - 1) % len(PALETTE)]) for n in range(1, count + 1))
    words = [("title", args.title), ("subtitle", args.subtitle)]
    words += [("caption", line) for line in args.captions]
    words += [("price", args.price), ("offer", args.offer), ("cta", args.cta)]
    texts = draft.text_track(create=True)
    assert texts is not None
    for role, text in words:
        if text:
            texts.sg.append(text_segment(draft, role, text, None))
    if args.music is not None:
        spec = args.music
        meta = MusicMeta(src=spec.src, name=spec.name, vol=spec.vol, src_d=spec.src_d)
        music = draft.music_track(create=True)
        assert music is not None
        music.sg.append(MusicSegment(id="a1", st=0, d=0, m=meta))
    fit(draft, total)
    draft.drop_empty_tracks()
    return draft
