"""Request bodies are bounded while they are read: a huge chat message costs the studio nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.fixtures_studio import ScriptedDirector, ScriptedTurn, StudioFactory

MB = 1024 * 1024


def turn_body(sid: str, text: str) -> bytes:
    return json.dumps({"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                       "new_message": {"parts": [{"text": text}]}}).encode()


async def healthz_times(url: str, until: asyncio.Future[Any]) -> list[float]:
    """How long each /healthz took, asked every 50 ms while `until` runs."""
    times: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while not until.done():
            started = time.monotonic()
            assert (await http.get("/healthz")).json() == {"ok": True}
            times.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
    return times


async def test_a_1_mb_chat_message_is_refused_at_once_and_the_studio_stays_responsive(
    make_studio: StudioFactory,
) -> None:
    director = ScriptedDirector(ScriptedTurn(reply="ok"))
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session()
    huge = turn_body(sid, "make it pop " * (MB // 12))
    assert len(huge) > MB

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: judged while it arrives
        for i in range(0, len(huge), 64 * 1024):
            yield huge[i:i + 64 * 1024]
            await asyncio.sleep(0.01)

    declared = asyncio.ensure_future(user.http.post("/run_sse", content=huge,
                                                    headers={"Content-Type": "application/json"}))
    streamed = asyncio.ensure_future(user.http.post("/run_sse", content=chunked(),
                                                    headers={"Content-Type": "application/json"}))
    both = asyncio.ensure_future(asyncio.gather(declared, streamed, return_exceptions=True))
    times = await healthz_times(studio.url, both)
    for r in await both:
        assert isinstance(r, httpx.Response), r  # answered, not reset
        assert r.status_code == 413
        assert r.json() == {"code": 4007, "message": "Request too large: the limit is 32 KB.", "data": None}
    assert times and max(times) < 0.5, times
    assert director.seen == []  # the director never saw it

    small = await user.http.post("/run_sse", content=turn_body(sid, "make it pop"),
                                 headers={"Content-Type": "application/json"})
    assert small.status_code == 200 and "ok" in small.text


async def test_every_json_route_is_bounded(make_studio: StudioFactory) -> None:
    studio = await make_studio(max_request_kb=1)
    user = await studio.user()
    sid = await user.new_session()
    filler = "x" * 2000
    for path, body in (("/api/tasks/me/with-session/nemo_agent", {"task_name": filler}),
                       (f"/api/upload-video/nemo_agent/me/{sid}", {"urls": [f"https://example.com/{filler}"]})):
        r = await user.http.post(path, json=body)
        assert (r.status_code, r.json()["code"]) == (413, 4007), path
        assert "1 KB" in r.json()["message"]
