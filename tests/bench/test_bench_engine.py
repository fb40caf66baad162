"""The engine bench measures what it says: a small real run, the edit-rate verdict, the markers."""

from __future__ import annotations

import math
import time

import httpx

from bench.engine.process import BackendProcess
from bench.engine.report import MARKER_RE, Options, Result, edit_rates, max_in_window, percentile
from bench.engine.run import run
from bot.channel.events import ChannelLimits, MessageRef
from bot.testing import RecordingReply


async def test_small_run_completes_every_turn_and_keeps_the_edit_limit() -> None:
    result = await run(Options(users=6, events=12, interval_ms=20, turns=2, channel_latency_ms=10))

    assert (result.turns_done, result.errors) == (12, 0), result.error_samples
    assert result.latencies.markers_missing == 0
    assert len(result.latencies.events) == 6 * 12 * 2 and len(result.latencies.finals) == 12
    assert result.max_edits_per_window == 1 and result.throttle_ok and result.passed
    assert 0 < percentile(result.latencies.events, 50) < 2.0
    assert result.idle_user_bytes > 0 and result.stored_user_bytes > result.idle_user_bytes
    assert result.backend["turns_done"] == 12 and result.backend["streams_max"] <= 6
    assert any("PASS" in line for line in result.lines())


async def test_backend_streams_stamped_partials_then_the_whole_text() -> None:
    backend = await BackendProcess.start(events=3, interval_ms=10)
    try:
        async with httpx.AsyncClient(base_url=backend.url, timeout=10) as http:
            tok = (await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c1"})).json()
            auth = {"Authorization": f"Bearer {tok['data']['token']}"}
            session = await http.post("/api/tasks/me/with-session/nemo_agent", headers=auth,
                                      json={"task_name": "project", "language": "en"})
            sid = session.json()["data"]["session_id"]
            body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                    "new_message": {"parts": [{"text": "hi"}]}}
            answer = await http.post("/run_sse", headers=auth, json=body)
            unknown = await http.post("/run_sse", headers=auth, json={**body, "session_id": "nope"})
    finally:
        await backend.stop()

    events = [line for line in answer.text.split("\n\n") if line.startswith("data: ")]
    assert len(events) == 4 and events[-1].count('"partial"') == 0
    final = MARKER_RE.findall(events[-1])
    assert [(t, w) for t, w, _ in final] == [("1", "e0"), ("1", "e1"), ("1", "e2"), ("1", "end")]
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Session not found"}


async def test_two_edits_within_a_second_are_reported_as_a_failure() -> None:
    chat = RecordingReply(ChannelLimits(edit_interval=1.0), chat_id="c0", clock=time.time)
    ref: MessageRef = await chat.send_text("one")
    await chat.edit_text(ref, "one two")
    await chat.edit_text(ref, "one two three")
    result = Result(Options(users=1, events=1, turns=1, channel_latency_ms=0, edit_interval=1.0))

    result.max_edits_per_window, result.max_texts_per_window = edit_rates([chat], {})

    assert (result.max_edits_per_window, result.max_texts_per_window) == (2, 3)
    assert not result.throttle_ok and not result.passed
    assert any("FAIL" in line for line in result.lines())


def test_window_is_half_open_and_percentiles_interpolate() -> None:
    assert max_in_window([0.0, 1.0, 2.0]) == 1  # exactly one interval apart: never two at once
    assert max_in_window([0.0, 0.5, 0.99, 1.2]) == 3
    assert max_in_window([]) == 0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert math.isnan(percentile([], 95))
