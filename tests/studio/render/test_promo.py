"""A 30-second vertical promo from three photos, made by today's director, rendered for real: it
cuts like a social editor (short shots on the beat), keeps its words on screen, in the safe zone
and off the product, sounds at the platforms' loudness, and ends on a clean end card."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app.samples import SAMPLE_DESCRIPTION
from studio.director.director import Asset, RuleDirector
from studio.render.framing.geometry import Rect
from studio.render.framing.text_place import safe_zone
from studio.render.render import RenderResult, prepare, render_draft
from studio.render.styles import contrast
from studio.render.timeline import EndScene, PhotoScene, Plan, _subject_rects
from tests.fixtures_render import count_frames, mp4_atoms, read_frames
from tests.studio.render.measure import (
    cut_frames,
    duration_of,
    frames_at,
    loudness,
    on_beat_share,
    small_gray,
    tracked_beats,
    video_info,
)

pytestmark = pytest.mark.slow
W, H = 1080, 1920


def director_draft(prompt: str, photos: list[Path]) -> dict[str, Any]:
    assets = []
    for n, p in enumerate(photos):
        with Image.open(p) as img:
            assets.append(Asset(id=f"p{n}", kind="image", name=p.name, width=img.width, height=img.height))
    turn = asyncio.run(RuleDirector().turn(None, prompt, assets, "en"))
    assert turn.draft is not None
    return turn.wire()  # the director's typed draft in the wire form the studio stores


@pytest.fixture(scope="module")
def promo(
    sample_photos: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[RenderResult, Plan, dict]:
    folder = tmp_path_factory.mktemp("promo")
    logo = folder / "logo.png"
    Image.new("RGBA", (240, 120), (220, 20, 60, 255)).save(logo)
    draft = director_draft(
        "Make a 30 second vertical video with upbeat music. " + SAMPLE_DESCRIPTION, sample_photos
    )
    draft["m"]["brand"] = {"name": "Aurora", "handle": "@aurora.bottles", "colors": ["#0ea5e9"]}
    draft["m"]["logo"] = {"src": "asset://logo", "pos": "top-left", "scale": 0.14}
    assets = {f"asset://p{n}": p for n, p in enumerate(sample_photos)} | {"asset://logo": logo}
    result = render_draft(draft, assets, folder / "promo.mp4")
    plan, _ = prepare(draft, assets)
    return result, plan, draft


def test_the_mp4_is_what_every_platform_plays(promo: tuple[RenderResult, Plan, dict]) -> None:
    result, plan, draft = promo
    info = video_info(result.path)
    video = next(line for line in info.splitlines() if "Video:" in line)
    assert "h264 (High)" in video and "yuv420p(tv, bt709" in video and "1080x1920" in video
    assert " 30 fps" in video
    audio = next(line for line in info.splitlines() if "Audio:" in line)
    assert "aac" in audio and "48000 Hz" in audio and "stereo" in audio
    assert abs(duration_of(result.path) - draft["d"] / 1000) <= 0.3
    assert count_frames(result.path) == plan.frames == round(draft["d"] * 30 / 1000)
    atoms = mp4_atoms(result.path)
    assert atoms.index("moov") < atoms.index("mdat")  # faststart


def test_shots_are_short_and_cut_on_the_music_s_beat(promo: tuple[RenderResult, Plan, dict]) -> None:
    result, _plan, _ = promo
    frames = small_gray(result.path, W, H)
    cuts = cut_frames(frames)
    edges = [0, *cuts, len(frames)]
    lengths = np.diff(edges) / 30
    assert len(cuts) >= 8, cuts
    assert float(np.median(lengths)) <= 3.0, lengths
    beats = tracked_beats(result.path)
    assert len(beats) > 30
    share = on_beat_share(cuts, beats)
    assert share >= 0.7, (share, cuts, beats[:20])


def test_the_mix_is_at_the_platforms_loudness(promo: tuple[RenderResult, Plan, dict]) -> None:
    lufs, peak = loudness(promo[0].path)
    assert -15.0 <= lufs <= -13.0, lufs
    assert peak <= -1.0, peak


def test_each_photo_becomes_several_moving_shots_with_varied_transitions(
    promo: tuple[RenderResult, Plan, dict],
) -> None:
    _, plan, _draft = promo
    photo_shots = [s for s in plan.shots if isinstance(s.scene, PhotoScene)]
    by_photo: dict[str, list[str]] = {}
    for s in photo_shots:
        for c in s.scene.cells:  # type: ignore[union-attr]
            by_photo.setdefault(c.photo, []).append(c.move.label)
    assert len(by_photo) == 3 and all(len(v) >= 2 for v in by_photo.values()), by_photo
    assert len({label for v in by_photo.values() for label in v}) >= 3
    moves = [c.move for s in photo_shots for c in s.scene.cells]  # type: ignore[union-attr]
    assert all(m.easing != "linear" for m in moves if m.start != m.end)
    kinds = {s.transition.kind for s in plan.shots[1:]}
    assert len(kinds) >= 2, kinds
    assert isinstance(plan.shots[-1].scene, EndScene)


def test_words_stay_in_the_safe_zone_off_the_product_for_most_of_the_video(
    promo: tuple[RenderResult, Plan, dict],
) -> None:
    result, plan, _ = promo
    zone = Rect.of(safe_zone((W, H))).scaled(W, H)
    assert (zone.y0, zone.y1, zone.x1) == (0.10 * H, 0.80 * H, 0.85 * W)  # top 10 %, bottom 20 %, right 15 %
    for cue in plan.cues:
        assert zone.contains(cue.box, tol=2.0), (cue.text, cue.box)
        for shot in plan.shots:
            if shot.start < cue.end and shot.end > cue.start and not isinstance(shot.scene, EndScene):
                for subject in _subject_rects(plan_context(plan), shot):
                    assert cue.box.overlap(subject) <= 0.03 * cue.box.area, (cue.text, shot.label)
    body = plan.shots[-1].start
    with_text = sum(1 for f in range(body) if any(c.start <= f < c.end for c in plan.cues))
    assert with_text / body >= 0.6, with_text / body
    # legible: the text's colour against what is drawn around it in the real frame
    cuts = [s.start for s in plan.shots]
    steady = {}
    for cue in plan.cues[:8]:  # a frame well inside each cue, away from any transition
        ok = [f for f in range(cue.start + 24, cue.end - 6) if min(abs(f - c) for c in cuts) > 10]
        if ok:
            steady[cue.id] = ok[len(ok) // 2]
    assert len(steady) >= 4
    frames = frames_at(result.path, list(steady.values()), W, H)
    for cue in plan.cues:
        if cue.id not in steady:
            continue
        x0, y0, x1, y1 = (int(v) for v in cue.box.ints())
        patch = frames[steady[cue.id]][y0:y1, x0:x1].reshape(-1, 3).astype(int)
        ink = np.array(cue.block.look.color)
        near = np.abs(patch - ink).sum(axis=1) < 60
        assert near.mean() > 0.03, cue.text  # the words are drawn where the plan put them
        rest = patch[~near]
        ratio = contrast(tuple(int(v) for v in ink), tuple(int(v) for v in np.median(rest, axis=0)))
        assert ratio >= 3.0, (cue.text, ratio)


def plan_context(plan: Plan) -> Any:
    class Ctx:
        photos = plan.photos
        clips = plan.clips

    return Ctx()


def test_photos_fill_the_frame_with_little_flat_filler(promo: tuple[RenderResult, Plan, dict]) -> None:
    _, plan, _ = promo
    area = W * H
    shares = []
    for s in plan.shots:
        if isinstance(s.scene, PhotoScene):
            covered = sum(c.rect.area for c in s.scene.cells)
            shares += [1 - covered / area] * s.frames
    assert float(np.mean(shares)) <= 0.25, float(np.mean(shares))


def test_it_ends_on_a_clean_branded_end_card_and_the_logo_shows_before(
    promo: tuple[RenderResult, Plan, dict],
) -> None:
    result, plan, _ = promo
    end = plan.shots[-1]
    assert isinstance(end.scene, EndScene) and 2.0 <= end.frames / 30 <= 3.0
    assert plan.end_card is not None and plan.end_card.brand == "Aurora"
    assert plan.end_card.handle == "@aurora.bottles"
    assert not any(c.end > end.start for c in plan.cues)  # no caption fades over the end card
    frames = read_frames(result.path, W, H, scale=(270, 480)).astype(int)
    last, before = frames[-1], frames[-8]
    assert np.abs(last - before).mean() < 6  # everything on the card has arrived: the last frame is settled
    assert last.std() > 20  # and it is not an empty card
    mark = plan.logo
    assert mark is not None and Rect.of(safe_zone((W, H))).scaled(W, H).contains(mark.rect, tol=2)
    x0, y0, x1, y1 = (round(v / 4) for v in mark.rect.ints())
    inside = frames[30, y0 + 2 : y1 - 2, x0 + 2 : x1 - 2]
    assert np.abs(inside - [220, 20, 60]).max(axis=-1).mean() < 45  # the brand's logo, in its corner
