"""The draft's timing rules, in one place (format: docs/studio-draft.md), on the typed `Draft`.

Visual track: segments back to back, each overlapping the one before by its incoming transition:
`st_i = st_{i-1} + d_{i-1} - transition_i.d` (0 for "cut" and for the first segment); the draft's
`d` is the end of the last visual segment. `fit(draft, total)` shares a total length among the
shots by their weights (clips never longer than their source or their trim, clips looped when the
sources are too short, transitions shortened when shots are very short); `retime(draft)` derives
everything else (start times, `d`, the music span, the text layout, motions, clip volumes, the
content language) and runs after every edit, so every edit leaves a valid draft. `check_draft`
lists violations.
"""

from __future__ import annotations

from typing import Any

from studio.director.units import is_cjk
from studio.draft import CANVAS, Draft, TextSegment, TrackKind, Transition, VisualSegment

MIN_TOTAL_MS, MAX_TOTAL_MS = 5000, 120000
MAX_SHOTS = 120
TITLE_MS, CTA_MS, MIN_CAPTION_MS, MAX_CAPTION_MS = 3000, 3000, 1500, 6000  # 1.5 s: time to read a line
TRANSITION_MS: dict[str, int] = {
    "cut": 0,
    "fade": 600,
    "dissolve": 800,
    "slide": 600,
    "wipe": 600,
    "whip": 300,
    "zoom": 400,
    "flash": 300,
}
DEFAULT_TRANSITION = "fade"
MOTIONS = ("zoom-in", "pan-left", "zoom-out", "pan-right")
TEXT_POS = {
    "title": "center",
    "subtitle": "center",
    "caption": "bottom",
    "cta": "bottom",
    "text": "top",
    "price": "top-left",
    "offer": "center",
}
TEXT_ORDER = ("title", "subtitle", "caption", "text", "price", "offer", "cta")  # paint order on the track
OVERLAY_ROLES = ("text", "price", "offer")  # shown over the body of the video, beside the captions


def clamp_total(ms: int) -> int:
    return max(MIN_TOTAL_MS, min(MAX_TOTAL_MS, int(ms)))


def overlap(segs: list[VisualSegment], i: int) -> int:
    """How much segment i overlaps the one before it (its incoming transition)."""
    if i == 0:
        return 0
    tr = segs[i].m.transition
    return 0 if tr is None or tr.type == "cut" else tr.d


def cap(seg: VisualSegment) -> int | None:
    """How long a segment may last: a clip no longer than its source (or its trim) after its start."""
    m = seg.m
    if m.kind != "video":
        return None
    ends = [x for x in (m.src_d, m.trim_out) if x]
    if not ends:
        return None
    return max(1, min(ends) - m.start_in)


def shares(need: int, caps: list[int | None], weights: list[float]) -> list[int]:
    """Split `need` ms in proportion to `weights`, never giving a segment more than its cap."""
    result = [0] * len(caps)
    open_ = list(range(len(caps)))
    remaining = need
    while open_:
        total_w = sum(weights[i] for i in open_) or 1.0
        capped = [i for i in open_ if caps[i] is not None and caps[i] < remaining * weights[i] / total_w]  # type: ignore[operator]
        if not capped:
            exact = [remaining * weights[i] / total_w for i in open_]
            base = [int(x) for x in exact]
            left = remaining - sum(base)
            order = sorted(range(len(open_)), key=lambda k: (-(exact[k] - base[k]), k))
            for k in order[:left]:
                base[k] += 1
            for k, i in enumerate(open_):
                result[i] = base[k]
            return result
        for i in capped:
            result[i] = caps[i]  # type: ignore[assignment]
            remaining -= caps[i]  # type: ignore[operator]
            open_.remove(i)
    return result


def style_of(draft: Draft) -> str:
    return draft.m.transition or DEFAULT_TRANSITION


def fit(draft: Draft, total_ms: int) -> None:
    """Give the shots durations so that the video lasts `total_ms` (clamped to 5-120 s)."""
    total_ms = clamp_total(total_ms)
    segs = draft.visuals
    if not segs:
        return
    style = style_of(draft)
    originals = len(segs)
    while True:
        n = len(segs)
        t = 0 if style == "cut" or n < 2 else min(TRANSITION_MS.get(style, 600), total_ms // (3 * n))
        caps = [cap(s) for s in segs]
        for c in caps:
            if c is not None:
                t = min(t, c // 3)
        need = total_ms + t * (n - 1)
        if n < MAX_SHOTS and all(c is not None for c in caps) and sum(c or 0 for c in caps) < need:
            repeat = segs[n % originals].model_copy(deep=True)
            repeat.id = draft.new_id("v")
            repeat.m.trim_in = 0
            segs.append(repeat)
            continue
        break
    weights = [s.m.weight or 1.0 for s in segs]
    for seg, d in zip(segs, shares(need, caps, weights), strict=True):
        seg.d = max(1, d)
        seg.m.transition = Transition(type=style, d=t)  # type: ignore[arg-type]
    retime(draft)


def refit(draft: Draft) -> None:
    fit(draft, max(draft.d, MIN_TOTAL_MS))


def _layout_text(draft: Draft, total: int) -> None:
    tr = draft.text_track()
    if tr is None:
        return

    def role(name: str) -> list[TextSegment]:
        return [s for s in tr.sg if s.m.role == name]

    title = next(iter(role("title")), None)
    subtitle = next(iter(role("subtitle")), None)
    cta = next(iter(role("cta")), None)
    captions = role("caption")
    overlays = [s for name in OVERLAY_ROLES for s in role(name)]
    start, end = 0, total
    head = min(TITLE_MS, total // 3)
    for seg in (title, subtitle):
        if seg is not None:
            seg.st, seg.d = 0, head
            start = head
    if cta is not None:
        cta.d = min(CTA_MS, total // 4)
        cta.st = end = total - cta.d
    span = max(0, end - start)
    keep = min(len(captions), span // MIN_CAPTION_MS)
    captions = captions[:keep]
    base, extra = divmod(span, keep) if keep else (0, 0)
    shots = draft.visuals
    cards = bool(shots) and all(s.m.kind == "color" for s in shots)  # nothing else to look at
    if cards and not captions and not overlays:
        for seg in (title, subtitle):
            if seg is not None:
                seg.d = end  # a title card keeps its title until the call to action
    at = start
    for k, seg in enumerate(captions):  # one slot each, shown from the slot's start for at most 6 s
        slot = base + (1 if k < extra else 0)
        seg.st, seg.d = at, slot if cards else min(slot, MAX_CAPTION_MS)
        at += slot
    for seg in overlays:  # free text, price and offer stay up for the body of the video
        seg.st, seg.d = (start, span) if span >= MIN_CAPTION_MS else (0, total)
    ordered = [s for s in (title, subtitle) if s is not None] + captions
    ordered += [s for name in OVERLAY_ROLES for s in role(name)] + ([cta] if cta is not None else [])
    for seg in ordered:
        if seg.m.pos is None:
            seg.m.pos = TEXT_POS.get(seg.m.role, "bottom")  # type: ignore[assignment]
    tr.sg = ordered


def retime(draft: Draft) -> None:
    """Derive start times, `d`, the music span, the text layout and per-shot details from the shots."""
    meta = draft.m
    segs = draft.visuals
    image_no = 0
    for i, seg in enumerate(segs):
        seg.st = 0 if i == 0 else segs[i - 1].st + segs[i - 1].d - overlap(segs, i)
        if seg.m.kind == "image":
            seg.m.motion = MOTIONS[image_no % len(MOTIONS)]
            image_no += 1
        else:
            seg.m.motion = "none"
    song = draft.music
    if segs:
        draft.d = segs[-1].st + segs[-1].d
    else:
        draft.d = max([s.st + s.d for tr in draft.t for s in tr.sg] or [0])
    total = draft.d
    for seg in segs:
        if seg.m.kind == "video":
            seg.m.vol = 0.0 if song else 1.0
            if seg.m.trim_in is None:
                seg.m.trim_in = 0
    if song is not None:
        src_d = song.m.src_d
        song.st, song.d = 0, min(total, src_d) if src_d else total
        song.m.fade_out = min(1500, song.d // 3)
    voice = draft.voice
    if voice is not None:  # the narration spans the video (its real length is the renderer's)
        voice.st, voice.d = 0, total
    _layout_text(draft, total)
    draft.t = [tr for tr in draft.t if tr.sg or tr.tt == TrackKind.VISUAL]
    words = " ".join(s.m.text for s in draft.texts())
    if words.strip():
        meta.language = "zh" if any(is_cjk(c) for c in words) else "en"
    title = next(iter(draft.texts("title")), None)
    meta.title = title.m.text if title is not None else ""


def set_aspect(draft: Draft, aspect: str) -> None:
    draft.m.aspect = aspect  # type: ignore[assignment]
    draft.m.width, draft.m.height = CANVAS[aspect]


def normalize(draft: Draft | dict[str, Any] | None) -> Draft:
    """A copy with every key this module relies on (defaults as in docs/studio-draft.md)."""
    if draft is None:
        out = Draft()
    elif isinstance(draft, Draft):
        out = draft.model_copy(deep=True)
    else:
        out = Draft.from_wire(draft)
    meta = out.m
    set_aspect(out, meta.aspect if meta.aspect in CANVAS else "16:9")
    if meta.transition is None:
        meta.transition = DEFAULT_TRANSITION  # type: ignore[assignment]
    out.visual_track(create=True)
    for seg in out.visuals:
        if seg.m.transition is None:
            seg.m.transition = Transition(type=style_of(out), d=TRANSITION_MS.get(style_of(out), 600))  # type: ignore[arg-type]
        if seg.d <= 0:
            seg.d = 1000
    retime(out)
    return out


def check_draft(draft: Draft | dict[str, Any]) -> list[str]:
    """Every timing rule the draft breaks (empty when it is valid)."""
    if not isinstance(draft, Draft):
        try:
            draft = Draft.from_wire(draft)
        except ValueError as exc:
            return [f"not a studio draft: {exc}"]
    problems: list[str] = []
    segs = draft.visuals
    for i, seg in enumerate(segs):
        expected = 0 if i == 0 else segs[i - 1].st + segs[i - 1].d - overlap(segs, i)
        if seg.st != expected:
            problems.append(f"{seg.id}: st {seg.st} != {expected}")
        if seg.d <= 0:
            problems.append(f"{seg.id}: non-positive duration")
        after = overlap(segs, i + 1) if i + 1 < len(segs) else 0
        if seg.d < overlap(segs, i) + after:
            problems.append(f"{seg.id}: shorter than its transitions")
        limit = cap(seg)
        if limit is not None and seg.d > limit:
            problems.append(f"{seg.id}: longer than its source clip")
    expected_total = (
        (segs[-1].st + segs[-1].d) if segs else max([s.st + s.d for tr in draft.t for s in tr.sg] or [0])
    )
    if draft.d != expected_total:
        problems.append(f"d {draft.d} != {expected_total}")
    for tr in draft.t:
        if tr.tt == TrackKind.VISUAL:
            continue
        for s in tr.sg:
            if s.st < 0 or s.d <= 0 or s.st + s.d > expected_total:
                problems.append(f"{s.id}: outside the video (st {s.st}, d {s.d})")
    if (draft.m.width, draft.m.height) != CANVAS.get(draft.m.aspect, (0, 0)):
        problems.append("size does not match the aspect ratio")
    ids = [s.id for tr in draft.t for s in tr.sg]
    if len(ids) != len(set(ids)):
        problems.append("segment ids are not unique")
    return problems
