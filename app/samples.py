"""Sample product photos the demo (and tests) generate instead of shipping binaries.

Three studio-style shots of a fictional product line, drawn with Pillow: a landscape, a portrait
and a square photo, so the renderer's contain-blur and Ken Burns paths are all exercised.
Deterministic: the same bytes every time for the same arguments.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SAMPLE_DESCRIPTION = (
    'Meet "Aurora Bottle": a double-walled steel bottle that keeps drinks cold for 24 hours. '
    "Leak-proof lid, fits every cup holder, five bright colours. Free shipping this week."
)

_SHOTS: tuple[tuple[str, tuple[int, int], tuple[int, int, int], tuple[int, int, int]], ...] = (
    ("aurora-front.jpg", (1600, 1200), (244, 114, 182), (30, 27, 75)),
    ("aurora-side.jpg", (1080, 1440), (56, 189, 248), (15, 23, 42)),
    ("aurora-lid.jpg", (1200, 1200), (250, 204, 21), (67, 20, 7)),
)


def _gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    w, h = size
    col = Image.new("RGB", (1, h))
    for y in range(h):
        f = y / max(1, h - 1)
        col.putpixel((0, y), tuple(int(top[i] * (1 - f) + bottom[i] * f) for i in range(3)))
    return col.resize((w, h))


def _draw_bottle(img: Image.Image, colour: tuple[int, int, int], rng: random.Random) -> None:
    w, h = img.size
    bw, bh = int(min(w, h) * 0.28), int(h * 0.62)
    cx, top = w // 2, int(h * 0.2)
    shadow = Image.new("L", img.size, 0)
    ImageDraw.Draw(shadow).ellipse((cx - bw, top + bh - 20, cx + bw, top + bh + 50), fill=150)
    img.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(25)))
    d = ImageDraw.Draw(img)
    body = (cx - bw // 2, top + bh // 6, cx + bw // 2, top + bh)
    d.rounded_rectangle(body, radius=bw // 3, fill=colour)
    # highlight and shade give it volume
    d.rounded_rectangle((body[0] + bw // 8, body[1] + 20, body[0] + bw // 4, body[3] - 30), radius=12,
                        fill=tuple(min(255, c + 70) for c in colour))
    d.rounded_rectangle((body[2] - bw // 5, body[1] + 20, body[2] - bw // 12, body[3] - 30), radius=12,
                        fill=tuple(max(0, c - 60) for c in colour))
    neck = (cx - bw // 4, top, cx + bw // 4, top + bh // 6 + 10)
    d.rounded_rectangle(neck, radius=14, fill=(40, 40, 48))
    d.rectangle((body[0], top + bh // 2 - 30, body[2], top + bh // 2 + 30), fill=(250, 250, 250))
    d.text((cx - 40, top + bh // 2 - 8), "AURORA", fill=(20, 20, 20))
    # fine texture (speckles) so motion and frame differences are measurable
    for _ in range(w * h // 400):
        x, y = rng.randrange(w), rng.randrange(h)
        v = rng.randrange(-18, 18)
        r, g, b = img.getpixel((x, y))  # type: ignore[misc]
        img.putpixel((x, y), (max(0, min(255, r + v)), max(0, min(255, g + v)), max(0, min(255, b + v))))


def make_sample_photos(directory: Path, seed: int = 7) -> list[Path]:
    """Write the three sample product photos into `directory` (created) and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths: list[Path] = []
    for name, size, colour, bg_bottom in _SHOTS:
        path = directory / name
        img = _gradient(size, (236, 233, 228), bg_bottom)
        _draw_bottle(img, colour, rng)
        img.save(path, "JPEG", quality=88)
        paths.append(path)
    return paths
