"""A text-only promo (no photos): a designed, moving background, the offer as the hero, words on
screen nearly all the time, never an empty or flat screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from studio.director.director import RuleDirector
from studio.render.render import RenderResult, prepare, render_draft
from studio.render.timeline import CardScene, EndScene, Plan
from tests.fixtures_render import read_frames
from tests.studio.render.measure import loudness

pytestmark = pytest.mark.slow
W, H = 1080, 1920


@pytest.fixture(scope="module")
def card_promo(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderResult, Plan]:
    prompt = ("Make a 10 second vertical video: Grand opening sale, 50% off everything this weekend! "
              "Visit us today.")
    draft = asyncio.run(RuleDirector().turn(None, prompt, [], "en")).draft
    assert draft is not None
    out = tmp_path_factory.mktemp("cards") / "cards.mp4"
    return render_draft(draft, {}, out), prepare(draft, {})[0]


def test_the_screen_is_never_empty_or_flat_for_half_a_second(card_promo: tuple[RenderResult, Plan]) -> None:
    result, _plan = card_promo
    frames = read_frames(result.path, W, H, gray=True, scale=(108, 192)).astype(np.float32)
    spread = frames.reshape(len(frames), -1).std(axis=1)
    for start in range(0, len(frames) - 15 + 1, 5):
        assert spread[start : start + 15].max() > 12, f"a flat half second from {start / 30:.1f} s"
    moved = np.abs(frames[15:] - frames[:-15]).mean(axis=(1, 2))
    assert float(np.median(moved)) > 0.8  # the background is animated, not a still card


def test_the_offer_is_the_hero_and_words_stay_on_screen(card_promo: tuple[RenderResult, Plan]) -> None:
    _, plan = card_promo
    assert all(isinstance(s.scene, CardScene | EndScene) for s in plan.shots)
    assert len({s.scene.colors for s in plan.shots if isinstance(s.scene, CardScene)}) >= 2
    body = plan.shots[-1].start
    with_text = sum(1 for f in range(body) if any(c.start <= f < c.end for c in plan.cues))
    assert with_text / body >= 0.85
    biggest = max(plan.cues, key=lambda c: c.block.size)
    assert biggest.block.size >= 0.09 * W  # big type
    assert abs(biggest.box.cy - H * 0.45) < H * 0.2  # in the middle of the frame
    assert {c.anim for c in plan.cues} - {"fade", "none"}  # it moves in


def test_text_only_audio_is_mastered(card_promo: tuple[RenderResult, Plan]) -> None:
    result, plan = card_promo
    if plan.music is None:
        pytest.skip("the director chose no music")
    lufs, peak = loudness(result.path)
    assert -15.0 <= lufs <= -13.0 and peak <= -1.0, (lufs, peak)


def test_a_draft_with_nothing_renders_nothing(tmp_path: Path) -> None:
    from studio.render.render import RenderError

    with pytest.raises(RenderError, match="empty"):
        render_draft({"d": 0, "m": {}, "t": []}, {}, tmp_path / "x.mp4")
    assert not list(tmp_path.iterdir())
