"""A rendered draft is the MP4 the issue asks for, and its frames show the draft."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from studio.render.render import RenderResult, render_draft
from tests.fixtures_render import (
    count_frames,
    draft,
    ffmpeg_info,
    mp4_atoms,
    read_frames,
    still,
    text,
)

pytestmark = pytest.mark.slow

Rendered = tuple[RenderResult, list[float]]
PINK, BLUE, YELLOW = (244, 114, 182), (56, 189, 248), (250, 204, 21)  # the sample bottles


@pytest.fixture(scope="module")
def rendered(sample_photos: list[Path],
             tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderResult, list[float]]:
    front, side, lid = sample_photos
    d = draft(
        [still("asset://a", "aurora-front.jpg", 2000, motion="zoom-in"),
         still("asset://b", "aurora-side.jpg", 2000, motion="pan-left", transition="fade", tdur=500),
         still("asset://c", "aurora-lid.jpg", 2000, motion="zoom-out", transition="wipe", tdur=500)],
        texts=[text("Aurora Bottle", 0, 1500, "title", "center"),
               text("Cold for 24 hours", 1500, 2000, "caption", "bottom"),
               text("Shop now", 3500, 1500, "cta", "bottom")],
        music="synth://lofi",
    )
    progress: list[float] = []
    out = tmp_path_factory.mktemp("render") / "out.mp4"
    result = render_draft(d, {"asset://a": front, "asset://b": side, "asset://c": lid}, out,
                          progress=progress.append)
    return result, progress


def test_rendered_draft_is_h264_high_bt709_aac_30fps_faststart(rendered: Rendered) -> None:
    result, _ = rendered
    assert (result.width, result.height) == (1920, 1080)
    assert result.duration == pytest.approx(5.0)
    assert result.size == result.path.stat().st_size > 50_000
    info = ffmpeg_info(result.path)
    video = next(line for line in info.splitlines() if "Video:" in line)
    assert "h264 (High)" in video
    assert "yuv420p(tv, bt709" in video
    assert "1920x1080" in video
    assert re.search(r"\b30 fps\b", video)
    audio = next(line for line in info.splitlines() if "Audio:" in line)
    assert "aac" in audio and "stereo" in audio
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info).groups()  # type: ignore[union-attr]
    assert abs(int(h) * 3600 + int(m) * 60 + float(s) - 5.0) <= 1 / 30 + 0.011
    assert count_frames(result.path) == 150
    atoms = mp4_atoms(result.path)
    assert atoms.index("moov") < atoms.index("mdat"), atoms


def test_progress_callback_climbs_to_100(rendered: Rendered) -> None:
    _, progress = rendered
    assert progress[0] == 0.0 and progress[-1] == 100.0
    assert progress == sorted(progress)
    assert any(0 < p < 100 for p in progress)


def _has_colour(frame: np.ndarray, colour: tuple[int, int, int], tol: int = 30) -> float:
    near = np.all(np.abs(frame.astype(int) - np.array(colour)) < tol, axis=-1)
    return float(near.mean())


def test_frames_move_are_not_blank_and_show_each_photo(rendered: Rendered) -> None:
    result, _ = rendered
    frames = read_frames(result.path, 1920, 1080, scale=(480, 270))
    assert len(frames) == 150
    assert all(f.std() > 10 for f in frames[::10]), "a frame is blank"
    # the pictures move: frames half a second apart inside one segment differ
    assert np.abs(frames[20].astype(int) - frames[35].astype(int)).mean() > 1.0
    # each segment shows its own photo's bottle (front: pink, side: blue, lid: yellow)
    assert _has_colour(frames[25], PINK) > 0.02 and _has_colour(frames[25], BLUE) < 0.001
    assert _has_colour(frames[75], BLUE) > 0.02 and _has_colour(frames[75], PINK) < 0.001
    assert _has_colour(frames[140], YELLOW) > 0.02 and _has_colour(frames[140], BLUE) < 0.001


def test_title_area_changes_with_the_title_text(sample_photos: list[Path], tmp_path: Path) -> None:
    def render(title: str, name: str) -> np.ndarray:
        d = draft([still("asset://a", "aurora-lid.jpg", 1000, motion="none")],
                  texts=[text(title, 0, 1000, "title", "center")])
        result = render_draft(d, {"asset://a": sample_photos[2]}, tmp_path / name)
        return read_frames(result.path, 1920, 1080, gray=True, scale=(480, 270))[15].astype(int)

    first, second = render("Summer Sneakers", "a.mp4"), render("Winter Boots Sale", "b.mp4")
    title_band = np.abs(first[105:165] - second[105:165]).mean()
    elsewhere = np.abs(first[200:] - second[200:]).mean()
    assert title_band > 8 * max(elsewhere, 0.2), (title_band, elsewhere)


def test_vertical_draft_renders_1080x1920(sample_photos: list[Path], tmp_path: Path) -> None:
    d = draft([still("asset://a", "aurora-side.jpg", 1000, motion="zoom-in")], aspect="9:16")
    result = render_draft(d, {"asset://a": sample_photos[1]}, tmp_path / "v.mp4")
    assert (result.width, result.height) == (1080, 1920)
    assert "1080x1920" in ffmpeg_info(result.path)
    assert count_frames(result.path) == 30
