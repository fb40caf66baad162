"""Video clips (trimmed, framed, with their own sound), the user's own song beat-tracked, and a
render that is cancelled midway leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from common.ffmpeg import ffmpeg_exe
from studio.render.render import RenderCancelled, prepare, render_draft
from studio.render.timeline import ClipScene
from tests.fixtures_render import draft, read_frames, still
from tests.studio.render.measure import audio_of, loudness

pytestmark = pytest.mark.slow


def _clip(path: Path) -> Path:
    """A 4:3 clip: two seconds red, then two seconds blue, with a 440 Hz tone."""
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=red:s=640x480:r=25:d=2",
            "-f",
            "lavfi",
            "-i",
            "color=blue:s=640x480:r=25:d=2",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=4",
            "-filter_complex",
            "[0][1]concat=n=2[v]",
            "-map",
            "[v]",
            "-map",
            "2:a",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            "-y",
            str(path),
        ],
        check=True,
    )
    return path


def _song(path: Path, bpm: float = 120.0, seconds: float = 8.0) -> Path:
    """Clicks on every beat over a low tone: a song with an unmistakable tempo."""
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    x = 0.1 * np.sin(2 * np.pi * 110 * t)
    for k in range(int(seconds * bpm / 60)):
        a = int(k * 60 / bpm * rate)
        n = min(2400, len(x) - a)
        x[a : a + n] += 0.6 * np.sin(2 * np.pi * 1000 * t[:n]) * np.exp(-t[:n] * 60)
    from studio.render import audio

    return audio.write_wav(path, np.stack([x, x], axis=1).astype(np.float32))


def test_a_clip_is_trimmed_framed_and_heard(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "clip.mp4")
    seg = still("asset://v", "unboxing.mp4", 1500, kind="video", vol=1.0)
    seg["m"]["in"] = 2000
    d = draft([seg])
    result = render_draft(d, {"asset://v": clip}, tmp_path / "out.mp4")
    frames = read_frames(result.path, 1920, 1080, scale=(192, 108))
    assert len(frames) == 45
    # trimmed: the red first half is skipped; the blue clip shows (in its layout) on every frame
    assert all(((np.abs(f.astype(int) - [0, 0, 255]).max(axis=-1)) < 60).mean() > 0.4 for f in frames)
    sound = audio_of(result.path)[:, 0]
    assert np.sqrt(np.mean(sound[4800:-4800] ** 2)) > 0.05  # its own tone, mastered


def test_the_users_own_song_sets_the_cut_grid(sample_photos: list[Path], tmp_path: Path) -> None:
    song = _song(tmp_path / "song.wav")
    d = draft(
        [still("asset://p", "lid.jpg", 4000), still("asset://q", "front.jpg", 4000)], music="asset://song"
    )
    plan, _ = prepare(d, {"asset://p": sample_photos[2], "asset://q": sample_photos[0], "asset://song": song})
    assert abs(plan.grid.tempo_bpm - 120) < 3
    beats = np.array(plan.grid.beats)
    for cut in plan.cut_frames:
        assert np.min(np.abs(beats - cut / 30)) <= 1 / 30 + 0.02


def _children() -> set[int]:
    me = os.getpid()
    out: set[int] = set()
    for task in Path(f"/proc/{me}/task").iterdir():
        try:
            out |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return {
        p
        for p in out
        if Path(f"/proc/{p}").exists() and "zombie" not in Path(f"/proc/{p}/status").read_text().lower()
    }


def test_a_cancelled_render_stops_ffmpeg_and_leaves_no_file(
    sample_photos: list[Path], tmp_path: Path
) -> None:
    clip = _clip(tmp_path / "clip.mp4")
    d = draft(
        [
            still("asset://p", "lid.jpg", 6000),
            still("asset://v", "clip.mp4", 3000, kind="video"),
            still("asset://q", "front.jpg", 6000),
        ],
        music="synth://calm",
    )
    stop = threading.Event()
    seen: list[float] = []

    def progress(pct: float) -> None:
        seen.append(pct)
        if pct > 10:
            stop.set()

    before = _children()
    out = tmp_path / "out" / "cancelled.mp4"
    started = time.monotonic()
    with pytest.raises(RenderCancelled):
        render_draft(
            d,
            {"asset://p": sample_photos[2], "asset://q": sample_photos[0], "asset://v": clip},
            out,
            progress=progress,
            should_stop=stop,
        )
    assert time.monotonic() - started < 30
    assert max(seen) < 90  # stopped midway, not at the end
    assert _children() <= before  # no ffmpeg (encoder or clip decoder) left running
    assert not out.exists() and not list(out.parent.glob("*"))
    assert not [t for t in threading.enumerate() if t.name.startswith("render-")]


def test_a_short_render_stops_on_its_timeout(sample_photos: list[Path], tmp_path: Path) -> None:
    d = draft([still("asset://p", "lid.jpg", 8000)])
    with pytest.raises(RenderCancelled, match="too long"):
        render_draft(d, {"asset://p": sample_photos[2]}, tmp_path / "t.mp4", timeout=0.5)
    assert not list(tmp_path.glob("t.mp4*"))


def test_a_music_only_promo_is_at_the_platforms_loudness(sample_photos: list[Path], tmp_path: Path) -> None:
    d = draft([still("asset://p", "lid.jpg", 3000)], music="synth://lofi")
    d["t"][1]["sg"][0]["m"]["vol"] = 0.35
    result = render_draft(d, {"asset://p": sample_photos[2]}, tmp_path / "m.mp4")
    lufs, peak = loudness(result.path)
    assert -15 <= lufs <= -13 and peak <= -1.0, (lufs, peak)
    assert isinstance(prepare(d, {"asset://p": sample_photos[2]})[0].shots[0].scene, ClipScene) is False


def test_a_render_cancelled_while_its_soundtrack_is_mixed_leaves_no_process(
    sample_photos: list[Path], tmp_path: Path
) -> None:
    d = draft([still("asset://p", "lid.jpg", 8000)], music="synth://upbeat")
    before = _children()
    calls = {"n": 0}

    def stop() -> bool:  # false through the analysis, true while the soundtrack is being made
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(RenderCancelled):
        render_draft(d, {"asset://p": sample_photos[2]}, tmp_path / "s.mp4", should_stop=stop)
    deadline = time.monotonic() + 5
    while _children() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _children() - before  # the soundtrack's process was killed and reaped
    assert not list(tmp_path.glob("s.mp4*"))
