"""Bad input becomes a RenderError a user can read: it names the file, and nothing is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.render.render import RenderError, render_draft
from tests.fixtures_render import draft, still


def test_corrupt_jpeg_is_reported_by_its_file_name(tmp_path: Path) -> None:
    bad = tmp_path / "upload-1.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 50)
    d = draft([still("asset://x", "front.jpg", 1000)])
    with pytest.raises(RenderError, match=r"^photo front\.jpg could not be decoded$"):
        render_draft(d, {"asset://x": bad}, tmp_path / "out.mp4")
    assert not list(tmp_path.glob("out.mp4*"))


def test_truncated_jpeg_is_reported(sample_photos: list[Path], tmp_path: Path) -> None:
    half = tmp_path / "half.jpg"
    data = sample_photos[0].read_bytes()
    half.write_bytes(data[: len(data) // 2])
    d = draft([still("asset://ok", "fine.jpg", 1000), still("asset://x", "side.jpg", 1000)])
    with pytest.raises(RenderError, match=r"side\.jpg could not be decoded"):
        render_draft(d, {"asset://ok": sample_photos[1], "asset://x": half}, tmp_path / "out.mp4")


def test_missing_photo_is_reported(tmp_path: Path) -> None:
    d = draft([still("asset://gone", "front.jpg", 1000)])
    with pytest.raises(RenderError, match=r"photo front\.jpg is missing"):
        render_draft(d, {"asset://gone": tmp_path / "nope.jpg"}, tmp_path / "out.mp4")
    with pytest.raises(RenderError, match=r"photo front\.jpg is missing"):
        render_draft(d, {}, tmp_path / "out.mp4")


def test_a_video_clip_that_is_not_a_video_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "clip.mp4"
    fake.write_text("hello")
    d = draft([still("asset://v", "unboxing.mp4", 1000, kind="video")])
    with pytest.raises(RenderError, match=r"video clip unboxing\.mp4 could not be decoded"):
        render_draft(d, {"asset://v": fake}, tmp_path / "out.mp4")


def test_an_empty_draft_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="empty"):
        render_draft({"d": 0, "m": {}, "t": []}, {}, tmp_path / "out.mp4")
    with pytest.raises(RenderError):
        render_draft("nonsense", {}, tmp_path / "out.mp4")  # type: ignore[arg-type]
