"""A draft in words: the one-line timeline summary and what changed between two drafts.

Works on the typed `bot.draft.models.Draft` (read defensively from the cloud's or the studio's
draft): tracks by `TrackKind`, segments with their start, end, label, text, volume, role. The words
are the i18n namespace `timeline`.

    summarize(draft)                  "Timeline (3 tracks): 1. Video: a.jpg, b.jpg (0-10s) 2. ..."
    describe_changes(before, after)   ['✅ Title added: "Urban Dreams" (0-3s)', ...]
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from bot.draft.models import Draft, Segment, Track, TrackKind
from bot.i18n import TIMELINE, language_for

log = logging.getLogger(__name__)

__all__ = ["describe_changes", "summarize"]

def _words(lang: str | None) -> dict[str, str]:
    """The summary's and change lines' words (i18n namespace `timeline`), English where missing."""
    return {**TIMELINE.table("en"), **TIMELINE.table(language_for(lang))}


def _secs(ms: float) -> str:
    s = round(ms / 1000, 1)
    return str(int(s)) if s == int(s) else str(s)


def _span(segs: Sequence[Segment]) -> str:
    if not segs:
        return "0-0s"
    return f"{_secs(min(s.start for s in segs))}-{_secs(max(s.end for s in segs))}s"


def _quote(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _texts_by_role(draft: Draft | None) -> tuple[list[Segment], list[Segment]]:
    """Text segments split into (titles, captions). The studio marks roles; a cloud text without
    a role is a title when it is the first text and starts within the first second."""
    segs = [s for s in draft.segments(TrackKind.TEXT) if s.text] if draft is not None else []
    if any(s.role for s in segs):
        titles = [s for s in segs if s.role == "title"]
    else:
        titles = segs[:1] if segs and segs[0].start < 1000 else []
    return titles, [s for s in segs if not any(s is t for t in titles)]


# --- summary ---------------------------------------------------------------------------------


def _track_line(track: Track, words: dict[str, str]) -> str | None:
    segs = track.segments
    if not segs:
        return None
    if track.kind is TrackKind.TEXT:
        roles = {s.role for s in segs}
        name = words["title"] if roles <= {"title"} or len(segs) == 1 else words["text"]
        if roles == {"caption"}:
            name = words["captions"]
        quoted = _quoted([s.text for s in segs if s.text], words)
        return f"{name}{words['colon']}{quoted} ({_span(segs)})"
    if track.kind is TrackKind.MUSIC:
        vol = segs[0].volume
        extra = f", {vol}%" if vol is not None else ""
        label = words["sep"].join(dict.fromkeys(s.label for s in segs if s.label)) or words["music"]
        return f"{words['bgm']}{words['colon']}{label} ({_span(segs)}{extra})"
    name = words["video"] if track.kind is TrackKind.VISUAL else words["track_n"].format(tt=track.number)
    return f"{name}{words['colon']}{_names(segs, words)} ({_span(segs)})"


def _quoted(texts: list[str], words: dict[str, str]) -> str:
    shown = words["sep"].join(words["quoted"].format(text=_quote(t)) for t in texts[:3])
    return shown + (words["more"].format(n=len(texts) - 3) if len(texts) > 3 else "")


def summarize(draft: Draft | None, lang: str = "en") -> str | None:
    """The draft's one-line summary, or None when there is nothing on the timeline yet."""
    words = _words(lang)
    if draft is None:
        return None
    try:
        lines = [line for t in draft.tracks if (line := _track_line(t, words))]
    except Exception:  # a draft shape nobody foresaw must not break the status command
        log.exception("cannot summarize a draft")
        return None
    if not lines:
        return None
    items = " ".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    head = words["timeline"].format(n=len(lines), tracks=words["tracks" if len(lines) != 1 else "track"])
    return head + items


def _transition(draft: Draft) -> str | None:
    shots = draft.segments(TrackKind.VISUAL)
    kinds = [s.transition for s in shots[1:] if s.transition]
    if kinds:
        return kinds[0] if len(set(kinds)) == 1 else None
    return draft.transition if len(shots) > 1 else None


def _names(segs: Sequence[Segment], words: dict[str, str]) -> str:
    """Up to four labels, then "+N more" (unlabelled segments only counted)."""
    labels = [s.label for s in segs if s.label]
    if not labels:
        return words["clips"].format(n=len(segs))
    rest = len(segs) - min(4, len(labels))
    return words["sep"].join(labels[:4]) + (words["more"].format(n=rest) if rest else "")


def describe_changes(before: Draft | None, after: Draft | None, lang: str = "en") -> list[str]:
    """What changed from `before` to `after`, one line each (empty when nothing visible did)."""
    if after is None:
        return []
    words = _words(lang)
    try:
        return _changes(before if before is not None else Draft(), after, words)
    except Exception:  # an odd draft must not break the turn: the caller falls back to a summary
        log.exception("cannot compare drafts")
        return []


def _changes(before: Draft, after: Draft, words: dict[str, str]) -> list[str]:
    out: list[str] = []
    w = words
    v0, v1 = before.segments(TrackKind.VISUAL), after.segments(TrackKind.VISUAL)
    if v1 and not v0:
        out.append(w["video_created"].format(label=_names(v1, w), span=_span(v1)))
    elif v0 or v1:
        k0, k1 = [s.key for s in v0], [s.key for s in v1]
        added = list((Counter(k1) - Counter(k0)).elements())
        removed = list((Counter(k0) - Counter(k1)).elements())
        if added:
            out.append(w["shots_added"].format(labels=_names([s for s in v1 if s.key in added], w)))
        if removed:
            gone = [s for s in v0 if s.key in removed]
            out.append(w["shots_removed"].format(labels=_names(gone, w)))
        if not added and not removed and k0 != k1:
            out.append(w["shots_reordered"])
        t0, t1 = _transition(before), _transition(after)
        if t0 and t1 and t0 != t1:
            out.append(w["transition"].format(before=t0, after=t1))
        d0, d1 = before.total, after.total
        if d0 and d1 and _secs(d0) != _secs(d1):
            out.append(w["duration"].format(before=f"{_secs(d0)}s", after=f"{_secs(d1)}s"))
    a0, a1 = before.aspect, after.aspect
    if a0 and a1 and a0 != a1:
        out.append(w["format"].format(before=a0, after=a1))
    out += _music_changes(before.segments(TrackKind.MUSIC), after.segments(TrackKind.MUSIC), w)
    out += _text_changes(before, after, w)
    return out


def _music_changes(m0: list[Segment], m1: list[Segment], w: dict[str, str]) -> list[str]:
    name0 = (m0[0].label or w["music"]) if m0 else None
    name1 = (m1[0].label or w["music"]) if m1 else None
    if m1 and not m0:
        vol = m1[0].volume
        span = _span(m1) + (f", {vol}%" if vol is not None else "")
        return [w["music_added"].format(label=name1, span=span)]
    if m0 and not m1:
        return [w["music_removed"].format(label=name0)]
    if not m0 or not m1:
        return []
    out = []
    if name0 != name1:
        out.append(w["music_changed"].format(before=name0, after=name1))
    v0, v1 = m0[0].volume, m1[0].volume
    if v0 is not None and v1 is not None and v0 != v1:
        out.append(w["music_volume"].format(before=f"{v0}%", after=f"{v1}%"))
    return out


def _text_changes(before: Draft, after: Draft, w: dict[str, str]) -> list[str]:
    out = []
    (t0, c0), (t1, c1) = _texts_by_role(before), _texts_by_role(after)
    title0, title1 = (t0[0].text if t0 else None), (t1[0].text if t1 else None)
    if title1 and not title0:
        out.append(w["title_added"].format(text=_quote(title1), span=_span(t1[:1])))
    elif title0 and not title1:
        out.append(w["title_removed"].format(text=_quote(title0)))
    elif title0 and title1 and title0 != title1:
        out.append(w["title_changed"].format(before=_quote(title0), after=_quote(title1)))
    caps0 = Counter(s.text for s in c0 if s.text)
    caps1 = Counter(s.text for s in c1 if s.text)
    for key, counter in (("captions_added", caps1 - caps0), ("captions_removed", caps0 - caps1)):
        if texts := list(counter.elements()):
            out.append(w[key].format(texts=_quoted(texts, w)))
    return out
