"""The demo draft the bench renders, and the inputs of the ffmpeg baselines."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.samples import SAMPLE_DESCRIPTION, make_sample_photos
from studio.render import audio, yuv
from studio.render.compositor import Compositor
from studio.render.render import prepare, soundtrack

PROMPT = "Make a 30 second 16:9 video with lo-fi music. " + SAMPLE_DESCRIPTION


def director_draft(prompt: str, photos: list[Path]) -> dict[str, Any]:
    from PIL import Image

    from studio.director.director import Asset, RuleDirector

    assets = []
    for n, p in enumerate(photos):
        with Image.open(p) as img:
            assets.append(Asset(id=f"p{n}", kind="image", name=p.name, width=img.width, height=img.height))
    turn = asyncio.run(RuleDirector().turn(None, prompt, assets, "en"))
    return turn.wire()  # the director's typed draft in the wire form the renderer reads


def demo_draft(work: Path, prompt: str = PROMPT) -> tuple[dict[str, Any], dict[str, Path], str]:
    """(draft, assets, how it was made) for the demo of the three sample photos."""
    photos = make_sample_photos(work / "photos")
    assets = {f"asset://p{n}": p for n, p in enumerate(photos)}
    return director_draft(prompt, photos), assets, "studio.director.director from the sample description"


def still_and_bed(draft: dict[str, Any], assets: dict[str, Path], work: Path) -> tuple[Path, Path]:
    """Baseline A's inputs: the render's first frame as one PNG, and the draft's mastered soundtrack."""
    from PIL import Image

    plan, logo = prepare(draft, assets)
    comp = Compositor(plan, logo)
    try:
        still = work / "still.png"
        Image.fromarray(yuv.to_rgb(comp.frame(0))).save(still)
    finally:
        comp.close()
    bed = audio.write_wav(work / "bed.wav", soundtrack(plan))
    return still, bed
