"""Every music mood masters to the platforms' loudness after the AAC encoder; every canvas gets a
designed layout for photos of the other shape; styles are data and every one loads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from common.ffmpeg import ffmpeg_exe
from studio.draft import CANVAS, Draft
from studio.render import audio, beds
from studio.render.render import analyse_photo, soundtrack
from studio.render.styles import load_style, names
from studio.render.timeline import PhotoScene, plan_draft
from tests.studio.render.measure import loudness


def card_draft(mood: str, seconds: float = 6.0) -> Draft:
    d = round(seconds * 1000)
    return Draft.from_wire(
        {
            "d": d,
            "m": {"aspect": "1:1"},
            "t": [
                {"tt": 0, "sg": [{"id": "v1", "st": 0, "d": d, "m": {"kind": "color", "color": "#223344"}}]},
                {
                    "tt": 1,
                    "sg": [{"id": "a1", "st": 0, "d": d, "m": {"src": f"synth://{mood}", "vol": 0.35}}],
                },
            ],
        }
    )


def test_there_are_at_least_eight_moods_each_with_intro_body_outro_and_a_tempo() -> None:
    assert len(beds.MOODS) >= 8
    for mood in beds.MOODS:
        grid = audio.bed_grid(mood, 20.0)
        names_ = [name for name, _, _ in grid.sections]
        assert names_[-1] == "outro" and len(names_) >= 3, (mood, names_)
        assert 50 <= grid.tempo_bpm <= 180 and grid.final_hit_s is not None and grid.final_hit_s <= 20.0


@pytest.mark.slow
@pytest.mark.parametrize("mood", sorted(beds.MOODS))
def test_every_mood_masters_to_minus_14_lufs_under_minus_1_dbtp(mood: str, tmp_path: Path) -> None:
    draft = card_draft(mood)
    plan = plan_draft(draft, {}, {})
    wav = audio.write_wav(tmp_path / "mix.wav", soundtrack(plan))
    m4a = tmp_path / "mix.m4a"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "160k", "-y", str(m4a)],
        check=True,
    )
    lufs, peak = loudness(m4a)
    assert -15.0 <= lufs <= -13.0, (mood, lufs)
    assert peak <= -1.0, (mood, peak)


def test_styles_are_data_and_each_is_complete() -> None:
    assert set(names()) >= {"minimal", "bold", "elegant", "playful", "luxury"}
    fonts = set()
    for name in names():
        style = load_style(name)
        assert style.name == name and style.between and style.within
        fonts.add(style.headline_font)
    assert len(fonts) >= 4  # the styles look different: their own type


@pytest.mark.parametrize("aspect", ["16:9", "9:16", "1:1", "4:5", "3:4"])
def test_photos_of_every_shape_get_a_designed_layout_on_every_canvas(
    aspect: str, sample_photos: list[Path]
) -> None:
    photos = {f"asset://p{n}": analyse_photo(f"asset://p{n}", p, p.name) for n, p in enumerate(sample_photos)}
    segs = [
        {
            "id": f"v{n + 1}",
            "st": n * 4000,
            "d": 4000,
            "m": {"kind": "image", "src": f"asset://p{n}", "name": p.name},
        }
        for n, p in enumerate(sample_photos)
    ]
    draft = Draft.from_wire(
        {"d": 12000, "m": {"aspect": aspect, "end_card": {"enabled": False}}, "t": [{"tt": 0, "sg": segs}]}
    )
    plan = plan_draft(draft, photos, {})
    w, h = CANVAS[aspect]
    assert (plan.width, plan.height) == (w, h)
    for shot in plan.shots:
        assert isinstance(shot.scene, PhotoScene)
        covered = sum(c.rect.area for c in shot.scene.cells)
        assert covered >= 0.5 * w * h, (aspect, shot.scene.layout)  # never a thin band over blur
        for cell in shot.scene.cells:
            photo = photos[cell.photo]
            crop = cell.move.at(0.5)
            assert (
                -1 <= crop.x0 and crop.x1 <= photo.width + 1 and -1 <= crop.y0 and crop.y1 <= photo.height + 1
            )
            assert abs(crop.w / crop.h - cell.rect.w / cell.rect.h) < 0.02  # not stretched
    portrait = [s for s in plan.shots if any(c.photo == "asset://p1" for c in s.scene.cells)]  # type: ignore[union-attr]
    if aspect == "16:9":  # the 3:4 photo in a wide frame: a side panel or text beside it, not a pillarbox
        assert {s.scene.layout for s in portrait} & {"side-panel", "beside", "duo"}  # type: ignore[union-attr]
    assert sum(s.frames for s in portrait) >= 60
