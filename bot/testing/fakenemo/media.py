"""A small valid MP4 (1 s, 320x240 testsrc + a sine tone) made with the imageio-ffmpeg binary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg


def make_test_mp4(path: Path) -> bytes:
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(path),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return path.read_bytes()
