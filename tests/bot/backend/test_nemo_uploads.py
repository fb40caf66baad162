"""Uploads and downloads against the fake server: bytes identical, checks before sending, streaming."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from bot.backend.client import NemoClient
from bot.backend.errors import FileTooLarge, NemoError, UnsupportedFile
from bot.testing.fakenemo import FakeNemo
from tests.fixtures_nemo import fast_client

MIB = 1024 * 1024


@pytest.fixture
async def account(nemo_client: NemoClient) -> tuple[str, str]:
    tok = await nemo_client.anonymous_token("client-uploads")
    info = await nemo_client.create_session(tok.token, "en")
    return tok.token, info.session_id


def jpeg(path: Path, colour: str = "red") -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def sparse(path: Path, head: bytes, size: int) -> Path:
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


async def test_several_files_arrive_byte_identical_in_one_request(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path,
    fake_nemo_mp4: bytes,
) -> None:
    photo = jpeg(tmp_path / "front.jpg")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(fake_nemo_mp4)
    result = await nemo_client.upload_files(account[0], account[1], [photo, clip])
    assert [(f.filename, f.file_type) for f in result.files] == [
        ("front.jpg", "image"), ("clip.mp4", "video"),
    ]
    (req,) = fake_nemo.requests_to("/api/upload-video/*")
    assert req.path == f"/api/upload-video/nemo_agent/me/{account[1]}"
    assert [(f.field, f.filename, f.content_type) for f in req.files] == [
        ("files", "front.jpg", "image/jpeg"), ("files", "clip.mp4", "video/mp4"),
    ]
    assert req.files[0].data == photo.read_bytes()
    assert req.files[1].data == fake_nemo_mp4
    assert int(req.headers["content-length"]) > len(fake_nemo_mp4)  # length known, not chunked


async def test_uploaded_file_is_served_back_at_its_cdn_url(
    nemo_client: NemoClient, account: tuple[str, str], tmp_path: Path
) -> None:
    import httpx

    photo = jpeg(tmp_path / "p.jpg", "blue")
    result = await nemo_client.upload_files(account[0], account[1], [photo])
    async with httpx.AsyncClient() as plain:
        got = await plain.get(result.files[0].cdn_url or "")
    assert got.content == photo.read_bytes()


async def test_a_file_named_wrongly_is_sent_with_the_extension_of_its_content(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "file_1234")
    odd = jpeg(tmp_path / "really-a-photo.mp4")
    await nemo_client.upload_files(account[0], account[1], [photo, odd])
    (req,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [f.filename for f in req.files] == ["file_1234.jpg", "really-a-photo.jpg"]


@pytest.mark.parametrize("content", [b"%PDF-1.7 not media", b"", b"plain text pretending\n" * 10])
async def test_unsupported_content_is_refused_before_sending(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "video.mp4"  # the name says video; the content decides
    bad.write_bytes(content)
    good = jpeg(tmp_path / "ok.jpg")
    with pytest.raises(UnsupportedFile) as info:
        await nemo_client.upload_files(account[0], account[1], [good, bad])
    assert "mp4" in str(info.value) and "jpg" in str(info.value)  # lists the accepted types
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_file_over_the_limit_is_refused_before_sending(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path
) -> None:
    huge = sparse(tmp_path / "huge.mp4", MP4_HEAD, 200 * MIB + 1)
    with pytest.raises(FileTooLarge) as info:
        await nemo_client.upload_files(account[0], account[1], [huge])
    assert info.value.code == 4002
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_configured_limit_is_applied(fake_nemo: FakeNemo, tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "a.jpg")
    async with fast_client(fake_nemo.url, max_upload_bytes=100) as client:
        with pytest.raises(FileTooLarge):
            await client.upload_files("nmv_usr_whatever", "1", [photo])
    assert fake_nemo.requests == []


async def test_missing_file_is_a_nemo_error_and_nothing_is_sent(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path
) -> None:
    with pytest.raises(NemoError):
        await nemo_client.upload_files(account[0], account[1], [tmp_path / "gone.jpg"])
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_large_upload_is_streamed_from_disk_not_held_in_memory(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path
) -> None:
    size = 48 * MIB
    big = sparse(tmp_path / "big.mp4", MP4_HEAD, size)
    fake_nemo.keep_upload_bytes = 0  # the fake keeps only size and hash
    tracemalloc.start()
    try:
        await nemo_client.upload_files(account[0], account[1], [big])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * MIB, f"peak {peak / MIB:.1f} MiB while uploading a {size // MIB} MiB file"
    (req,) = fake_nemo.requests_to("/api/upload-video/*")
    digest = hashlib.sha256()
    with big.open("rb") as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)
    assert (req.files[0].size, req.files[0].sha256) == (size, digest.hexdigest())


async def test_url_upload_sends_the_urls_as_json(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    urls = ["https://example.com/a.jpg", "https://example.com/b.mp4"]
    result = await nemo_client.upload_urls(account[0], account[1], urls)
    (req,) = fake_nemo.requests_to("/api/upload-video/*")
    assert req.json == {"urls": urls, "source_type": "url"}
    assert [f.file_type for f in result.files] == ["image", "video"]


# --- downloads -----------------------------------------------------------------------------------

async def finished_render(client: NemoClient, account: tuple[str, str], render_id: str) -> str:
    await client.submit_render(account[0], account[1], {"t": [{"tt": 0, "sg": [{"st": 0}]}]}, render_id)
    job = await client.poll_render(account[0], render_id)
    while not job.done:
        job = await client.poll_render(account[0], render_id)
    assert job.url
    return job.url


async def test_download_streams_the_render_to_disk(
    nemo_client: NemoClient, account: tuple[str, str], tmp_path: Path, fake_nemo_mp4: bytes
) -> None:
    url = await finished_render(nemo_client, account, "render_dl")
    path = await nemo_client.download(account[0], url, "render_dl", tmp_path / "out" / "v.mp4")
    assert path.read_bytes() == fake_nemo_mp4
    assert not (tmp_path / "out" / "v.mp4.part").exists()


async def test_download_falls_back_to_the_proxy_when_the_url_fails(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path,
    fake_nemo_mp4: bytes,
) -> None:
    url = await finished_render(nemo_client, account, "render_fb")
    fake_nemo.fail_next("/files/*", status=403, body="<Error>AccessDenied</Error>")
    path = await nemo_client.download(account[0], url, "render_fb", tmp_path / "v.mp4")
    assert path.read_bytes() == fake_nemo_mp4
    (proxy,) = fake_nemo.requests_to("/api/render/proxy/render_fb/download")
    assert proxy.headers["authorization"] == f"Bearer {account[0]}"


async def test_download_of_a_non_video_answer_falls_back(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path,
    fake_nemo_mp4: bytes,
) -> None:
    url = await finished_render(nemo_client, account, "render_html")
    fake_nemo.fail_next("/files/*", status=200, body="<html>sign in</html>")
    path = await nemo_client.download(account[0], url, "render_html", tmp_path / "v.mp4")
    assert path.read_bytes() == fake_nemo_mp4


async def test_download_without_url_uses_the_proxy(
    nemo_client: NemoClient, account: tuple[str, str], tmp_path: Path, fake_nemo_mp4: bytes
) -> None:
    await finished_render(nemo_client, account, "render_nourl")
    path = await nemo_client.download(account[0], None, "render_nourl", tmp_path / "v.mp4")
    assert path.read_bytes() == fake_nemo_mp4


async def test_download_from_another_host_carries_no_token(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path,
    fake_nemo_mp4: bytes,
) -> None:
    url = await finished_render(nemo_client, account, "render_cdn")
    cdn_url = url.replace("127.0.0.1", "localhost")  # same server, another host name: a "CDN"
    await nemo_client.download(account[0], cdn_url, "render_cdn", tmp_path / "v.mp4")
    (req,) = fake_nemo.requests_to("/files/render_cdn.mp4")
    assert "authorization" not in req.headers
    assert (tmp_path / "v.mp4").read_bytes() == fake_nemo_mp4


async def test_download_failing_everywhere_raises_and_leaves_no_file(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], tmp_path: Path
) -> None:
    url = await finished_render(nemo_client, account, "render_gone")
    fake_nemo.fail_next("/files/*", status=404)
    fake_nemo.fail_next("/api/render/proxy/*/download", status=404)
    with pytest.raises(NemoError):
        await nemo_client.download(account[0], url, "render_gone", tmp_path / "v.mp4")
    assert not (tmp_path / "v.mp4").exists() and not (tmp_path / "v.mp4.part").exists()
