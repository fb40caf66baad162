"""Limits of a render draft, checked when a render is submitted (before anything is queued).

- size: the JSON of the draft within `max_draft_kb` (the submit body is bounded while it is read,
  `studio.api.app`; a session's own draft is measured here) → 4008;
- segments: all tracks together at most `max_draft_segments` → 4008;
- time: every segment's `st` and `d` finite and not negative (else 422), no segment longer or
  ending later than `max_video_seconds`, and the video as the renderer will make it (the draft's
  `d`, else the visual track's end, else the latest other segment) within it too → 4009.

A segment with `d = 1e9` would otherwise have the renderer synthesise a 4 GB music bed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from studio.api import errors


@dataclass(frozen=True)
class DraftLimits:
    max_bytes: int
    max_segments: int
    max_seconds: float


def _clock(ms: float) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise errors.invalid_request(f"The draft's {what} is not a valid time in ms.")
    return float(value)


def check_draft(draft: dict[str, Any], limits: DraftLimits) -> float:
    """Raise ApiError when the draft is over a limit; else its length in seconds."""
    size = len(json.dumps(draft, separators=(",", ":")))
    if size > limits.max_bytes:
        raise errors.draft_too_large(
            f"The draft is too large: {size // 1024} KB; the limit is {limits.max_bytes // 1024} KB.")
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        raise errors.invalid_request("The draft has no track list.")
    segments = [(t.get("tt"), s) for t in tracks if isinstance(t, dict) and isinstance(t.get("sg"), list)
                for s in t["sg"] if isinstance(s, dict)]
    if len(segments) > limits.max_segments:
        raise errors.draft_too_large(
            f"The draft has too many segments: {len(segments)}; the limit is {limits.max_segments}.")
    max_ms = limits.max_seconds * 1000
    visual_end = 0.0
    other_end = 0.0
    for n, (kind, seg) in enumerate(segments):
        label = f"segment {str(seg.get('id') or n + 1)[:40]}"
        start = _number(seg.get("st"), f"{label} start") or 0.0
        length = _number(seg.get("d"), f"{label} length") or 0.0
        if length > max_ms:
            raise errors.video_too_long(
                f"The draft's {label} is {_clock(length)} long; the limit is {_clock(max_ms)}.")
        if start + length > max_ms:
            raise errors.video_too_long(
                f"The draft's {label} ends at {_clock(start + length)}; the limit is {_clock(max_ms)}.")
        if kind == 0:
            meta: dict[str, Any] = seg["m"] if isinstance(seg.get("m"), dict) else {}
            trans: dict[str, Any] = meta["transition"] if isinstance(meta.get("transition"), dict) else {}
            overlap = (_number(trans.get("d"), f"{label} transition") or 0.0) if visual_end else 0.0
            visual_end += length - min(overlap, length)
        else:
            other_end = max(other_end, start + length)
    total = _number(draft.get("d"), "length") or visual_end or other_end
    if total > max_ms + 1000 / 30:  # a frame of rounding
        raise errors.video_too_long(
            f"The video would be {_clock(total)} long; the limit is {_clock(max_ms)}.")
    return total / 1000
