"""The storyboard route previews the session's draft as one JPEG; exporting an unchanged draft again
hands back the finished video at once instead of rendering it a second time."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from studio.api.state import set_draft
from tests.fixtures_studio import (
    RunningStudio,
    StudioFactory,
    StudioMedia,
    StudioUser,
    fake_render,
    image_draft,
)


async def _project(
    studio: RunningStudio, media: StudioMedia, n: int = 2
) -> tuple[StudioUser, str, list[str]]:
    user = await studio.user()
    sid = await user.new_session()
    files = (await user.upload(sid, *media.photos[:n]))["data"]["files"]
    return user, sid, [f["asset_id"] for f in files]


async def _export(user: StudioUser, sid: str, render_id: str, draft: dict[str, Any]) -> dict[str, Any]:
    body = {"id": render_id, "sessionId": sid, "draft": draft, "output": {"format": "mp4"}}
    r = await user.http.post("/api/render/proxy/lambda", json=body)
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_exporting_an_unchanged_draft_reuses_the_last_render(
    make_studio: StudioFactory, studio_media: StudioMedia, tmp_path: Path
) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await _project(studio, studio_media)
    log = tmp_path / "renders.log"
    draft = image_draft(assets) | {
        "m": {"title": "T", "aspect": "9:16", "fake_log": str(log), "fake_seconds": 0.3}
    }
    await _export(user, sid, "render_1", draft)
    first = await studio.poll_render(user, "render_1")
    assert first["status"] == "completed"

    again = await _export(user, sid, "render_2", draft)
    assert again["status"] == "completed" and again["progress"] == 100  # at once: no job ran
    assert again["output"]["url"] != first["output"]["url"]  # its own URL
    a = await user.http.get("/api/render/proxy/render_1/download")
    b = await user.http.get("/api/render/proxy/render_2/download")
    assert a.content == b.content
    assert len(log.read_text().splitlines()) == 1  # the renderer ran once

    changed = draft | {"m": draft["m"] | {"title": "Another title"}}
    await _export(user, sid, "render_3", changed)
    assert (await studio.poll_render(user, "render_3"))["status"] == "completed"
    assert len(log.read_text().splitlines()) == 2  # a changed draft renders again

    other_sid = await user.new_session()
    await _export(user, other_sid, "render_4", changed)  # another session of the same user
    assert (await studio.poll_render(user, "render_4"))["status"] == "completed"
    assert len(log.read_text().splitlines()) == 3


async def test_the_storyboard_route_previews_the_current_draft(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio(renderer=fake_render)
    user, sid, assets = await _project(studio, studio_media, 3)
    url = f"/api/storyboard/nemo_agent/me/{sid}/latest"

    empty = await user.http.get(url)
    assert empty.status_code == 404 and empty.json()["code"] == 4040 and empty.json()["message"]

    unknown = await user.http.get("/api/storyboard/nemo_agent/me/999/latest")
    assert unknown.status_code == 404 and unknown.json()["code"] == 1002

    anonymous = httpx.AsyncClient(base_url=studio.url)
    try:
        assert (await anonymous.get(url)).status_code == 401
    finally:
        await anonymous.aclose()

    draft = image_draft(assets)
    draft["d"] = 12000
    for n, seg in enumerate(draft["t"][0]["sg"]):
        seg["st"], seg["d"] = n * 4000, 4000
    draft["t"].append(
        {"tt": 7, "sg": [{"id": "x1", "st": 0, "d": 3000, "m": {"text": "Aurora", "role": "title"}}]}
    )
    await set_draft(studio.redis, sid, draft)
    started = time.monotonic()
    r = await user.http.get(url)
    took = time.monotonic() - started
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg", r.text[:200]
    sheet = Image.open(io.BytesIO(r.content))
    assert sheet.format == "JPEG" and sheet.width >= 800 and sheet.height >= 400
    assert took < 20  # about two seconds on a quiet machine
    again = time.monotonic()
    assert (await user.http.get(url)).content == r.content  # the same draft: the same sheet, cached
    assert time.monotonic() - again < took
