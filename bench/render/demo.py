"""The demo draft the bench renders, and the inputs of the ffmpeg baselines."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.samples import SAMPLE_DESCRIPTION, make_sample_photos
from studio.render import music
from studio.render.stills import compose, load_photo

PROMPT = "Make a 30 second 16:9 video with lo-fi music. " + SAMPLE_DESCRIPTION


def _by_director(photos: list[Path]) -> dict[str, Any] | None:
    try:
        from PIL import Image

        from studio.director.director import Asset, RuleDirector
    except ImportError:
        return None
    assets = []
    for n, p in enumerate(photos):
        with Image.open(p) as img:
            assets.append(Asset(id=f"p{n}", kind="image", name=p.name, width=img.width, height=img.height))
    turn = asyncio.run(RuleDirector().turn(None, PROMPT, assets, "en"))
    return turn.wire()  # the director's typed draft in the wire form the renderer reads


def _by_hand(photos: list[Path]) -> dict[str, Any]:
    motions = ("zoom-in", "pan-left", "zoom-out")
    visuals = [
        {
            "id": f"v{n + 1}",
            "st": n * 9800,
            "d": 10400,
            "m": {
                "src": f"asset://p{n}",
                "kind": "image",
                "name": p.name,
                "motion": motions[n],
                "transition": {"type": "fade", "d": 600},
            },
        }
        for n, p in enumerate(photos)
    ]
    texts = [
        ("Aurora Bottle", "title", 0, 3000),
        ("Keeps drinks cold for 24 hours", "caption", 3000, 6000),
        ("Leak-proof lid, fits every cup holder", "caption", 9000, 6000),
        ("Five bright colours", "caption", 15000, 6000),
        ("Free shipping this week", "caption", 21000, 6000),
    ]
    return {
        "d": 30000,
        "m": {"title": "Aurora Bottle", "width": 1920, "height": 1080, "fps": 30, "aspect": "16:9"},
        "t": [
            {"tt": 0, "sg": visuals},
            {
                "tt": 1,
                "sg": [
                    {
                        "id": "a1",
                        "st": 0,
                        "d": 30000,
                        "m": {
                            "src": "synth://lofi",
                            "name": "Lo-fi",
                            "vol": 0.35,
                            "fade_in": 500,
                            "fade_out": 1500,
                        },
                    }
                ],
            },
            {
                "tt": 7,
                "sg": [
                    {
                        "id": f"x{n + 1}",
                        "st": st,
                        "d": d,
                        "m": {"text": t, "role": role, "pos": "center" if role == "title" else "bottom"},
                    }
                    for n, (t, role, st, d) in enumerate(texts)
                ],
            },
        ],
    }


def demo_draft(work: Path) -> tuple[dict[str, Any], dict[str, Path], str]:
    """(draft, assets, how it was made) for the 30 s demo of the three sample photos."""
    photos = make_sample_photos(work / "photos")
    assets = {f"asset://p{n}": p for n, p in enumerate(photos)}
    draft = _by_director(photos)
    if draft is not None:
        return draft, assets, "studio.director.director from the sample description"
    return _by_hand(photos), assets, "hand-written (studio.director.director not available)"


def still_and_bed(draft: dict[str, Any], assets: dict[str, Path], work: Path) -> tuple[Path, Path]:
    """Baseline A's inputs: the first photo laid out as one 1080p PNG, and the draft's music bed."""
    w, h = draft["m"]["width"], draft["m"]["height"]
    first = next(s for t in draft["t"] if t["tt"] == 0 for s in t["sg"])
    still = work / "still.png"
    path = assets[first["m"]["src"]]
    compose(load_photo(path, path.name, (w, h)), w, h).save(still)
    audio = next((s for t in draft["t"] if t["tt"] == 1 for s in t["sg"]), None)
    mood = audio["m"]["src"].removeprefix("synth://") if audio else "lofi"
    bed = music.music_bed(mood if mood in music.MOODS else "lofi", draft["d"] / 1000, work / "bed.wav")
    return still, bed
