"""The studio with its real director and renderer: photos + a sentence → a real MP4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from common.ffmpeg import probe
from tests.fixtures_studio import RunningStudio, StudioMedia


def events(raw: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in raw.split("\n") if line.startswith("data: ")]


async def test_a_photo_damaged_after_its_upload_fails_its_render_with_a_clear_message(
    studio: RunningStudio, studio_media: StudioMedia
) -> None:
    # a corrupt photo is refused at upload (test_studio_uploads); one that breaks on disk later
    # still fails its render with a message naming it
    user = await studio.user()
    sid = await user.new_session()
    assert (await user.upload(sid, studio_media.corrupt_jpeg))["code"] == 4003
    uploaded = await user.upload(sid, studio_media.photos[0])
    stored = studio.settings.data_dir / "studio" / "media" / uploaded["data"]["files"][0]["cdn_url"].split(
        "/media/", 1)[1]
    stored.write_bytes(studio_media.corrupt_jpeg.read_bytes())
    reply = events((await user.chat(sid, "make a 5 second video")).text)
    assert reply[-1]["content"]["parts"][0]["text"]
    draft = (await user.state(sid))["data"]["state"]["draft"]
    assert draft is not None
    r = await user.http.post("/api/render/proxy/lambda", json={"id": "render_broken", "sessionId": sid,
                                                              "draft": draft})
    assert r.json()["code"] == 0
    data = await studio.poll_render(user, "render_broken")
    assert data["status"] == "failed"
    assert "aurora-front.jpg" in data["error"], data["error"]
    assert "Traceback" not in data["error"] and "/" not in data["error"]
    assert (await studio.http().get("/healthz")).json() == {"ok": True}


@pytest.mark.slow
async def test_photos_and_a_sentence_become_a_downloadable_1080p_mp4(
    studio: RunningStudio, studio_media: StudioMedia, tmp_path: Path
) -> None:
    user = await studio.user()
    sid = await user.new_session()
    assert (await user.upload(sid, *studio_media.photos))["code"] == 0

    turn = await user.chat(sid, "make a 6 second vertical video of my Aurora bottle")
    evs = events(turn.text)
    assert any("functionCall" in e.get("content", {}).get("parts", [{}])[0] for e in evs)
    final = evs[-1]
    assert "partial" not in final and "6-second" in final["content"]["parts"][0]["text"]
    credits = await user.credits()
    assert credits["available"] < 100

    draft = (await user.state(sid))["data"]["state"]["draft"]
    assert draft["m"]["aspect"] == "9:16" and draft["d"] == 6000
    submit = await user.http.post("/api/render/proxy/lambda", json={
        "id": "render_e2e", "sessionId": sid, "draft": draft, "output": {"format": "mp4", "quality": "high"}})
    assert submit.json()["data"]["status"] == "pending"
    data = await studio.poll_render(user, "render_e2e", limit=120)
    assert data["status"] == "completed", data
    assert await user.credits() == credits  # export is free

    video = tmp_path / "out.mp4"
    download = await user.http.get("/api/render/proxy/render_e2e/download")
    assert download.status_code == 200
    video.write_bytes(download.content)
    assert len(download.content) == data["output"]["size"]
    info = probe(video)
    assert info.video_codec == "h264" and (info.width, info.height) == (1080, 1920), info
    assert info.audio and info.audio_codec == "aac", info
    assert info.duration is not None and abs(info.duration - 6.0) < 0.2, info
