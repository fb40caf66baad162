"""Render test helpers: sample photos, drafts, and reading MP4s back with the ffmpeg binary.

`ffmpeg -i` output is the probe (there is no ffprobe), frames come back as raw RGB through a pipe
into numpy, and the MP4's top-level atoms are read from the file itself.
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app.samples import make_sample_photos
from common.ffmpeg import ffmpeg_exe


@pytest.fixture(scope="session")
def sample_photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """aurora-front.jpg (4:3), aurora-side.jpg (3:4 portrait), aurora-lid.jpg (1:1)."""
    return make_sample_photos(tmp_path_factory.mktemp("photos"))


def ffmpeg_info(path: Path) -> str:
    """What `ffmpeg -i` prints about a file."""
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, check=False)
    return done.stderr.decode("utf-8", "replace")


def count_frames(path: Path) -> int:
    """Decoded video frames in a file."""
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:v", "-f", "null", "-"],
                          capture_output=True, check=True)
    found = re.findall(r"frame=\s*(\d+)", done.stderr.decode())
    return int(found[-1])


def read_frames(path: Path, width: int, height: int, *, gray: bool = False,
                scale: tuple[int, int] | None = None) -> np.ndarray:
    """Every frame as a numpy array: (n, h, w, 3) RGB, or (n, h, w) gray; optionally downscaled."""
    w, h = scale or (width, height)
    vf = ["-vf", f"scale={w}:{h}:flags=area"] if scale else []
    fmt = "gray" if gray else "rgb24"
    done = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), *vf, "-f", "rawvideo",
                           "-pix_fmt", fmt, "-"], capture_output=True, check=True)
    data = np.frombuffer(done.stdout, np.uint8)
    return data.reshape((-1, h, w) if gray else (-1, h, w, 3))


def mp4_atoms(path: Path) -> list[str]:
    """The MP4's top-level atom types in file order."""
    atoms: list[str] = []
    data = path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        pos += size
    return atoms


def textured_photo(path: Path, size: tuple[int, int], seed: int = 3) -> Path:
    """A photo full of fine detail in every direction (for measuring motion)."""
    rng = np.random.default_rng(seed)
    w, h = size
    small = rng.integers(0, 256, (h // 6 + 1, w // 6 + 1, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    img.save(path, quality=95)
    return path


def still(src: str, name: str, d: int, *, motion: str = "none", transition: str = "fade",
          tdur: int = 500, kind: str = "image", **extra: Any) -> dict[str, Any]:
    """One visual segment (st is filled in by `draft`)."""
    return {"id": name, "st": 0, "d": d, "m": {"src": src, "kind": kind, "name": name, "motion": motion,
                                              "transition": {"type": transition, "d": tdur}, **extra}}


def draft(visuals: list[dict[str, Any]], *, texts: list[dict[str, Any]] | None = None,
          music: str | None = None, aspect: str = "16:9") -> dict[str, Any]:
    """A studio draft from visual segments, following the timeline rule for `st` and `d`."""
    st = 0
    for n, seg in enumerate(visuals):
        trans = seg["m"].get("transition") or {}
        overlap = trans.get("d", 0) if n and trans.get("type") != "cut" else 0
        if n:
            st = visuals[n - 1]["st"] + visuals[n - 1]["d"] - overlap
        seg["st"] = st
    total = visuals[-1]["st"] + visuals[-1]["d"] if visuals else 3000
    tracks: list[dict[str, Any]] = [{"tt": 0, "sg": visuals}]
    if music:
        tracks.append({"tt": 1, "sg": [{"id": "a1", "st": 0, "d": total, "m": {
            "src": music, "name": "bed", "vol": 0.5, "fade_in": 300, "fade_out": 800}}]})
    if texts:
        tracks.append({"tt": 7, "sg": texts})
    return {"d": total, "m": {"title": "test", "aspect": aspect}, "t": tracks}


def text(text_: str, st: int, d: int, role: str = "caption", pos: str | None = None) -> dict[str, Any]:
    m: dict[str, Any] = {"text": text_, "role": role}
    if pos:
        m["pos"] = pos
    return {"id": f"x{st}", "st": st, "d": d, "m": m}
