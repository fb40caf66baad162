"""probe / thumbnail / probe_video on real files made with ffmpeg (fixture: tests/fixtures_media.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PIL import Image

from bot.channel.events import VideoFile
from bot.channel.media import THUMB_MAX_BYTES, MediaError, probe, probe_video, thumbnail

pytestmark = pytest.mark.timeout(120)


async def test_probe_reads_size_length_and_bytes_of_a_video(media_dir: Path) -> None:
    path = media_dir / "landscape.mp4"
    info = await probe(path)
    assert (info.width, info.height) == (640, 360)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.size == path.stat().st_size
    assert info.codec == "h264"
    assert info.has_audio


async def test_probe_reports_a_rotated_phone_video_as_it_is_displayed(media_dir: Path) -> None:
    info = await probe(media_dir / "portrait.mp4")
    assert (info.width, info.height) == (360, 640)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("notes.txt", "not a video"),
        ("photo.jpg", "image"),
        ("audio.m4a", "not a video"),
        ("empty.mp4", "empty"),
        ("missing.mp4", "no such file"),
    ],
)
async def test_a_file_that_is_not_a_video_raises_a_clear_media_error(
    media_dir: Path, name: str, words: str
) -> None:
    with pytest.raises(MediaError, match=words) as err:
        await probe(media_dir / name)
    assert name in str(err.value)
    assert "Traceback" not in str(err.value)


async def test_thumbnail_is_a_small_jpeg_of_the_frame_at_one_second(media_dir: Path, tmp_path: Path) -> None:
    dest = await thumbnail(media_dir / "red_then_blue.mp4", tmp_path / "thumb.jpg")
    assert dest == tmp_path / "thumb.jpg"
    with Image.open(dest) as img:
        assert img.format == "JPEG"
        assert max(img.size) <= 320
        r, _g, b = img.convert("RGB").getpixel((img.width // 2, img.height // 2))  # type: ignore[misc]
    assert b > 150 and r < 100  # blue: taken after the red first 0.8 s, not the first frame


async def test_thumbnail_of_a_full_hd_video_is_320_wide_and_under_200_kb(
    media_dir: Path, tmp_path: Path
) -> None:
    dest = await thumbnail(media_dir / "big.mp4", tmp_path / "big.jpg")
    with Image.open(dest) as img:
        assert img.size == (320, 180)
    assert dest.stat().st_size < THUMB_MAX_BYTES


async def test_thumbnail_of_a_very_short_video_uses_its_middle(media_dir: Path, tmp_path: Path) -> None:
    dest = await thumbnail(media_dir / "short.mp4", tmp_path / "short.jpg")
    with Image.open(dest) as img:
        assert img.size == (320, 240)  # never scaled up


async def test_thumbnail_of_a_rotated_video_is_upright(media_dir: Path, tmp_path: Path) -> None:
    dest = await thumbnail(media_dir / "portrait.mp4", tmp_path / "portrait.jpg")
    with Image.open(dest) as img:
        assert img.width < img.height
        assert max(img.size) <= 320


async def test_probe_video_gives_everything_send_video_needs(media_dir: Path, tmp_path: Path) -> None:
    video = await probe_video(media_dir / "landscape.mp4", tmp_path / "thumbs")
    assert isinstance(video, VideoFile)
    assert (video.width, video.height) == (640, 360)
    assert video.duration == pytest.approx(2.0, abs=0.1)
    assert video.size == (media_dir / "landscape.mp4").stat().st_size
    assert video.thumbnail is not None and video.thumbnail.parent == tmp_path / "thumbs"
    assert video.thumbnail.stat().st_size > 0


async def test_probe_video_refuses_a_text_file(media_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError):
        await probe_video(media_dir / "notes.txt", tmp_path)


async def test_several_probes_run_concurrently(media_dir: Path) -> None:
    names = ["landscape.mp4", "short.mp4", "portrait.mp4", "big.mp4"]
    infos = await asyncio.gather(*(probe(media_dir / n) for n in names))
    assert [(i.width, i.height) for i in infos] == [(640, 360), (320, 240), (360, 640), (1920, 1080)]
