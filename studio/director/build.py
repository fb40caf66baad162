"""The create flow: a `create_draft` tool call (assets + brief) → a complete, valid draft.

`create_args` decides everything from the message (so the call can be replayed); `build_draft`
only assembles. Default length: 15 s for up to 3 shots, 4 s a shot beyond (clamped to 5-120 s),
never longer than the clips can fill when every shot is a clip. A text-only prompt makes title
cards: one colour segment per ~5 s.
"""

from __future__ import annotations

from typing import Any

from studio.director.brief import read_brief
from studio.director.models import Asset
from studio.director.timeline import (
    TRANSITION_MS,
    Draft,
    Segment,
    clamp_total,
    fit,
    normalize,
    set_aspect,
    track,
)
from studio.director.words import MOODS, parse_aspect, parse_duration

PALETTE = ("#1e293b", "#0f766e", "#7c3aed", "#b45309", "#be123c")
CARD_MS = 5000
SYNTH_VOL, OWN_AUDIO_VOL = 0.35, 0.8


def default_total(visual: list[Asset]) -> int:
    n = len(visual)
    total = 15000 if n <= 3 else n * 4000
    if visual and all(a.kind == "video" and a.duration_ms for a in visual):
        total = min(total, sum(a.duration_ms or 0 for a in visual) - TRANSITION_MS * (n - 1))
    return clamp_total(total)


def music_for(mood: str | None, audio: Asset | None) -> dict[str, Any]:
    if audio is not None:
        spec: dict[str, Any] = {"src": audio.ref, "name": audio.name, "vol": OWN_AUDIO_VOL}
        if audio.duration_ms:
            spec["src_d"] = audio.duration_ms
        return spec
    src, name = MOODS[mood or "lofi"]
    return {"src": src, "name": name, "vol": SYNTH_VOL}


def create_args(message: str, masked: str, assets: list[Asset], no_music: bool,
                language: str) -> dict[str, Any]:
    """Everything the create flow decides from the message, as the `create_draft` call's arguments."""
    brief = read_brief(message)
    visual = [a for a in assets if a.kind in ("image", "video")]
    audio = [a for a in assets if a.kind == "audio"]
    asked = parse_duration(masked)
    return {
        "assets": [a.id for a in visual],
        "duration_ms": clamp_total(asked) if asked else None,
        "asked_ms": asked,
        "aspect": parse_aspect(masked) or "16:9",
        "title": brief.title,
        "captions": brief.captions,
        "cta": brief.cta,
        "music": None if no_music else music_for(brief.mood, audio[-1] if audio else None),
        "prompt": message.strip(),
        "language": language,
    }


def shot(seg_id: str, asset: Asset) -> Segment:
    m: dict[str, Any] = {"src": asset.ref, "kind": asset.kind, "name": asset.name}
    if asset.kind == "video":
        m.update({"in": 0, "vol": 0.0})
        if asset.duration_ms:
            m["src_d"] = asset.duration_ms
    return {"id": seg_id, "st": 0, "d": 0, "m": m}


def card(seg_id: str, color: str) -> Segment:
    return {"id": seg_id, "st": 0, "d": 0, "kind": "color",
            "m": {"kind": "color", "color": color, "name": "Title card"}}


def text_segment(seg_id: str, text: str, role: str) -> Segment:
    return {"id": seg_id, "st": 0, "d": 0, "m": {"text": text, "role": role,
                                                 "pos": "center" if role == "title" else "bottom"}}


def build_draft(args: dict[str, Any], assets: list[Asset]) -> Draft:
    by_id = {a.id: a for a in assets}
    visual = [by_id[i] for i in args.get("assets", []) if i in by_id and by_id[i].kind in ("image", "video")]
    draft = normalize(None)
    meta = draft["m"]
    set_aspect(draft, args.get("aspect") or "16:9")
    meta["language"] = args.get("language", "en")
    meta["prompt"] = args.get("prompt", "")
    total = clamp_total(args.get("duration_ms") or default_total(visual))
    shots = track(draft, 0, create=True)["sg"]  # type: ignore[index]
    if visual:
        shots.extend(shot(f"v{n}", a) for n, a in enumerate(visual, 1))
    else:
        count = max(1, round(total / CARD_MS))
        shots.extend(card(f"v{n}", PALETTE[(n - 1) % len(PALETTE)]) for n in range(1, count + 1))
    texts = track(draft, 7, create=True)["sg"]  # type: ignore[index]
    if args.get("title"):
        texts.append(text_segment("x1", args["title"], "title"))
    for line in args.get("captions") or []:
        texts.append(text_segment(f"x{len(texts) + 1}", line, "caption"))
    if args.get("cta"):
        texts.append(text_segment(f"x{len(texts) + 1}", args["cta"], "cta"))
    if args.get("music"):
        spec = args["music"]
        m = {"src": spec["src"], "name": spec.get("name", "Music"), "vol": spec.get("vol", SYNTH_VOL),
             "fade_in": 500, "fade_out": 1500}
        if spec.get("src_d"):
            m["src_d"] = spec["src_d"]
        track(draft, 1, create=True)["sg"].append({"id": "a1", "st": 0, "d": 0, "m": m})  # type: ignore[index]
    fit(draft, total)
    return draft
