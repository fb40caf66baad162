"""A draft in words: the one-line timeline summary and what changed between two drafts.

Drafts come from the NemoVideo cloud (whose keys inside a segment are not published) or from the
studio (docs/studio-draft.md). Both share the outer keys: `t` tracks, `tt` track type (0 visual,
1 audio, 7 text), `sg` segments, `d` duration in ms, `m` metadata. Everything inside a segment is
read defensively (start from `st`/`start`/`s`, length from `d`/`duration`, label from `m.name`/
`m.title`/`m.text`/`txt`/`text`/`name`/`src` basename, volume from `vol`/`volume`/`m.volume`):
an unknown key or an odd type never fails, it is skipped.

    summarize(draft)                  "Timeline (3 tracks): 1. Video: a.jpg, b.jpg (0-10s) 2. ..."
    is_exportable(draft)              a track with at least one segment
    digest(draft)                     a stable hash, to notice that the draft changed
    describe_changes(before, after)   ['✅ Title added: "Urban Dreams" (0-3s)', ...]
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["CHANGE_WORDS", "describe_changes", "digest", "is_exportable", "summarize"]

Draft = dict[str, Any] | None
_SIZES = {(1920, 1080): "16:9", (1080, 1920): "9:16", (1080, 1080): "1:1"}

# Words of the summary and of the change lines, (English, Chinese) per key; CHANGE_WORDS is the
# {"en": {...}, "zh": {...}} form the engine's i18n can hold or override.
_WORDS: dict[str, tuple[str, str]] = {
    "timeline": ("Timeline ({n} {tracks}): ", "时间线（{n} {tracks}）："),
    "track": ("track", "条轨道"),
    "tracks": ("tracks", "条轨道"),
    "video": ("Video", "视频"),
    "bgm": ("BGM", "背景音乐"),
    "music": ("music", "音乐"),
    "title": ("Title", "标题"),
    "text": ("Text", "文字"),
    "captions": ("Captions", "字幕"),
    "track_n": ("Track {tt}", "轨道 {tt}"),
    "clips": ("{n} clips", "{n} 个片段"),
    "more": (" +{n} more", " 等 {n} 个"),
    "sep": (", ", "、"),
    "colon": (": ", "："),
    "quoted": ('"{text}"', "“{text}”"),
    "video_created": ("🎬 Video created: {label} ({span})", "🎬 视频已生成：{label}（{span}）"),
    "shots_added": ("🖼 Shots added: {labels}", "🖼 新增镜头：{labels}"),
    "shots_removed": ("🗑 Shots removed: {labels}", "🗑 删除镜头：{labels}"),
    "shots_reordered": ("🔀 Shots reordered", "🔀 镜头顺序已调整"),
    "transition": ("✨ Transition: {before} → {after}", "✨ 转场：{before} → {after}"),
    "duration": ("⏱ Duration: {before} → {after}", "⏱ 时长：{before} → {after}"),
    "format": ("📐 Format: {before} → {after}", "📐 画幅：{before} → {after}"),
    "music_added": ("🎵 Music added: {label} ({span})", "🎵 已添加音乐：{label}（{span}）"),
    "music_removed": ("🔇 Music removed: {label}", "🔇 已移除音乐：{label}"),
    "music_changed": ("🎵 Music changed: {before} → {after}", "🎵 音乐已更换：{before} → {after}"),
    "music_volume": ("🔊 Music volume: {before} → {after}", "🔊 音乐音量：{before} → {after}"),
    "title_added": ('✅ Title added: "{text}" ({span})', "✅ 已添加标题：“{text}”（{span}）"),
    "title_changed": ('✏️ Title changed: "{before}" → "{after}"', "✏️ 标题已修改：“{before}” → “{after}”"),
    "title_removed": ('🗑 Title removed: "{text}"', "🗑 已删除标题：“{text}”"),
    "captions_added": ("💬 Captions added: {texts}", "💬 已添加字幕：{texts}"),
    "captions_removed": ("🗑 Captions removed: {texts}", "🗑 已删除字幕：{texts}"),
}
CHANGE_WORDS: dict[str, dict[str, str]] = {
    lang: {key: pair[n] for key, pair in _WORDS.items()} for n, lang in enumerate(("en", "zh"))
}


def lang_of(lang: str | None) -> str:
    """Language key of CHANGE_WORDS: "zh", "zh-CN", "zh-hans" → "zh"; anything else → "en"."""
    return "zh" if (lang or "").lower().startswith("zh") else "en"


# --- reading a draft defensively -------------------------------------------------------------


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _meta(obj: Any) -> dict[str, Any]:
    m = obj.get("m") if isinstance(obj, dict) else None
    return m if isinstance(m, dict) else {}


def _first(obj: dict[str, Any], *keys: str) -> Any:
    return next((obj[k] for k in keys if obj.get(k) not in (None, "")), None)


def _tracks(draft: Any) -> list[dict[str, Any]]:
    tracks = draft.get("t") if isinstance(draft, dict) else None
    return [t for t in tracks if isinstance(t, dict)] if isinstance(tracks, list) else []


def _segments(track: dict[str, Any]) -> list[dict[str, Any]]:
    sg = track.get("sg")
    segs = [s for s in sg if isinstance(s, dict)] if isinstance(sg, list) else []
    return sorted(segs, key=lambda s: _start(s))


def _kind(track: dict[str, Any]) -> int | None:
    tt = _num(track.get("tt"))
    return int(tt) if tt is not None else None


def _start(seg: dict[str, Any]) -> float:
    return _num(_first(seg, "st", "start", "s")) or 0.0


def _end(seg: dict[str, Any]) -> float:
    length = _num(_first(seg, "d", "duration"))
    if length is None:
        end = _num(_first(seg, "end", "e"))
        return end if end is not None else _start(seg)
    return _start(seg) + length


def _basename(src: str) -> str:
    path = src.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or path


def _label(seg: dict[str, Any]) -> str | None:
    m = _meta(seg)
    for value in (_first(m, "name", "title", "text"), _first(seg, "txt", "text", "name")):
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            return " ".join(str(value).split())
    src = _first(m, "src", "url") or _first(seg, "src", "url")
    return _basename(src) if isinstance(src, str) and src.strip() else None


def _text(seg: dict[str, Any]) -> str | None:
    m = _meta(seg)
    value = _first(m, "text", "title", "name") or _first(seg, "txt", "text", "name")
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _volume(seg: dict[str, Any]) -> int | None:
    vol = _num(_first(seg, "vol", "volume"))
    if vol is None:
        vol = _num(_first(_meta(seg), "vol", "volume"))
    if vol is None or vol < 0:
        return None
    return round(vol * 100) if vol <= 1 else round(min(vol, 100))


def _secs(ms: float) -> str:
    s = round(ms / 1000, 1)
    return str(int(s)) if s == int(s) else str(s)


def _span(segs: list[dict[str, Any]]) -> str:
    if not segs:
        return "0-0s"
    return f"{_secs(min(_start(s) for s in segs))}-{_secs(max(_end(s) for s in segs))}s"


def _quote(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _texts_by_role(draft: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Text segments split into (titles, captions). The studio marks roles; a cloud text without
    a role is a title when it is the first text and starts within the first second."""
    segs = [s for s in _of(draft, 7) if _text(s)]
    if any(_meta(s).get("role") for s in segs):
        titles = [s for s in segs if _meta(s).get("role") == "title"]
    else:
        titles = segs[:1] if segs and _start(segs[0]) < 1000 else []
    return titles, [s for s in segs if not any(s is t for t in titles)]


# --- summary ---------------------------------------------------------------------------------


def _track_line(track: dict[str, Any], words: dict[str, str]) -> str | None:
    segs = _segments(track)
    if not segs:
        return None
    kind = _kind(track)
    if kind == 7:
        roles = {_meta(s).get("role") for s in segs}
        name = words["title"] if roles <= {"title"} or len(segs) == 1 else words["text"]
        if roles == {"caption"}:
            name = words["captions"]
        quoted = _quoted([t for s in segs if (t := _text(s))], words)
        return f"{name}{words['colon']}{quoted} ({_span(segs)})"
    labels = [lab for s in segs if (lab := _label(s))]
    if kind == 1:
        vol = _volume(segs[0])
        extra = f", {vol}%" if vol is not None else ""
        label = words["sep"].join(dict.fromkeys(labels)) or words["music"]
        return f"{words['bgm']}{words['colon']}{label} ({_span(segs)}{extra})"
    name = words["video"] if kind == 0 else words["track_n"].format(tt=kind)
    return f"{name}{words['colon']}{_names(segs, words)} ({_span(segs)})"


def _quoted(texts: list[str], words: dict[str, str]) -> str:
    shown = words["sep"].join(words["quoted"].format(text=_quote(t)) for t in texts[:3])
    return shown + (words["more"].format(n=len(texts) - 3) if len(texts) > 3 else "")


def summarize(draft: Draft, lang: str = "en") -> str | None:
    """The draft's one-line summary, or None when there is nothing on the timeline yet."""
    words = CHANGE_WORDS[lang_of(lang)]
    try:
        lines = [line for t in _tracks(draft) if (line := _track_line(t, words))]
    except Exception:  # a draft shape nobody foresaw must not break the status command
        log.exception("cannot summarize a draft")
        return None
    if not lines:
        return None
    items = " ".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    head = words["timeline"].format(n=len(lines), tracks=words["tracks" if len(lines) != 1 else "track"])
    return head + items


def is_exportable(draft: Draft) -> bool:
    """Ready to export: at least one track with at least one segment."""
    return any(isinstance(t.get("sg"), list) and t["sg"] for t in _tracks(draft))


def digest(draft: Draft) -> str:
    """A stable hash of the draft (key order does not matter)."""
    raw = json.dumps(draft, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# --- changes ---------------------------------------------------------------------------------


def _of(draft: Any, kind: int) -> list[dict[str, Any]]:
    """All segments of the tracks of one type (0 visual, 1 audio, 7 text)."""
    return [s for t in _tracks(draft) if _kind(t) == kind for s in _segments(t)]


def _total(draft: Any) -> float:
    total = _num(draft.get("d")) if isinstance(draft, dict) else None
    if total:
        return total
    ends = [_end(s) for t in _tracks(draft) for s in _segments(t)]
    return max(ends, default=0.0)


def _aspect(draft: Any) -> str | None:
    m = _meta(draft)
    if isinstance(m.get("aspect"), str) and m["aspect"]:
        return str(m["aspect"])
    w, h = _num(m.get("width")), _num(m.get("height"))
    if w and h:
        return _SIZES.get((int(w), int(h)), f"{int(w)}x{int(h)}")
    return None


def _transition(draft: Any) -> str | None:
    segs = _of(draft, 0)
    kinds = []
    for seg in segs[1:]:
        tr = _meta(seg).get("transition")
        kind = tr.get("type") if isinstance(tr, dict) else tr
        if isinstance(kind, str) and kind:
            kinds.append(kind)
    if kinds:
        return kinds[0] if len(set(kinds)) == 1 else None
    glob = _meta(draft).get("transition")
    return glob if isinstance(glob, str) and glob and len(segs) > 1 else None


def _shot_key(seg: dict[str, Any]) -> str:
    src = _first(_meta(seg), "src", "url") or _first(seg, "src", "url")
    return str(src or _label(seg) or seg.get("id") or "?")


def _names(segs: list[dict[str, Any]], words: dict[str, str]) -> str:
    """Up to four labels, then "+N more" (unlabelled segments only counted)."""
    labels = [lab for s in segs if (lab := _label(s))]
    if not labels:
        return words["clips"].format(n=len(segs))
    rest = len(segs) - min(4, len(labels))
    return words["sep"].join(labels[:4]) + (words["more"].format(n=rest) if rest else "")


def describe_changes(before: Draft, after: Draft, lang: str = "en") -> list[str]:
    """What changed from `before` to `after`, one line each (empty when nothing visible did)."""
    if not isinstance(after, dict):
        return []
    words = CHANGE_WORDS[lang_of(lang)]
    try:
        return _changes(before if isinstance(before, dict) else {}, after, words)
    except Exception:  # an odd draft must not break the turn: the caller falls back to a summary
        log.exception("cannot compare drafts")
        return []


def _changes(before: dict[str, Any], after: dict[str, Any], words: dict[str, str]) -> list[str]:
    out: list[str] = []
    w = words
    v0, v1 = _of(before, 0), _of(after, 0)
    if v1 and not v0:
        out.append(w["video_created"].format(label=_names(v1, w), span=_span(v1)))
    elif v0 or v1:
        k0, k1 = [_shot_key(s) for s in v0], [_shot_key(s) for s in v1]
        added = list((Counter(k1) - Counter(k0)).elements())
        removed = list((Counter(k0) - Counter(k1)).elements())
        if added:
            out.append(w["shots_added"].format(labels=_names([s for s in v1 if _shot_key(s) in added], w)))
        if removed:
            gone = [s for s in v0 if _shot_key(s) in removed]
            out.append(w["shots_removed"].format(labels=_names(gone, w)))
        if not added and not removed and k0 != k1:
            out.append(w["shots_reordered"])
        t0, t1 = _transition(before), _transition(after)
        if t0 and t1 and t0 != t1:
            out.append(w["transition"].format(before=t0, after=t1))
        d0, d1 = _total(before), _total(after)
        if d0 and d1 and _secs(d0) != _secs(d1):
            out.append(w["duration"].format(before=f"{_secs(d0)}s", after=f"{_secs(d1)}s"))
    a0, a1 = _aspect(before), _aspect(after)
    if a0 and a1 and a0 != a1:
        out.append(w["format"].format(before=a0, after=a1))
    out += _music_changes(_of(before, 1), _of(after, 1), w)
    out += _text_changes(before, after, w)
    return out


def _music_changes(m0: list[dict[str, Any]], m1: list[dict[str, Any]], w: dict[str, str]) -> list[str]:
    name0 = (_label(m0[0]) or w["music"]) if m0 else None
    name1 = (_label(m1[0]) or w["music"]) if m1 else None
    if m1 and not m0:
        vol = _volume(m1[0])
        span = _span(m1) + (f", {vol}%" if vol is not None else "")
        return [w["music_added"].format(label=name1, span=span)]
    if m0 and not m1:
        return [w["music_removed"].format(label=name0)]
    if not m0 or not m1:
        return []
    out = []
    if name0 != name1:
        out.append(w["music_changed"].format(before=name0, after=name1))
    v0, v1 = _volume(m0[0]), _volume(m1[0])
    if v0 is not None and v1 is not None and v0 != v1:
        out.append(w["music_volume"].format(before=f"{v0}%", after=f"{v1}%"))
    return out


def _text_changes(before: dict[str, Any], after: dict[str, Any], w: dict[str, str]) -> list[str]:
    out = []
    (t0, c0), (t1, c1) = _texts_by_role(before), _texts_by_role(after)
    title0, title1 = (_text(t0[0]) if t0 else None), (_text(t1[0]) if t1 else None)
    if title1 and not title0:
        out.append(w["title_added"].format(text=_quote(title1), span=_span(t1[:1])))
    elif title0 and not title1:
        out.append(w["title_removed"].format(text=_quote(title0)))
    elif title0 and title1 and title0 != title1:
        out.append(w["title_changed"].format(before=_quote(title0), after=_quote(title1)))
    caps0 = Counter(t for s in c0 if (t := _text(s)))
    caps1 = Counter(t for s in c1 if (t := _text(s)))
    for key, counter in (("captions_added", caps1 - caps0), ("captions_removed", caps0 - caps1)):
        if texts := list(counter.elements()):
            out.append(w[key].format(texts=_quoted(texts, w)))
    return out
