"""The render progress message: the percentage and an honest estimate of the time left.

    ⏳ 40% · about 25 s left          the backend's `eta_seconds` (the studio sends it)
    ⏳ 40% · about 2 min left         no `eta_seconds` (the cloud): the learnt pace (`store.paces`,
                                      seconds per second of video) times the video's length, blended
                                      with what the progress says as it grows (time so far ×
                                      (100 − p) / p), minus the time so far
    ⏳ Finishing… (92%) · a few seconds left   from 90 % on (the encoder's last pass and the move of
                                      the file: the percentage stands still there) — never a silent stall

Estimates are rounded (5 s steps under a minute, whole minutes above), so the message is edited
when what it says changes, not on every poll.
"""

from __future__ import annotations

import math

from bot.i18n import Lang, t

FINISHING_AT = 90  # percent


def estimate(
    *,
    progress: int,
    elapsed: float,
    backend_eta: float | None,
    pace: float | None,
    video_seconds: float | None,
) -> float | None:
    """Seconds left, or None when nothing honest can be said yet."""
    if backend_eta is not None:
        return backend_eta
    by_pace = pace * video_seconds - elapsed if pace is not None and video_seconds else None
    by_progress = elapsed * (100 - progress) / progress if progress >= 5 else None
    if by_pace is None and by_progress is None:
        return None
    if by_pace is None:
        return max(1.0, by_progress or 0.0)
    if by_progress is None:
        return max(1.0, by_pace)
    weight = progress / 100
    return max(1.0, weight * by_progress + (1 - weight) * by_pace)


def say_eta(lang: Lang, seconds: float) -> str:
    if seconds <= 10:
        return t(lang, "eta.few")
    rounded = 5 * math.ceil(seconds / 5)
    if rounded < 60:
        return t(lang, "eta.seconds", n=rounded)
    return t(lang, "eta.minutes", n=math.ceil(seconds / 60))


def progress_text(lang: Lang, percent: int, eta: float | None) -> str:
    """The progress line for `percent` with the time left (see the module docstring)."""
    finishing = percent >= FINISHING_AT
    if eta is None:
        return t(lang, "export.finishing", percent=percent) if finishing else t(
            lang, "export.progress", percent=percent
        )
    key = "export.finishing_eta" if finishing else "export.progress_eta"
    return t(lang, key, percent=percent, eta=say_eta(lang, eta))
