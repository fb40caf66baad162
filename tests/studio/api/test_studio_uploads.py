"""Uploads: multipart streamed to disk, type by content, size capped while streaming, names sanitised."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures_studio import StudioFactory, StudioMedia, StudioUser

BOUNDARY = "vbtestboundary7e3a"
MB = 1024 * 1024


class CountingBody:
    """A streamed multipart body with one `files` part; counts how much the server let us send."""

    def __init__(self, filename: str, head: bytes, total_mb: int) -> None:
        self.filename, self.head, self.total_mb = filename, head, total_mb
        self.sent = 0
        self._chunk = b"\0" * MB

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{self.filename}"\r\n'
               "Content-Type: application/octet-stream\r\n\r\n").encode()
        yield self.head
        for _ in range(self.total_mb):
            yield self._chunk
            self.sent += MB
            await asyncio.sleep(0)
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def raw_upload(base_url: str, path: str, token: str, body: CountingBody) -> tuple[dict[str, Any], int]:
    """Send a big upload over a plain socket, reading the answer WHILE sending (as curl does).

    Returns the JSON answer and how many bytes of file data the server let through before it
    answered and stopped reading.
    """
    url = httpx.URL(base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    length = 2000 + len(body.head) + body.total_mb * MB  # generous: the server must not wait for it all
    writer.write((f"POST {path} HTTP/1.1\r\nHost: {url.host}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n"
                  "\r\n").encode())

    async def send_all() -> None:
        async for chunk in body:
            writer.write(chunk)
            await writer.drain()

    async def read_answer() -> dict[str, Any]:
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += await reader.read(65536)
        head, _, rest = raw.partition(b"\r\n\r\n")
        size = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))
        while len(rest) < size:
            rest += await reader.read(65536)
        answer: dict[str, Any] = json.loads(rest[:size])
        return answer

    sender = asyncio.create_task(send_all())
    try:
        answer = await asyncio.wait_for(read_answer(), 30)
    finally:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        writer.close()
    return answer, body.sent


async def post_stream(user: StudioUser, sid: str, body: CountingBody) -> httpx.Response:
    return await user.http.post(
        f"/api/upload-video/nemo_agent/me/{sid}", content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


def media_files(data_dir: Path) -> list[Path]:
    root = data_dir / "studio" / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_photos_video_and_audio_upload_with_sizes_durations_and_public_urls(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    body = await user.upload(sid, *studio_media.photos, studio_media.video, studio_media.audio)
    assert body["code"] == 0, body
    data = body["data"]
    assert data["session_state_applied"] is True
    files = {f["filename"]: f for f in data["files"]}
    assert files["aurora-front.jpg"]["file_type"] == "image"
    assert (files["aurora-front.jpg"]["width"], files["aurora-front.jpg"]["height"]) == (1600, 1200)
    assert (files["aurora-side.jpg"]["width"], files["aurora-side.jpg"]["height"]) == (1080, 1440)
    assert files["clip.mp4"]["file_type"] == "video"
    assert (files["clip.mp4"]["width"], files["clip.mp4"]["height"]) == (320, 240)
    assert abs(files["clip.mp4"]["duration"] - 2.0) < 0.1
    assert files["tone.wav"]["file_type"] == "audio"
    assert abs(files["tone.wav"]["duration"] - 3.0) < 0.1
    assert "width" not in files["tone.wav"]

    # the CDN URL needs no auth and serves the very bytes
    anonymous = httpx.AsyncClient()
    try:
        served = await anonymous.get(files["aurora-front.jpg"]["cdn_url"])
    finally:
        await anonymous.aclose()
    assert served.status_code == 200
    assert served.content == studio_media.photos[0].read_bytes()
    assert served.headers["content-type"] == "image/jpeg"

    state = (await user.state(sid))["data"]["state"]
    assert [a["name"] for a in state["assets"]] == [
        "aurora-front.jpg", "aurora-side.jpg", "aurora-lid.jpg", "clip.mp4", "tone.wav"]
    assert state["assets"][3]["duration_ms"] == 2000
    assert [v["name"] for v in state["video_infos"]] == ["clip.mp4"]


async def test_media_urls_cannot_be_guessed_or_walked_out_of(make_studio: StudioFactory,
                                                             studio_media: StudioMedia) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    url = (await user.upload(sid, studio_media.photos[0]))["data"]["files"][0]["cdn_url"]
    key = url.rsplit("/", 1)[1].split("-", 1)[0]
    assert len(key) == 32  # 128 random bits
    http = studio.http()
    assert (await http.get(url.replace(key, "0" * 32))).status_code == 404
    for path in ("/media/..%2f..%2fredis.sock", "/media/../../etc/passwd", f"/media/{user.user_id}",
                 "/media/" + "%2e%2e/" * 4 + "etc/passwd"):
        r = await http.get(path)
        assert r.status_code == 404, path
        assert r.json()["code"] == 404


async def test_path_traversal_in_file_name_is_harmless(make_studio: StudioFactory, studio_media: StudioMedia,
                                                       data_dir: Path) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    jpeg = studio_media.photos[2].read_bytes()
    r = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}",
                             files=[("files", ("../../etc/passwd.jpg", jpeg)),
                                    ("files", ("..\\..\\win.ini.jpg", jpeg))])
    body = r.json()
    assert body["code"] == 0, body
    assert [f["filename"] for f in body["data"]["files"]] == ["passwd.jpg", "win.ini.jpg"]
    stored = media_files(data_dir)
    user_dir = (data_dir / "studio" / "media" / user.user_id).resolve()
    assert len(stored) == 2 and all(p.resolve().parent == user_dir for p in stored)
    assert not (data_dir / "etc").exists() and not (data_dir / "studio" / "etc").exists()


async def test_wrong_type_is_refused_from_its_first_bytes_and_the_rest_is_not_read(
    make_studio: StudioFactory, data_dir: Path
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    body = CountingBody("notes.jpg", b"#!/bin/sh\necho this is a script, not a photo\n" * 4, total_mb=300)
    answer, sent = await raw_upload(studio.url, f"/api/upload-video/nemo_agent/me/{sid}", user.token, body)
    assert answer["code"] == 4001
    assert "notes.jpg" in answer["message"]
    assert sent < 40 * MB  # answered at once; it stopped reading long before the 300 MB
    assert media_files(data_dir) == []
    assert (await user.state(sid))["data"]["state"]["assets"] == []


async def test_oversized_file_is_refused_while_streaming(make_studio: StudioFactory, data_dir: Path) -> None:
    studio = await make_studio(max_upload_mb=5)
    user = await studio.user()
    sid = await user.new_session()
    body = CountingBody("huge.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\0" * 100,
                        total_mb=300)
    answer, sent = await raw_upload(studio.url, f"/api/upload-video/nemo_agent/me/{sid}", user.token, body)
    assert answer["code"] == 4002 and "5 MB" in answer["message"]
    assert sent < 40 * MB
    assert media_files(data_dir) == []


async def test_refusal_reaches_a_client_that_reads_only_after_sending(make_studio: StudioFactory) -> None:
    # httpx (the bot's client) sends the whole body before reading: a small refused body still
    # gets its answer (the server drains a bounded amount before closing)
    studio = await make_studio(max_upload_mb=1)
    user = await studio.user()
    sid = await user.new_session()
    wrong = await post_stream(user, sid, CountingBody("a.jpg", b"GIF? no, text" * 10, total_mb=3))
    assert wrong.json()["code"] == 4001
    mp4_head = b"\x00\x00\x00\x18ftypmp42" + b"\0" * 60
    big = await post_stream(user, sid, CountingBody("b.mp4", mp4_head, total_mb=4))
    assert big.json()["code"] == 4002
    unauthorised = await studio.http("nmv_usr_" + "x" * 40).post(
        f"/api/upload-video/nemo_agent/me/{sid}", content=CountingBody("c.jpg", mp4_head, 2),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert unauthorised.status_code == 401 and unauthorised.json()["code"] == 1001


async def test_one_bad_file_refuses_the_whole_upload(make_studio: StudioFactory, studio_media: StudioMedia,
                                                     data_dir: Path) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    r = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[
        ("files", ("good.jpg", studio_media.photos[0].read_bytes())),
        ("files", ("bad.txt", b"plain text is not a video" * 10))])
    assert r.json()["code"] == 4001
    assert media_files(data_dir) == []


async def test_a_150_mb_upload_streams_to_disk_with_flat_memory(make_studio: StudioFactory,
                                                               data_dir: Path) -> None:
    studio = await make_studio(max_upload_mb=200)
    user = await studio.user()
    sid = await user.new_session()
    body = CountingBody("long.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\0" * 100,
                        total_mb=150)
    tracemalloc.start()
    try:
        r = await post_stream(user, sid, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.json()["code"] == 0, r.text
    assert r.json()["data"]["files"][0]["file_type"] == "video"
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"
    (stored,) = media_files(data_dir)
    assert stored.stat().st_size == 150 * MB + 124


async def test_upload_without_files_or_with_another_content_type_is_422(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    empty = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("other", ("x.jpg", b"x"))])
    assert empty.status_code == 422 and empty.json()["code"] == 422
    text = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", content=b"hello",
                                headers={"Content-Type": "text/plain"})
    assert text.json()["code"] == 422


async def test_corrupt_jpeg_is_accepted_at_upload(make_studio: StudioFactory,
                                                  studio_media: StudioMedia) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    body = await user.upload(sid, studio_media.corrupt_jpeg)
    assert body["code"] == 0
    assert body["data"]["files"][0]["file_type"] == "image"
