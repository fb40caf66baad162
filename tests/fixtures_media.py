"""Small media files made with ffmpeg once per test run (see tests/test_media.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from common.ffmpeg import ffmpeg_exe


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120)


X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """landscape.mp4 (2 s 640x360 testsrc + sine), short.mp4 (0.4 s), portrait.mp4 (landscape
    with a 90° display rotation), red_then_blue.mp4 (red for 0.8 s, then blue), big.mp4 (1920x1080
    noise), audio.m4a, photo.jpg, notes.txt, empty.mp4."""
    d = tmp_path_factory.mktemp("media")
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x360:rate=30:duration=2",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2", *X264, "-c:a", "aac", "-shortest",
            str(d / "landscape.mp4"))  # fmt: skip
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=0.4", *X264, str(d / "short.mp4"))
    _ffmpeg("-display_rotation", "90", "-i", str(d / "landscape.mp4"), "-c", "copy", str(d / "portrait.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:size=320x240:rate=30:duration=0.8",
            "-f", "lavfi", "-i", "color=c=blue:size=320x240:rate=30:duration=1.7",
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", *X264,
            str(d / "red_then_blue.mp4"))  # fmt: skip
    noise = "nullsrc=size=1920x1080:rate=30:duration=1.5,geq=lum='random(1)*255':cb=128:cr=128"
    _ffmpeg("-f", "lavfi", "-i", noise, *X264, "-crf", "10", str(d / "big.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", str(d / "audio.m4a"))
    Image.new("RGB", (800, 600), (200, 30, 30)).save(d / "photo.jpg", "JPEG")
    (d / "notes.txt").write_text("not a video at all\n" * 50)
    (d / "empty.mp4").write_bytes(b"")
    return d


def bomb_png(path: Path, side: int = 13300) -> Path:
    """A zero-filled side×side RGBA PNG: 688 KB on disk for 13300², 707 MB once inflated (issue 11)."""
    import struct
    import zlib

    row = b"\x00" * (1 + side * 4)
    packer = zlib.compressobj(9)
    parts = [packer.compress(row * min(200, side - i)) for i in range(0, side, 200)]
    parts.append(packer.flush())

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts))
                     + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="session")
def bad_media(tmp_path_factory: pytest.TempPathFactory, media_dir: Path) -> Path:
    """Files a user may send that must be refused by name: candle.jpg (a JPEG cut at 40 %),
    garbage.mp4 (an MP4 header, then noise), poster.png (a 688 KB decompression bomb, 13300²),
    and the good ones next to them: front.jpg (a real photo), clip.mp4 (2 s, 640x360)."""
    import os

    d = tmp_path_factory.mktemp("bad-media")
    photo = d / "front.jpg"
    Image.effect_noise((1200, 900), 60).convert("RGB").save(photo, "JPEG", quality=90)
    data = photo.read_bytes()
    (d / "candle.jpg").write_bytes(data[: len(data) * 2 // 5])
    (d / "garbage.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(50_000))
    bomb_png(d / "poster.png")
    (d / "clip.mp4").write_bytes((media_dir / "landscape.mp4").read_bytes())
    return d
