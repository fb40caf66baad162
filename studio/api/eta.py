"""The time estimate of a render poll answer: `elapsed_seconds` and `eta_seconds`.

Learnt from the studio's own recent renders: workers record each completed render's pace
(seconds of render wall time per second of video, `studio.metrics.record_pace`), and the estimate
is the median of the last 20 times the video's length (`DEFAULT_PACE` before any render).

- `elapsed_seconds`: whole seconds since the render was submitted (to its end once it ended).
- `eta_seconds`: whole seconds until it should be complete, at least 1 while it is pending or
  processing; 0 once completed; left out once failed. Pending: the expected render time (the
  time spent waiting for a free worker is not foreseen). Processing: the expected time left,
  blended, as the render advances, with what its progress so far says (progress p %: time so far
  × (100 − p) / p), so a render slower or faster than usual corrects the estimate as it goes.
"""

from __future__ import annotations

import math
import time
from typing import Any


def _f(job: dict[str, str], key: str) -> float:
    try:
        return float(job.get(key) or 0)
    except ValueError:
        return 0.0


def estimate(job: dict[str, str], pace: float, now: float | None = None) -> dict[str, Any]:
    """`{"elapsed_seconds": n, "eta_seconds": n}` (no `eta_seconds` for a failed render)."""
    now = time.time() if now is None else now
    created = _f(job, "created") or now
    status = job.get("status") or "pending"
    if status in ("completed", "failed"):
        elapsed = max(0, round((_f(job, "updated") or now) - created))
        return {"elapsed_seconds": elapsed} | ({"eta_seconds": 0} if status == "completed" else {})
    elapsed = max(0, round(now - created))
    expected = max(1.0, pace * _f(job, "duration_s"))
    eta = expected
    if status == "processing":
        run = max(0.0, now - (_f(job, "started") or now))
        by_pace = max(0.0, expected - run)
        progress = max(0.0, min(99.0, _f(job, "progress")))
        if progress >= 5:
            by_progress = run * (100 - progress) / progress
            weight = progress / 100
            eta = (1 - weight) * by_pace + weight * by_progress
        else:
            eta = by_pace
    return {"elapsed_seconds": elapsed, "eta_seconds": max(1, math.ceil(eta))}
