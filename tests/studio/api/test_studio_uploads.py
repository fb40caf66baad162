"""Uploads: multipart streamed to disk, type by content, size capped while streaming, names sanitised,
every file verified on receipt (bombs, truncated photos, garbage clips), an album keeps its good files."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import struct
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import pytest

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


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A valid, zero-filled RGBA PNG, built without ever holding its pixels: one deflate block of
    1 MB of zeros (byte-aligned by a full flush, so it stands alone) repeated. 13300x13300 is 177
    megapixels, 707 MB decoded, and under 700 KB on the wire."""
    raw = height * (1 + 4 * width)  # each row: filter byte 0, then RGBA zeros
    block = 1 << 20
    n, rest = divmod(raw, block)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = co.compress(b"\0" * block) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(b"\0" * rest) + co.flush()
    adler = ((raw % 65521) << 16) | 1  # adler32 of `raw` zero bytes
    idat = b"\x78\xda" + one * n + last + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def peak_rss() -> Iterator[dict[str, int]]:
    """This process's resident memory sampled every 5 ms: `peak` growth over the start."""
    seen = {"start": _rss(), "peak": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            seen["peak"] = max(seen["peak"], _rss() - seen["start"])

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        done.set()
        thread.join()


async def post_files(user: StudioUser, sid: str, *files: tuple[str, bytes]) -> httpx.Response:
    return await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}",
                                files=[("files", item) for item in files])


@pytest.fixture(scope="module")
def faulty_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Files that look right from their first bytes and are not: made once for the module."""
    d = tmp_path_factory.mktemp("faulty")
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    song = d / "song.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                    "-c:a", "aac", "-b:a", "32k", str(song)], check=True, timeout=60)
    clip = d / "clip.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "1",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                    "-movflags", "+faststart", str(clip)], check=True, timeout=60)
    clip_bytes = clip.read_bytes()
    mdat = clip_bytes.find(b"mdat")
    return {
        "bomb.png": bomb_png(13300, 13300),
        "garbage.mp4": clip_bytes[:32] + bytes((i * 131 + 7) % 256 for i in range(20000)),
        "cut.mp4": clip_bytes[: mdat + 64],  # the header says 1 s; the frames are missing
        "song.mp4": song.read_bytes(),
    }


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


async def test_an_album_keeps_its_good_files_and_names_the_bad_ones(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    photo = studio_media.photos[0].read_bytes()
    r = await post_files(user, sid, ("good.jpg", photo), ("notes.txt", b"plain text is not a video" * 10),
                         ("candle.jpg", photo[: len(photo) * 6 // 10]),
                         ("clip.mp4", studio_media.video.read_bytes()))
    body = r.json()
    assert r.status_code == 200 and body["code"] == 0, body
    assert [f["filename"] for f in body["data"]["files"]] == ["good.jpg", "clip.mp4"]
    assert body["data"]["rejected"] == [
        {"filename": "notes.txt", "code": 4001, "message": body["data"]["rejected"][0]["message"]},
        {"filename": "candle.jpg", "code": 4003, "message": "candle.jpg is damaged or incomplete."},
    ]
    assert "notes.txt" in body["data"]["rejected"][0]["message"]
    assert [a["name"] for a in (await user.state(sid))["data"]["state"]["assets"]] == ["good.jpg", "clip.mp4"]
    assert len(media_files(data_dir)) == 2  # nothing of the refused files stays on disk


async def test_when_every_file_is_bad_the_upload_is_refused_naming_each(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    r = await post_files(user, sid, ("broken.jpg", studio_media.corrupt_jpeg.read_bytes()),
                         ("readme.png", b"not a picture at all, just words" * 4))
    body = r.json()
    assert body["code"] == 4003
    assert body["message"].startswith("None of the 2 files could be added.")
    assert "broken.jpg is damaged or incomplete." in body["message"] and "readme.png" in body["message"]
    assert [(x["filename"], x["code"]) for x in body["data"]["rejected"]] == [("broken.jpg", 4003),
                                                                              ("readme.png", 4001)]
    assert media_files(data_dir) == []
    assert (await user.state(sid))["data"]["state"]["assets"] == []


async def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(
    make_studio: StudioFactory, faulty_media: dict[str, bytes], data_dir: Path
) -> None:
    # 688 KB on the wire, 177 megapixels (707 MB) if decoded: six at once must not move memory
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    bomb = faulty_media["bomb.png"]
    assert len(bomb) < 1024 * 1024
    await post_files(user, sid, ("warm-up.png", bomb))  # the first request of a studio costs a little
    started = time.monotonic()
    with peak_rss() as memory:
        answers = await asyncio.gather(*(post_files(user, sid, (f"poster{i}.png", bomb)) for i in range(6)))
    elapsed = time.monotonic() - started
    for i, r in enumerate(answers):
        body = r.json()
        assert body["code"] == 4004, body
        assert body["message"] == (f"poster{i}.png is too large: 13300x13300 pixels (177 megapixels); "
                                   "the limit is 50.")
    assert memory["peak"] < 60 * MB, f"memory grew by {memory['peak'] / MB:.0f} MB"
    assert elapsed < 10
    assert media_files(data_dir) == []


async def test_a_photo_over_the_configured_pixel_limit_is_refused(make_studio: StudioFactory,
                                                                 studio_media: StudioMedia) -> None:
    studio = await make_studio(max_image_megapixels=1.5)  # aurora-front is 1600x1200 = 1.9 MP
    user = await studio.user()
    sid = await user.new_session()
    body = (await post_files(user, sid, ("front.jpg", studio_media.photos[0].read_bytes()))).json()
    assert body["code"] == 4004 and body["message"].startswith("front.jpg is too large: 1600x1200 pixels")


@pytest.mark.parametrize(("name", "why"), [("garbage.mp4", "no moov atom"), ("cut.mp4", "frames missing")])
async def test_a_clip_that_does_not_decode_is_refused(
    make_studio: StudioFactory, faulty_media: dict[str, bytes], name: str, why: str
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    body = (await post_files(user, sid, (name, faulty_media[name]))).json()
    message = f"{name} is damaged or incomplete."
    rejected = [{"filename": name, "code": 4003, "message": message}]
    assert body == {"code": 4003, "message": message, "data": {"files": [], "rejected": rejected}}, why


async def test_a_sound_only_mp4_is_kept_as_audio(make_studio: StudioFactory,
                                                faulty_media: dict[str, bytes]) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    body = (await post_files(user, sid, ("song.mp4", faulty_media["song.mp4"]))).json()
    (f,) = body["data"]["files"]
    assert f["file_type"] == "audio" and abs(f["duration"] - 2.0) < 0.2 and "width" not in f


async def test_a_clip_or_song_over_the_length_limit_is_refused(make_studio: StudioFactory,
                                                              studio_media: StudioMedia) -> None:
    studio = await make_studio(max_media_seconds=2.5)
    user = await studio.user()
    sid = await user.new_session()
    r = await post_files(user, sid, ("tone.wav", studio_media.audio.read_bytes()),
                         ("clip.mp4", studio_media.video.read_bytes()))
    body = r.json()
    assert [f["filename"] for f in body["data"]["files"]] == ["clip.mp4"]  # 2 s
    assert body["data"]["rejected"] == [{"filename": "tone.wav", "code": 4005,
                                         "message": "tone.wav is too long: 0:03; the limit is 0:02."}]


async def test_more_files_than_the_limit_refuse_the_whole_upload(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    studio = await make_studio(max_files_per_upload=2)
    user = await studio.user()
    sid = await user.new_session()
    body = (await post_files(user, sid, *[(p.name, p.read_bytes()) for p in studio_media.photos])).json()
    assert body["code"] == 4006 and "at most 2" in body["message"]
    assert media_files(data_dir) == []


async def test_stored_files_are_private_whatever_the_umask(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    old = os.umask(0)
    try:
        body = (await post_files(user, sid, ("front.jpg", studio_media.photos[0].read_bytes()))).json()
    finally:
        os.umask(old)
    assert body["code"] == 0
    (stored,) = media_files(data_dir)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    for folder in (stored.parent, stored.parent.parent, stored.parent.parent.parent):  # user, media, studio
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


async def test_a_150_mb_upload_streams_to_disk_with_flat_memory(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    studio = await make_studio(max_upload_mb=200)
    user = await studio.user()
    sid = await user.new_session()
    clip = studio_media.video.read_bytes()  # a real 2 s clip, then a 150 MB `free` box (players skip it)
    head = clip + struct.pack(">I4s", 8 + 150 * MB, b"free")
    body = CountingBody("long.mp4", head, total_mb=150)
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
    assert stored.stat().st_size == len(head) + 150 * MB


async def test_upload_without_files_or_with_another_content_type_is_422(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    empty = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("other", ("x.jpg", b"x"))])
    assert empty.status_code == 422 and empty.json()["code"] == 422
    text = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", content=b"hello",
                                headers={"Content-Type": "text/plain"})
    assert text.json()["code"] == 422


async def test_a_corrupt_or_truncated_jpeg_is_refused_by_name(make_studio: StudioFactory,
                                                              studio_media: StudioMedia) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    photo = studio_media.photos[1].read_bytes()
    for name, data in (("broken.jpg", studio_media.corrupt_jpeg.read_bytes()),
                       ("candle.jpg", photo[: len(photo) // 2])):
        body = (await post_files(user, sid, (name, data))).json()
        assert (body["code"], body["message"]) == (4003, f"{name} is damaged or incomplete."), body
    whole = (await post_files(user, sid, ("candle.jpg", photo))).json()
    assert whole["code"] == 0 and whole["data"]["rejected"] == []
