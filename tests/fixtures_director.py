"""Director fixtures: the rule director, typical uploads, and a draft made from three photos.

The director is pure (no network, no files), so these fixtures are plain values; `run_turn` runs one
turn and fails the test if the draft it returns breaks a timing rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from studio.director import Asset, DirectorTurn, RuleDirector, check_draft
from studio.draft import Draft

Turn = Callable[..., Awaitable[DirectorTurn]]


def photos(n: int, ext: str = "jpg") -> list[Asset]:
    return [
        Asset(id=f"p{i}", kind="image", name=f"photo{i}.{ext}", width=1600, height=1200)
        for i in range(1, n + 1)
    ]


def clip(ident: str, ms: int) -> Asset:
    return Asset(id=ident, kind="video", name=f"{ident}.mp4", width=1920, height=1080, duration_ms=ms)


def song(ms: int = 200000, name: str = "my-song.mp3") -> Asset:
    return Asset(id="s1", kind="audio", name=name, duration_ms=ms)


def logo_png() -> Asset:
    return Asset(id="logo1", kind="image", name="brand-logo.png", width=512, height=512)


def texts(draft: Draft | None, role: str) -> list[str]:
    assert draft is not None
    return [s.m.text for s in draft.texts(role)]


def order(draft: Draft | None) -> list[str]:
    assert draft is not None
    return [(s.m.src or "").removeprefix("asset://") for s in draft.visuals]


@pytest.fixture
def rule_director() -> RuleDirector:
    return RuleDirector()


@pytest.fixture
def three_photos() -> list[Asset]:
    return photos(3)


@pytest.fixture
def run_turn(rule_director: RuleDirector) -> Turn:
    """`await run_turn(draft, message, assets, language="en")`, checking every returned draft."""

    async def run(
        draft: Draft | dict[str, Any] | None,
        message: str,
        assets: list[Asset],
        language: str = "en",
        **kw: Any,
    ) -> DirectorTurn:
        result = await rule_director.turn(draft, message, assets, language, **kw)
        if result.draft is not None:
            assert check_draft(result.draft) == [], (message, check_draft(result.draft))
        return result

    return run


@pytest.fixture
async def sneakers(run_turn: Turn, three_photos: list[Asset]) -> Draft:
    """A 15-second draft from three photos, with title, captions, music and a call to action."""
    made = await run_turn(
        None, "Make a video for our summer sneakers. Light and breathable. Shop now!", three_photos
    )
    assert made.draft is not None
    return made.draft
