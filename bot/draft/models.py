"""The draft as the bot reads it: `Draft` → `Track` (a named `TrackKind`) → `Segment`.

Drafts come from the NemoVideo cloud (whose keys inside a segment are not published) or from the
studio (docs/studio-draft.md). Both share the outer keys of shared/spec/nemo-api.md ("State"): `t`
tracks, `tt` the track's kind (`common.draft.TrackKind`: 0 visual, 1 music, 7 text, the studio's 2
voice), `sg` segments, `d` duration in ms, `m` metadata. `Draft.read` is a tolerant reader: inside a
segment the start comes from `st`/`start`/`s`, the length from `d`/`duration` (else an `end`/`e`),
the label from `m.name`/`m.title`/`m.text`/`txt`/`text`/`name`/the `src` basename, the volume from
`vol`/`volume`/`m.volume`; a key it does not know, or a value of an odd type, is skipped, never an
error. Times are milliseconds.

The wire form stays the backend's: `Draft.wire` is the dict exactly as it came, what an export
submits and what the digest (`Draft.digest`, the change detector kept in the user's record) hashes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from common.draft import TrackKind, track_kind

__all__ = ["Draft", "Segment", "Track", "TrackKind"]

_SIZES = {(1920, 1080): "16:9", (1080, 1920): "9:16", (1080, 1080): "1:1"}


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(obj: dict[str, Any], *keys: str) -> Any:
    return next((obj[k] for k in keys if obj.get(k) not in (None, "")), None)


def _words(value: Any) -> str | None:
    """A text value with its white space folded; None for anything that is not text worth showing."""
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        return " ".join(str(value).split())
    return None


def _basename(src: str) -> str:
    path = src.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or path


class Segment(BaseModel):
    """One item on a track: a shot, a music bed, a title or caption."""

    model_config = ConfigDict(frozen=True)

    start: float = 0.0
    end: float = 0.0
    label: str | None = None  # what to call it in a summary: a name, a title, a file name
    text: str | None = None  # the words of a text segment
    volume: int | None = None  # percent, for music
    role: str | None = None  # the studio's role of a text: title, caption, ...
    transition: str | None = None  # the transition into this shot
    source: str | None = None  # `src`/`url`: what the shot shows
    id: str | None = None

    @property
    def key(self) -> str:
        """What identifies the shot when two drafts are compared."""
        return self.source or self.label or self.id or "?"

    @classmethod
    def read(cls, raw: dict[str, Any]) -> Segment:
        meta = _dict(raw.get("m"))
        start = _num(_first(raw, "st", "start", "s")) or 0.0
        length = _num(_first(raw, "d", "duration"))
        if length is None:
            end = _num(_first(raw, "end", "e"))
            end = end if end is not None else start
        else:
            end = start + length
        src = _first(meta, "src", "url") or _first(raw, "src", "url")
        source = src if isinstance(src, str) and src.strip() else None
        label = _words(_first(meta, "name", "title", "text")) or _words(_first(raw, "txt", "text", "name"))
        if label is None and source is not None:
            label = _basename(source)
        text = _first(meta, "text", "title", "name") or _first(raw, "txt", "text", "name")
        transition = meta.get("transition")
        kind = transition.get("type") if isinstance(transition, dict) else transition
        role = meta.get("role")
        seg_id = raw.get("id")
        return cls(
            start=start,
            end=end,
            label=label,
            text=" ".join(text.split()) if isinstance(text, str) and text.strip() else None,
            volume=_volume(raw, meta),
            role=role if isinstance(role, str) and role else None,
            transition=kind if isinstance(kind, str) and kind else None,
            source=source,
            id=str(seg_id) if isinstance(seg_id, str | int) and not isinstance(seg_id, bool) else None,
        )


def _volume(raw: dict[str, Any], meta: dict[str, Any]) -> int | None:
    vol = _num(_first(raw, "vol", "volume"))
    if vol is None:
        vol = _num(_first(meta, "vol", "volume"))
    if vol is None or vol < 0:
        return None
    return round(vol * 100) if vol <= 1 else round(min(vol, 100))


class Track(BaseModel):
    """One track: its kind (None when the wire number is not a kind this code knows) and its
    segments in time order."""

    model_config = ConfigDict(frozen=True)

    kind: TrackKind | None = None
    number: int | None = None  # `tt` as sent (named in a summary when the kind is unknown)
    segments: tuple[Segment, ...] = ()

    @classmethod
    def read(cls, raw: dict[str, Any]) -> Track:
        tt = _num(raw.get("tt"))
        number = int(tt) if tt is not None else None
        sg = raw.get("sg")
        segments = [Segment.read(s) for s in sg if isinstance(s, dict)] if isinstance(sg, list) else []
        segments.sort(key=lambda s: s.start)
        return cls(kind=track_kind(number), number=number, segments=tuple(segments))


class Draft(BaseModel):
    """A draft, read defensively (see the module docstring); `wire` keeps it as the backend sent it."""

    model_config = ConfigDict(frozen=True)

    tracks: tuple[Track, ...] = ()
    duration: float | None = None  # `d`, when given
    aspect: str | None = None  # "16:9", or "WxH" from `m.width`/`m.height`
    transition: str | None = None  # the draft-wide transition (`m.transition`)
    wire: dict[str, Any] = Field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, raw: object) -> Draft | None:
        """The draft in `raw` (a backend's `state.draft`); None when there is none."""
        if not isinstance(raw, dict):
            return None
        listed = raw.get("t")
        tracks = [Track.read(t) for t in listed if isinstance(t, dict)] if isinstance(listed, list) else []
        meta = _dict(raw.get("m"))
        glob = meta.get("transition")
        return cls(
            tracks=tuple(tracks),
            duration=_num(raw.get("d")) or None,
            aspect=_aspect(meta),
            transition=glob if isinstance(glob, str) and glob else None,
            wire=raw,
        )

    def segments(self, kind: TrackKind) -> list[Segment]:
        """Every segment of the tracks of one kind, track by track, each in time order."""
        return [s for t in self.tracks if t.kind is kind for s in t.segments]

    @property
    def exportable(self) -> bool:
        """Ready to export: at least one track with at least one segment."""
        return any(t.segments for t in self.tracks)

    @property
    def total(self) -> float:
        """Its length in ms: `d`, else where its last segment ends."""
        if self.duration:
            return self.duration
        return max((s.end for t in self.tracks for s in t.segments), default=0.0)

    @property
    def digest(self) -> str:
        return digest(self)


def _aspect(meta: dict[str, Any]) -> str | None:
    if isinstance(meta.get("aspect"), str) and meta["aspect"]:
        return str(meta["aspect"])
    w, h = _num(meta.get("width")), _num(meta.get("height"))
    if w and h:
        return _SIZES.get((int(w), int(h)), f"{int(w)}x{int(h)}")
    return None


def digest(draft: Draft | None) -> str:
    """A stable hash of the draft as the backend sent it (key order does not matter)."""
    wire = draft.wire if draft is not None else None
    raw = json.dumps(wire, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]
