"""Video clips, colour cards, logos, the user's own audio, and the music bed in the rendered MP4."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from common.ffmpeg import ffmpeg_exe
from studio.render.render import render_draft
from tests.fixtures_render import count_frames, draft, ffmpeg_info, read_frames, still, text

pytestmark = pytest.mark.slow


def _clip(path: Path) -> Path:
    """A 4:3 clip: two seconds red, then two seconds blue, with a 440 Hz tone."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=red:s=640x480:r=25:d=2",
                    "-f", "lavfi", "-i", "color=blue:s=640x480:r=25:d=2", "-f", "lavfi", "-i",
                    "sine=f=440:d=4", "-filter_complex", "[0][1]concat=n=2[v]", "-map", "[v]", "-map", "2:a",
                    "-c:v", "libx264", "-c:a", "aac", "-y", str(path)], check=True)
    return path


def _audio(path: Path) -> np.ndarray:
    done = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                           "-ar", "48000", "-"], capture_output=True, check=True)
    return np.frombuffer(done.stdout, np.float32)


def test_video_clip_is_trimmed_and_covers_the_frame_with_its_sound(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "clip.mp4")
    seg = still("asset://v", "unboxing.mp4", 1500, kind="video", vol=1.0)
    seg["m"]["in"] = 2000
    d = draft([seg])
    result = render_draft(d, {"asset://v": clip}, tmp_path / "out.mp4")
    frames = read_frames(result.path, 1920, 1080, scale=(192, 108))
    assert len(frames) == 45
    # trimmed: the red first half of the clip is skipped; covered: blue to the very edges
    assert all(np.abs(f.astype(int) - [0, 0, 255]).max(axis=-1).mean() < 40 for f in frames)
    sound = _audio(result.path)
    assert np.sqrt(np.mean(sound[4800:-4800] ** 2)) > 0.06  # the tone (amplitude 1/8) at full volume


def test_muted_clip_under_music_and_a_colour_card(sample_photos: list[Path], tmp_path: Path) -> None:
    clip = _clip(tmp_path / "clip.mp4")
    d = draft([
        {"id": "c", "st": 0, "d": 1000, "m": {"kind": "color", "color": "#10b981", "name": "card"}},
        still("asset://v", "clip.mp4", 1000, kind="video", transition="slide", tdur=300, vol=0.0),
    ], texts=[text("你好，世界 👋", 0, 1000, "title")], music="synth://calm")
    result = render_draft(d, {"asset://v": clip}, tmp_path / "out.mp4")
    assert count_frames(result.path) == 51
    frames = read_frames(result.path, 1920, 1080, scale=(192, 108))
    assert np.abs(frames[5, 5:20, 5:30].astype(int) - [16, 185, 129]).max() < 12  # the card's colour
    assert frames[45, ..., 0].mean() > 150  # then the clip (its red start, no trim)
    sound = _audio(result.path)
    assert 0.01 < np.sqrt(np.mean(sound ** 2)) and np.abs(sound).max() < 1.0  # music, not the tone


def test_logo_and_the_users_own_audio(sample_photos: list[Path], tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (200, 100), (255, 0, 0, 255)).save(logo)
    song = tmp_path / "song.m4a"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=0.5", "-c:a", "aac",
                    "-y", str(song)], check=True)
    d = draft([still("asset://p", "lid.jpg", 1500)], music="asset://song")
    d["m"]["logo"] = {"src": "asset://logo", "pos": "top-left", "scale": 0.1}
    result = render_draft(d, {"asset://p": sample_photos[2], "asset://logo": logo, "asset://song": song},
                          tmp_path / "out.mp4")
    frame = read_frames(result.path, 1920, 1080)[20].astype(int)
    margin = round(1080 * 0.04)
    assert np.abs(frame[margin + 10:margin + 80, margin + 10:margin + 180] - [255, 0, 0]).max() < 40
    sound = _audio(result.path)
    middle = sound[len(sound) // 2 - 4800:len(sound) // 2 + 4800]
    assert np.sqrt(np.mean(middle ** 2)) > 0.02, "the short song is looped to fill the video"
    assert "Audio: aac" in ffmpeg_info(result.path)


def test_a_trim_past_the_end_of_a_clip_still_fills_the_segment(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "clip.mp4")
    seg = still("asset://v", "clip.mp4", 1500, kind="video")
    seg["m"]["in"] = 3800  # the clip is 4 s long
    result = render_draft(draft([seg]), {"asset://v": clip}, tmp_path / "out.mp4")
    frames = read_frames(result.path, 1920, 1080, scale=(192, 108))
    assert len(frames) == 45
    assert all(f[..., 2].mean() > 200 for f in frames)  # the clip's blue end, held


def test_a_title_card_video_without_media(tmp_path: Path) -> None:
    fade = {"type": "fade", "d": 300}
    cards = [{"id": f"v{n}", "st": 0, "d": 1000, "kind": "color",
              "m": {"kind": "color", "color": colour, "name": "Title card", "transition": fade}}
             for n, colour in enumerate(("#1e293b", "#0f766e"))]
    d = draft(cards, texts=[text("Grand opening 🎉", 0, 1700, "title")], aspect="9:16")
    result = render_draft(d, {}, tmp_path / "out.mp4")
    assert (result.width, result.height) == (1080, 1920) and count_frames(result.path) == 51
    frames = read_frames(result.path, 1080, 1920, scale=(108, 192))
    assert np.abs(frames[5, 2:20, 2:20].astype(int) - [30, 41, 59]).max() < 12
    assert np.abs(frames[48, 2:20, 2:20].astype(int) - [15, 118, 110]).max() < 12
    assert frames[15, 90:102].std() > 20  # the title over the card
