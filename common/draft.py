"""The outer shape of a NemoVideo draft that both products read: track kinds by name.

A draft is `{"d": ms, "m": {...}, "t": [{"tt": <kind>, "sg": [segments]}]}`. The cloud publishes the
track kinds 0 (video), 1 (audio) and 7 (text); the studio adds 2 (a voice-over). Readers skip a kind
they do not know. What sits inside a segment is each backend's own (the studio's: `studio.draft`).
"""

from __future__ import annotations

from enum import IntEnum


class TrackKind(IntEnum):
    VISUAL = 0  # photos, clips, colour cards
    MUSIC = 1  # the background music (the cloud's "BGM" track)
    VOICE = 2  # a spoken voice-over (the studio's own kind)
    TEXT = 7  # titles, captions, calls to action, free text


TRACK_ORDER: tuple[TrackKind, ...] = (TrackKind.VISUAL, TrackKind.MUSIC, TrackKind.VOICE, TrackKind.TEXT)
"""Paint order, and the order tracks are listed in a draft."""


def track_kind(value: object) -> TrackKind | None:
    """The kind of a track's `tt`, or None for a kind this code does not know."""
    try:
        return TrackKind(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
