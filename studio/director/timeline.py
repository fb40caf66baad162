"""The draft's timing rules, in one place (format: docs/studio-draft.md).

Visual track (tt 0): segments back to back, each overlapping the one before by its incoming
transition: `st_i = st_{i-1} + d_{i-1} - transition_i.d` (0 for "cut" and for the first segment);
the draft's `d` is the end of the last visual segment. `fit(draft, total)` shares a total length
among the shots (video clips never longer than their source, clips looped when the sources are too
short, transitions shortened when shots are very short); `retime(draft)` derives everything else
(start times, `d`, the music span, the text layout, motions, clip volumes, the content language)
and is run after every edit, so every edit leaves a valid draft. `check_draft` lists violations.
"""

from __future__ import annotations

import copy
from typing import Any

from studio.director.words import has_cjk

Draft = dict[str, Any]
Segment = dict[str, Any]

TRANSITION_MS = 600
MIN_TOTAL_MS, MAX_TOTAL_MS = 5000, 120000
MAX_SHOTS = 120
TITLE_MS, CTA_MS, MIN_CAPTION_MS, MAX_CAPTION_MS = 3000, 3000, 1500, 6000  # 1.5 s: time to read a line
SIZES = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
MOTIONS = ("zoom-in", "pan-left", "zoom-out", "pan-right")
TEXT_POS = {"title": "center", "caption": "bottom", "cta": "bottom"}
TRACK_ORDER = (0, 1, 7)


def clamp_total(ms: int) -> int:
    return max(MIN_TOTAL_MS, min(MAX_TOTAL_MS, int(ms)))


def track(draft: Draft, tt: int, create: bool = False) -> dict[str, Any] | None:
    for tr in draft.setdefault("t", []):
        if tr.get("tt") == tt:
            tr.setdefault("sg", [])
            return tr
    if not create:
        return None
    new: dict[str, Any] = {"tt": tt, "sg": []}
    draft["t"].append(new)
    draft["t"].sort(key=lambda t: TRACK_ORDER.index(t["tt"]) if t.get("tt") in TRACK_ORDER else 99)
    return new


def segments(draft: Draft, tt: int) -> list[Segment]:
    tr = track(draft, tt)
    return tr["sg"] if tr else []


def visual(draft: Draft) -> list[Segment]:
    return segments(draft, 0)


def texts(draft: Draft, role: str | None = None) -> list[Segment]:
    return [s for s in segments(draft, 7) if role is None or s.get("m", {}).get("role") == role]


def music(draft: Draft) -> Segment | None:
    audio = segments(draft, 1)
    return audio[0] if audio else None


def kind(seg: Segment) -> str:
    return str(seg.get("m", {}).get("kind") or seg.get("kind") or "image")


def overlap(segs: list[Segment], i: int) -> int:
    """How much segment i overlaps the one before it (its incoming transition)."""
    if i == 0:
        return 0
    tr = segs[i].get("m", {}).get("transition") or {}
    return 0 if tr.get("type", "fade") == "cut" else int(tr.get("d", 0))


def new_id(draft: Draft, prefix: str) -> str:
    used = {str(s.get("id")) for tr in draft.get("t", []) for s in tr.get("sg", [])}
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def _cap(seg: Segment) -> int | None:
    """How long a segment may last: a clip no longer than its source after the trim point."""
    m = seg.get("m", {})
    if kind(seg) != "video" or not m.get("src_d"):
        return None
    return max(1, int(m["src_d"]) - int(m.get("in", 0)))


def _shares(need: int, caps: list[int | None]) -> list[int]:
    """Split `need` ms as evenly as possible without giving any segment more than its cap."""
    limit = [c if c is not None else need + 1 for c in caps]  # no cap: more than it could ever get
    result = [0] * len(caps)
    open_ = list(range(len(caps)))
    remaining = need
    while open_:
        share = remaining // len(open_)
        capped = [i for i in open_ if limit[i] < share]
        if not capped:
            base, extra = divmod(remaining, len(open_))
            for k, i in enumerate(open_):
                result[i] = base + (1 if k < extra else 0)
            return result
        for i in capped:
            result[i] = limit[i]
            remaining -= limit[i]
            open_.remove(i)
    return result


def fit(draft: Draft, total_ms: int) -> None:
    """Give the shots durations so that the video lasts `total_ms` (clamped to 5-120 s)."""
    total_ms = clamp_total(total_ms)
    segs = visual(draft)
    if not segs:
        return
    style = draft["m"].get("transition", "fade")
    originals = len(segs)
    while True:
        n = len(segs)
        t = 0 if style == "cut" or n < 2 else min(TRANSITION_MS, total_ms // (3 * n))
        caps = [_cap(s) for s in segs]
        for c in caps:
            if c is not None:
                t = min(t, c // 3)
        need = total_ms + t * (n - 1)
        if n < MAX_SHOTS and all(c is not None for c in caps) and sum(caps) < need:  # type: ignore[arg-type]
            repeat = copy.deepcopy(segs[n % originals])
            repeat["id"] = new_id(draft, "v")
            repeat["m"]["in"] = 0
            segs.append(repeat)
            continue
        break
    for seg, d in zip(segs, _shares(need, caps), strict=True):
        seg["d"] = max(1, d)
        seg.setdefault("m", {})["transition"] = {"type": style, "d": t}
    retime(draft)


def _layout_text(draft: Draft, total: int) -> None:
    tr = track(draft, 7)
    if tr is None:
        return
    title = next(iter(texts(draft, "title")), None)
    cta = next(iter(texts(draft, "cta")), None)
    captions = texts(draft, "caption")
    start, end = 0, total
    if title is not None:
        title.update(st=0, d=min(TITLE_MS, total // 3))
        start = title["d"]
    if cta is not None:
        cta["d"] = min(CTA_MS, total // 4)
        cta["st"] = end = total - cta["d"]
    span = max(0, end - start)
    keep = min(len(captions), span // MIN_CAPTION_MS)
    captions = captions[:keep]
    base, extra = divmod(span, keep) if keep else (0, 0)
    shots = visual(draft)
    cards = bool(shots) and all(kind(seg) == "color" for seg in shots)  # nothing else to look at
    if cards and title is not None and not captions:
        title["d"] = end  # a title card keeps its title until the call to action
    at = start
    for k, cap in enumerate(captions):  # one slot each, shown from the slot's start for at most 6 s
        slot = base + (1 if k < extra else 0)
        cap["st"], cap["d"] = at, slot if cards else min(slot, MAX_CAPTION_MS)
        at += slot
    ordered = ([title] if title else []) + captions + ([cta] if cta else [])
    for seg in ordered:
        m = seg.setdefault("m", {})
        m.setdefault("pos", TEXT_POS.get(m.get("role", "caption"), "bottom"))
    tr["sg"] = ordered


def retime(draft: Draft) -> None:
    """Derive start times, `d`, the music span, the text layout and per-shot details from the shots."""
    meta = draft["m"]
    segs = visual(draft)
    image_no = 0
    for i, seg in enumerate(segs):
        seg["st"] = 0 if i == 0 else segs[i - 1]["st"] + segs[i - 1]["d"] - overlap(segs, i)
        m = seg.setdefault("m", {})
        if kind(seg) == "image":
            m["motion"] = MOTIONS[image_no % len(MOTIONS)]
            image_no += 1
        else:
            m["motion"] = "none"
    song = music(draft)
    if segs:
        draft["d"] = segs[-1]["st"] + segs[-1]["d"]
    else:
        draft["d"] = max([s["st"] + s["d"] for tr in draft["t"] for s in tr["sg"]] or [0])
    total = int(draft["d"])
    for seg in segs:
        if kind(seg) == "video":
            seg["m"]["vol"] = 0.0 if song else 1.0
    if song is not None:
        src_d = song["m"].get("src_d")
        song["st"], song["d"] = 0, min(total, int(src_d)) if src_d else total
        song["m"]["fade_out"] = min(1500, song["d"] // 3)
        song["m"].setdefault("fade_in", 500)
    _layout_text(draft, total)
    draft["t"] = [tr for tr in draft["t"] if tr.get("sg") or tr.get("tt") == 0]
    words = " ".join(str(s["m"].get("text", "")) for s in texts(draft))
    if words.strip():
        meta["language"] = "zh" if has_cjk(words) else "en"
    title = next(iter(texts(draft, "title")), None)
    meta["title"] = title["m"]["text"] if title else ""


def set_aspect(draft: Draft, aspect: str) -> None:
    draft["m"]["aspect"] = aspect
    draft["m"]["width"], draft["m"]["height"] = SIZES[aspect]


def normalize(draft: Draft | None) -> Draft:
    """A deep copy with every key this module relies on (defaults as in docs/studio-draft.md)."""
    out: Draft = copy.deepcopy(draft) if draft else {}
    meta = out.setdefault("m", {})
    aspect = meta.get("aspect") if meta.get("aspect") in SIZES else "16:9"
    set_aspect(out, aspect)
    meta.setdefault("fps", 30)
    meta.setdefault("pace", "normal")
    meta.setdefault("transition", "fade")
    meta.setdefault("language", "en")
    meta.setdefault("title", "")
    out.setdefault("t", [])
    track(out, 0, create=True)
    for seg in visual(out):
        seg.setdefault("m", {}).setdefault("transition", {"type": meta["transition"], "d": TRANSITION_MS})
        seg.setdefault("d", 1000)
    retime(out)
    return out


def check_draft(draft: Draft) -> list[str]:
    """Every timing rule the draft breaks (empty when it is valid)."""
    problems: list[str] = []
    segs = visual(draft)
    for i, seg in enumerate(segs):
        expected = 0 if i == 0 else segs[i - 1]["st"] + segs[i - 1]["d"] - overlap(segs, i)
        if seg["st"] != expected:
            problems.append(f"{seg['id']}: st {seg['st']} != {expected}")
        if seg["d"] <= 0 or overlap(segs, i) < 0:
            problems.append(f"{seg['id']}: non-positive duration or negative transition")
        after = overlap(segs, i + 1) if i + 1 < len(segs) else 0
        if seg["d"] < overlap(segs, i) + after:
            problems.append(f"{seg['id']}: shorter than its transitions")
        m = seg.get("m", {})
        if kind(seg) == "video" and m.get("src_d") and m.get("in", 0) + seg["d"] > m["src_d"]:
            problems.append(f"{seg['id']}: longer than its source clip")
    total = draft.get("d")
    expected_total = (segs[-1]["st"] + segs[-1]["d"]) if segs else max(
        [s["st"] + s["d"] for tr in draft.get("t", []) for s in tr.get("sg", [])] or [0])
    if total != expected_total:
        problems.append(f"d {total} != {expected_total}")
    for tt in (1, 7):
        for seg in segments(draft, tt):
            if seg["st"] < 0 or seg["d"] <= 0 or seg["st"] + seg["d"] > expected_total:
                problems.append(f"{seg.get('id')}: outside the video (st {seg['st']}, d {seg['d']})")
    meta = draft.get("m", {})
    if (meta.get("width"), meta.get("height")) != SIZES.get(meta.get("aspect", ""), (0, 0)):
        problems.append("size does not match the aspect ratio")
    return problems
