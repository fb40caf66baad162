"""Every edit as a replayable tool call: `apply_call(draft, call, assets) -> (draft, Change)`.

The rule parser produces these calls, and a pluggable LLM director can produce the same calls and
reuse this module unchanged. Each operation works on a copy, checks its arguments against the
draft (a call that cannot apply returns a refused `Change` and the draft untouched), and ends with
the timing rules of `timeline` so the result is always a valid draft.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from studio.director.build import PALETTE, SYNTH_VOL, build_draft, shot, text_segment
from studio.director.models import Asset, Change, ToolCall
from studio.director.replies import summary
from studio.director.timeline import (
    MIN_TOTAL_MS,
    SIZES,
    Draft,
    clamp_total,
    fit,
    kind,
    music,
    new_id,
    retime,
    set_aspect,
    texts,
    track,
    visual,
)

PACE_SHOT = {"slow": 1.5, "normal": 1.0, "fast": 0.65}  # shot length relative to "normal"
MIN_PACED_SHOT_MS = 1500
TRANSITIONS = ("fade", "slide", "wipe", "cut")
CORNERS = ("top-right", "top-left", "bottom-right", "bottom-left")
Op = Callable[[Draft, dict[str, Any], list[Asset]], Change]


def _shot_index(draft: Draft, value: Any) -> int | None:
    n = len(visual(draft))
    return int(value) - 1 if isinstance(value, int) and 1 <= value <= n else None


def _set_duration(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    asked = int(args.get("ms", 0))
    if clamp_total(asked) == draft["d"]:
        return Change("same_duration", {"ms": draft["d"]}, refused=True)
    fit(draft, asked)
    return Change("duration", {"ms": draft["d"], "asked": asked})


def _set_aspect(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    aspect = args.get("aspect")
    if aspect not in SIZES:
        return Change("bad_aspect", refused=True)
    if aspect == draft["m"]["aspect"]:
        return Change("same_aspect", {"aspect": aspect}, refused=True)
    set_aspect(draft, aspect)
    w, h = SIZES[aspect]
    return Change("aspect", {"aspect": aspect, "w": w, "h": h})


def _set_text(draft: Draft, role: str, text: str) -> None:
    existing = texts(draft, role)
    if existing:
        existing[0]["m"]["text"] = text
        return
    seg = text_segment(new_id(draft, "x"), text, role)
    sg = track(draft, 7, create=True)["sg"]  # type: ignore[index]
    sg.insert(0, seg) if role == "title" else sg.append(seg)


def _remove_role(draft: Draft, role: str) -> bool:
    tr = track(draft, 7)
    if tr is None or not texts(draft, role):
        return False
    tr["sg"] = [s for s in tr["sg"] if s.get("m", {}).get("role") != role]
    retime(draft)
    return True


def _set_title(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    text = str(args.get("text", "")).strip()
    if not text:
        return Change("need_title_text", refused=True)
    _set_text(draft, "title", text)
    retime(draft)
    return Change("title", {"text": text})


def _remove_title(draft: Draft, _args: dict[str, Any], _a: list[Asset]) -> Change:
    return Change("title_removed") if _remove_role(draft, "title") else Change("no_title", refused=True)


def _set_captions(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    lines = [str(line).strip() for line in args.get("lines", []) if str(line).strip()]
    if not lines:
        return Change("need_caption_text", refused=True)
    _remove_role(draft, "caption")
    sg = track(draft, 7, create=True)["sg"]  # type: ignore[index]
    for line in lines:
        sg.append(text_segment(new_id(draft, "x"), line, "caption"))
    retime(draft)
    shown = len(texts(draft, "caption"))
    return Change("captions", {"count": shown, "dropped": len(lines) - shown})


def _remove_captions(draft: Draft, _args: dict[str, Any], _a: list[Asset]) -> Change:
    ok = _remove_role(draft, "caption")
    return Change("captions_removed") if ok else Change("no_captions", refused=True)


def _refit(draft: Draft) -> None:
    fit(draft, max(int(draft.get("d") or 0), MIN_TOTAL_MS))


def _move_shot(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    src, dst = _shot_index(draft, args.get("from")), _shot_index(draft, args.get("to"))
    if src is None or dst is None:
        return Change("no_shot", {"count": len(visual(draft))}, refused=True)
    segs = visual(draft)
    segs.insert(dst, segs.pop(src))
    _refit(draft)
    return Change("shot_moved", {"from": src + 1, "to": dst + 1, "count": len(segs)})


def _swap_shots(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    a, b = _shot_index(draft, args.get("a")), _shot_index(draft, args.get("b"))
    if a is None or b is None or a == b:
        return Change("no_shot", {"count": len(visual(draft))}, refused=True)
    segs = visual(draft)
    segs[a], segs[b] = segs[b], segs[a]
    _refit(draft)
    return Change("shots_swapped", {"a": a + 1, "b": b + 1})


def _remove_shot(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    i = _shot_index(draft, args.get("index"))
    if i is None:
        return Change("no_shot", {"count": len(visual(draft))}, refused=True)
    segs = visual(draft)
    if len(segs) == 1:
        return Change("last_shot", refused=True)
    gone = segs.pop(i)
    _refit(draft)
    return Change("shot_removed", {"index": i + 1, "name": gone["m"].get("name", ""), "count": len(segs)})


def _add_shots(draft: Draft, args: dict[str, Any], assets: list[Asset]) -> Change:
    by_id = {a.id: a for a in assets if a.kind in ("image", "video")}
    new = [by_id[i] for i in args.get("assets", []) if i in by_id]
    if not new:
        return Change("no_new_media", refused=True)
    segs = visual(draft)
    if segs and kind(segs[0]) == "color":
        segs.clear()
    for asset in new:
        segs.append(shot(new_id(draft, "v"), asset))
    _refit(draft)
    return Change("shots_added", {"count": len(new), "total": len(segs)})


def _set_music(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    src = str(args.get("src", ""))
    if not (src.startswith("synth://") or src.startswith("asset://")):
        return Change("bad_music", refused=True)
    old = music(draft)
    if old is not None and old["m"].get("src") == src:
        return Change("same_music", {"name": old["m"].get("name", "")}, refused=True)
    m: dict[str, Any] = {"src": src, "name": args.get("name") or "Music",
                         "vol": float(args.get("vol", old["m"]["vol"] if old else SYNTH_VOL)),
                         "fade_in": 500, "fade_out": 1500}
    if args.get("src_d"):
        m["src_d"] = int(args["src_d"])
    track(draft, 1, create=True)["sg"] = [{"id": old["id"] if old else "a1", "st": 0, "d": 0, "m": m}]  # type: ignore[index]
    retime(draft)
    return Change("music", {"name": m["name"]})


def _remove_music(draft: Draft, _args: dict[str, Any], _a: list[Asset]) -> Change:
    tr = track(draft, 1)
    if tr is None or not tr["sg"]:
        return Change("no_music", refused=True)
    tr["sg"] = []
    retime(draft)
    return Change("music_removed")


def _set_music_volume(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    song = music(draft)
    if song is None:
        return Change("no_music", refused=True)
    before = float(song["m"].get("vol", SYNTH_VOL))
    vol = round(max(0.05, min(1.0, float(args.get("vol", before)))), 2)
    if vol == before:
        return Change("volume_limit", {"percent": round(vol * 100)}, refused=True)
    song["m"]["vol"] = vol
    return Change("music_volume", {"percent": round(vol * 100), "up": vol > before})


def _set_transition(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    style = args.get("type")
    if style not in TRANSITIONS:
        return Change("bad_transition", refused=True)
    if style == draft["m"].get("transition", "fade"):
        return Change("same_transition", {"type": style}, refused=True)
    draft["m"]["transition"] = style
    _refit(draft)
    return Change("transition", {"type": style})


def _sources(segs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for seg in segs:
        key = str(seg["m"].get("src") or seg["m"].get("color"))
        seen.setdefault(key, seg)
    return list(seen.values())


def _set_pace(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    pace = args.get("pace")
    old = draft["m"].get("pace", "normal")
    if pace not in PACE_SHOT:
        return Change("bad_pace", refused=True)
    if pace == old:
        return Change("same_pace", {"pace": pace}, refused=True)
    segs = visual(draft)
    total = int(draft["d"])
    sources = _sources(segs)
    count = round(len(segs) * PACE_SHOT[old] / PACE_SHOT[pace])
    count = max(len(sources), min(count, max(len(segs), total // MIN_PACED_SHOT_MS)))
    if count != len(segs):
        colors = kind(sources[0]) == "color"
        rebuilt = []
        for n in range(count):
            seg = copy.deepcopy(sources[n % len(sources)])
            seg["id"] = f"v{n + 1}"
            if colors:
                seg["m"]["color"] = PALETTE[n % len(PALETTE)]
            elif kind(seg) == "video":
                uses = -(-count // len(sources))
                seg["m"]["in"] = (int(seg["m"].get("src_d") or 0) * (n // len(sources))) // uses
            rebuilt.append(seg)
        track(draft, 0)["sg"] = rebuilt  # type: ignore[index]
    draft["m"]["pace"] = pace
    fit(draft, total)
    return Change("pace", {"pace": pace, "shots": len(visual(draft))})


def _add_logo(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    src = str(args.get("src", ""))
    pos = args.get("pos", "top-right")
    if not src.startswith("asset://") or pos not in CORNERS:
        return Change("no_logo_asset", refused=True)
    draft["m"]["logo"] = {"src": src, "pos": pos, "scale": float(args.get("scale", 0.12))}
    return Change("logo", {"pos": pos})


def _remove_logo(draft: Draft, _args: dict[str, Any], _a: list[Asset]) -> Change:
    if not draft["m"].pop("logo", None):
        return Change("no_logo", refused=True)
    return Change("logo_removed")


def _set_cta(draft: Draft, args: dict[str, Any], _a: list[Asset]) -> Change:
    text = str(args.get("text", "")).strip()
    if not text:
        return Change("need_cta_text", refused=True)
    _set_text(draft, "cta", text)
    retime(draft)
    return Change("cta", {"text": text})


def _remove_cta(draft: Draft, _args: dict[str, Any], _a: list[Asset]) -> Change:
    return Change("cta_removed") if _remove_role(draft, "cta") else Change("no_cta", refused=True)


OPS: dict[str, Op] = {
    "set_duration": _set_duration, "set_aspect": _set_aspect, "set_title": _set_title,
    "remove_title": _remove_title, "set_captions": _set_captions, "remove_captions": _remove_captions,
    "move_shot": _move_shot, "swap_shots": _swap_shots, "remove_shot": _remove_shot, "add_shots": _add_shots,
    "set_music": _set_music, "remove_music": _remove_music, "set_music_volume": _set_music_volume,
    "set_transition": _set_transition, "set_pace": _set_pace, "add_logo": _add_logo,
    "remove_logo": _remove_logo, "set_cta": _set_cta, "remove_cta": _remove_cta,
}


def apply_call(draft: Draft | None, call: ToolCall, assets: list[Asset]) -> tuple[Draft | None, Change]:
    """Apply one tool call to a copy of the draft; a refused call returns the draft unchanged."""
    if call.name == "create_draft":
        new = build_draft(call.args, assets)
        return new, Change("created", summary(new, call.args))
    op = OPS.get(call.name)
    if op is None:
        return draft, Change("unknown_call", {"name": call.name}, refused=True)
    if draft is None:
        return None, Change("no_draft", refused=True)
    work = copy.deepcopy(draft)
    change = op(work, dict(call.args), assets)
    return (draft if change.refused else work), change

