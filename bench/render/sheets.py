"""Contact sheets of rendered promos, for people to look at (`python -m bench render --sheets DIR`).

One PNG per video: a frame every `step` seconds (16:9 and 1:1 six to a row, tall canvases eight),
each stamped with its time. Made from the MP4 itself (ffmpeg decodes, nothing from the plan), so
what a sheet shows is what a viewer sees. The videos: the bench's demo promo, and the demo draft
once per style, each on another canvas.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from common.ffmpeg import ffmpeg_exe

STYLE_CANVASES = {"minimal": "16:9", "bold": "9:16", "elegant": "4:5", "playful": "1:1", "luxury": "3:4"}
STYLE_MOODS = {
    "minimal": "calm",
    "bold": "energetic",
    "elegant": "elegant",
    "playful": "playful",
    "luxury": "cinematic",
}


def contact_sheet(video: Path, out: Path, width: int, height: int, step: float = 1.0) -> Path:
    tile_w = 320 if width >= height else 200
    tile_h = round(height * tile_w / width) // 2 * 2
    raw = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(video),
            "-vf",
            f"fps={1 / step},scale={tile_w}:{tile_h}:flags=area",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, tile_h, tile_w, 3)
    cols = 6 if width >= height else 8
    rows = (len(frames) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * (tile_w + 4) + 4, rows * (tile_h + 20) + 4), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    for i, f in enumerate(frames):
        x, y = 4 + (i % cols) * (tile_w + 4), 4 + (i // cols) * (tile_h + 20)
        sheet.paste(Image.fromarray(f), (x, y + 18))
        draw.text((x + 2, y + 3), f"{i * step:.1f} s", fill=(235, 235, 235))
    sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
        out, optimize=True
    )
    return out


def style_draft(base: dict[str, Any], style: str) -> dict[str, Any]:
    from studio.draft import CANVAS

    draft = dict(base)
    aspect = STYLE_CANVASES[style]
    w, h = CANVAS[aspect]
    draft["m"] = dict(base["m"]) | {
        "style": style,
        "aspect": aspect,
        "width": w,
        "height": h,
        "brand": {"name": "Aurora", "handle": "@aurora.bottles"},
    }
    tracks = []
    for t in base["t"]:
        if t["tt"] == 1:
            t = {
                "tt": 1,
                "sg": [
                    dict(s, m=dict(s["m"], src=f"synth://{STYLE_MOODS[style]}", name=style)) for s in t["sg"]
                ],
            }
        tracks.append(t)
    draft["t"] = tracks
    return draft


def make_sheets(folder: Path, work: Path) -> list[Path]:
    from bench.render import demo
    from studio.render.render import render_draft

    folder.mkdir(parents=True, exist_ok=True)
    draft, assets, _how = demo.demo_draft(work)
    out: list[Path] = []
    video = render_draft(draft, assets, work / "sheet-demo.mp4")
    out.append(contact_sheet(video.path, folder / "demo-16x9.png", video.width, video.height))
    short, _, _ = demo.demo_draft(
        work, "Make a 15 second video with upbeat music. " + demo.SAMPLE_DESCRIPTION
    )
    for style in STYLE_CANVASES:
        d = style_draft(short, style)
        video = render_draft(d, assets, work / f"sheet-{style}.mp4")
        name = f"style-{style}-{STYLE_CANVASES[style].replace(':', 'x')}.png"
        out.append(contact_sheet(video.path, folder / name, video.width, video.height, step=0.5))
    text_draft = demo.director_draft(
        "Make a 12 second vertical video: Grand opening sale, 50% off everything "
        "this weekend! Visit us today.",
        [],
    )
    video = render_draft(text_draft, {}, work / "sheet-text.mp4")
    out.append(contact_sheet(video.path, folder / "text-only-9x16.png", video.width, video.height, step=0.5))
    return out
