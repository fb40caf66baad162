"""Reading the recorded chats: latencies from the markers, edit rates per 1-s window, the summary.

A marker `t<turn>e<i>@<unix time>` (or `t<turn>end@<unix time>` for the final event) is the time
the backend handed that event to its server; the first successful send or edit whose text holds
the marker is when the user saw it. Latency = that operation's return time − the marker's time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.testing import RecordingReply

MARKER_RE = re.compile(r"t(\d+)(e\d+|end)@(\d+\.\d+)")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def max_in_window(times: Iterable[float], window: float = 1.0) -> int:
    """The most of `times` that fall in any half-open window [t, t + window)."""
    ordered = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(ordered):
        while ordered[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@dataclass
class Latencies:
    """Event → screen latencies of every chat, and the final event's separately."""

    events: list[float] = field(default_factory=list)
    finals: list[float] = field(default_factory=list)
    markers_missing: int = 0  # events that never showed in any operation

    def add_chat(self, chat: RecordingReply, events_per_turn: int, turns: Iterable[int]) -> None:
        seen: dict[str, float] = {}
        for op in chat.done("send", "edit"):
            for turn, which, stamp in MARKER_RE.findall(op.text or ""):
                key = f"t{turn}{which}"
                if key not in seen:
                    seen[key] = op.ended - float(stamp)
        for turn in turns:
            for i in range(events_per_turn):
                lat = seen.get(f"t{turn}e{i}")
                if lat is None:
                    self.markers_missing += 1
                else:
                    self.events.append(lat)
            final = seen.get(f"t{turn}end")
            if final is None:
                self.markers_missing += 1
            else:
                self.finals.append(final)


def edit_rates(
    chats: Iterable[RecordingReply], since: dict[str, int], window: float = 1.0
) -> tuple[int, int]:
    """(most edits, most sends + edits) of any one chat in any `window`, from `since[chat]` on."""
    edits = texts = 0
    for chat in chats:
        ops = [o for o in chat.ops[since.get(chat.chat_id, 0):] if o.op in ("send", "edit")]
        edits = max(edits, max_in_window(o.started for o in ops if o.op == "edit"))
        texts = max(texts, max_in_window(o.started for o in ops))
    return edits, texts


def option(
    default: float | None, about: str, *, metavar: str | None = None, minimum: int | None = None
) -> Any:
    """One option of a run: its default, and how `--the-option` is explained on the command line."""
    return field(default=default, metadata={"help": about, "metavar": metavar, "minimum": minimum})


@dataclass(frozen=True)
class Options:
    """What one run does; each field is also an option of `python -m bench engine`."""

    users: int = option(200, "simulated users chatting at once", minimum=1)
    events: int = option(50, "partial text events per turn", minimum=1)
    interval_ms: float = option(40.0, "pace of the backend's events")
    turns: int = option(1, "chat turns per user, one after the other", minimum=1)
    channel_latency_ms: float = option(50.0, "round trip of each chat operation (a platform API call)")
    edit_interval: float = option(1.0, "the channel's seconds between edits (Telegram private chat: 1.0)")
    redis_max_connections: int | None = option(
        None, "the store's Redis pool size (default: as the bot builds it)", metavar="N")
    http_max_connections: int | None = option(
        None, "the NemoClient's connection pool size (default: as the bot builds it)", metavar="N")
    http_shards: int = option(  # more than 1: that many independent pools (bench.engine.transport)
        1, "spread the NemoClient's requests over K pools of N connections each", metavar="K", minimum=1)


@dataclass
class Result:
    """Everything one run of `options` measured (the runner fills it; `lines()` prints it)."""

    options: Options
    setup_seconds: float = 0.0
    chat_seconds: float = 0.0
    wall_seconds: float = 0.0
    turns_done: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    warnings: int = 0
    warning_samples: list[str] = field(default_factory=list)
    first_text: list[float] = field(default_factory=list)  # message sent → first text shown
    latencies: Latencies = field(default_factory=Latencies)
    max_edits_per_window: int = 0
    max_texts_per_window: int = 0
    edits_per_turn: float = 0.0
    idle_user_bytes: float = 0.0
    stored_user_bytes: float = 0.0
    redis_bytes_per_user: float = 0.0
    rss_base_mb: float = 0.0
    rss_peak_mb: float = 0.0
    bot_cpu_seconds: float = 0.0
    backend: dict[str, float] = field(default_factory=dict)
    cpus: int = 0
    load_before: float = 0.0  # 1-minute load average when the run started (others' work)

    @property
    def users(self) -> int:
        return self.options.users

    @property
    def edit_limit(self) -> float:
        return 1.0 / self.options.edit_interval

    @property
    def throttle_ok(self) -> bool:
        return self.max_edits_per_window <= self.edit_limit

    @property
    def passed(self) -> bool:
        expected = self.users * self.options.turns
        return self.throttle_ok and self.turns_done == expected and self.errors == 0

    @property
    def rss_per_user_kb(self) -> float:
        return (self.rss_peak_mb - self.rss_base_mb) * 1024 / self.users if self.users else 0.0

    def lines(self) -> list[str]:
        lat, ms, first, o = self.latencies, 1000.0, self.first_text, self.options
        expected, backend = o.users * o.turns, self.backend
        verdict = "PASS" if self.throttle_ok else "FAIL"
        out = [
            f"engine bench: {o.users} users × {o.turns} turn(s), {o.events} events/turn "
            f"every {o.interval_ms:g} ms; channel: edit interval {o.edit_interval:g} s, "
            f"{o.channel_latency_ms:g} ms per call; pools: Redis {_pool(o.redis_max_connections)}, "
            f"HTTP {_pool(o.http_max_connections, o.http_shards)}",
            f"turns completed      {self.turns_done} / {expected}   errors {self.errors}"
            f"   warnings logged {self.warnings}",
            f"event → edit latency p50 {percentile(lat.events, 50) * ms:.0f} ms   "
            f"p95 {percentile(lat.events, 95) * ms:.0f} ms   max {_max(lat.events) * ms:.0f} ms"
            f"   ({len(lat.events)} events, {lat.markers_missing} never shown)",
            f"message → first text p50 {percentile(first, 50) * ms:.0f} ms   "
            f"p95 {percentile(first, 95) * ms:.0f} ms   max {_max(first) * ms:.0f} ms",
            f"final event → final edit p50 {percentile(lat.finals, 50) * ms:.0f} ms   "
            f"p95 {percentile(lat.finals, 95) * ms:.0f} ms",
            f"edits per chat       max {self.max_edits_per_window} in any 1-s window (limit "
            f"{self.edit_limit:g}/s): {verdict}; sends+edits max {self.max_texts_per_window}; "
            f"{self.edits_per_turn:.1f} edits per turn",
            f"memory               {self.idle_user_bytes:.0f} B per stored idle user (MEMORY USAGE); "
            f"{self.stored_user_bytes:.0f} B per set-up user hash; "
            f"{self.redis_bytes_per_user:.0f} B of all keys per user",
            f"bot process RSS      {self.rss_base_mb:.1f} MB idle → {self.rss_peak_mb:.1f} MB peak: "
            f"{self.rss_per_user_kb:.0f} KB per active user; CPU {self.bot_cpu_seconds:.1f} s",
            f"backend              streams at once {backend.get('streams_max', 0):.0f}, "
            f"schedule lag mean {backend.get('mean_lag', 0) * ms:.1f} ms / "
            f"max {backend.get('max_lag', 0) * ms:.0f} ms, CPU {backend.get('cpu_seconds', 0):.1f} s",
            f"wall time            {self.wall_seconds:.1f} s (set-up {self.setup_seconds:.1f} s, "
            f"chat turns {self.chat_seconds:.1f} s) on {self.cpus} CPU cores, load average "
            f"{self.load_before:.1f} at the start",
        ]
        out += [f"  error: {e}" for e in self.error_samples]
        out += [f"  warning: {w}" for w in self.warning_samples]
        return out


def _max(values: Sequence[float]) -> float:
    return max(values, default=math.nan)


def _pool(size: int | None, shards: int = 1) -> str:
    if shards > 1:
        return f"{shards} pools of {size or 100} connections"
    return "as the bot builds it" if size is None else f"{size} connections"
