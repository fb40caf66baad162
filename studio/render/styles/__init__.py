"""Named styles: a coherent look as data (`styles/<name>.toml`): fonts, colours, text sizes, backings
and animations, camera-move intensity and easing, the transitions used within one photo's shots and
between photos, and the end card's background.

`load_style(name)` reads one; `pick_style(draft)` chooses for a draft: the draft's own `m.style`
when set, else from the music's mood and the pace (today's director sets neither style nor brand).
Brand colours (`m.brand.colors`, primary first) replace the style's accent wherever it is used
(boxes, calls to action, the end card, text-only backgrounds).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Literal

from studio.draft import Draft

HERE = Path(__file__).resolve().parent
RGB = tuple[int, int, int]
Backing = Literal["none", "shadow", "scrim", "box", "outline", "outline-box"]
TextAnim = Literal["none", "fade", "pop", "slide", "typewriter", "words"]


def hex_rgb(value: str) -> RGB:
    v = value.strip().lstrip("#")
    if len(v) == 3:
        v = "".join(c * 2 for c in v)
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance (0 black .. 1 white)."""

    def lin(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1 .. 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_for(background: RGB) -> RGB:
    """White or near-black, whichever reads better on `background`."""
    white, black = (255, 255, 255), (17, 17, 17)
    return white if contrast(white, background) >= contrast(black, background) else black


@dataclass(frozen=True)
class Style:
    name: str
    description: str
    moods: tuple[str, ...]
    headline_font: str
    body_font: str
    upper_headline: bool
    text: RGB
    accent: RGB
    ink_on_accent: RGB
    scrim: RGB
    backgrounds: tuple[tuple[RGB, RGB], ...]
    card_ink: RGB
    headline_size: float  # of the canvas's short side
    caption_size: float
    cta_size: float
    backing: Backing
    cta_backing: Backing
    title_anim: TextAnim
    caption_anim: TextAnim
    cta_anim: TextAnim
    tracking: float  # extra letter spacing of headlines, in ems
    zoom: float  # camera-move intensity (1: the pace's own)
    easing: str
    within: tuple[str, ...]  # transitions between shots of one photo
    between: tuple[str, ...]  # transitions between photos (cycled)
    transition_s: float
    end_background: str  # accent | gradient | dark

    def with_brand(self, colors: list[str]) -> Style:
        """The style in a brand's colours: the primary replaces the accent (and its ink), the
        text-only backgrounds become gradients of the brand's colours."""
        if not colors:
            return self
        primary = hex_rgb(colors[0])
        second = hex_rgb(colors[1]) if len(colors) > 1 else _shade(primary, 0.45)
        backgrounds = ((primary, second), (_shade(primary, 0.35), primary), (second, _shade(second, 0.4)))
        return replace(self, accent=primary, ink_on_accent=ink_for(primary), backgrounds=backgrounds)


def _shade(rgb: RGB, amount: float) -> RGB:
    r, g, b = rgb
    return (round(r * (1 - amount)), round(g * (1 - amount)), round(b * (1 - amount)))


def names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.toml"))


@cache
def load_style(name: str) -> Style:
    """The style called `name` (a `styles/<name>.toml`); unknown names give `minimal`."""
    path = HERE / f"{name}.toml"
    if not path.is_file():
        path = HERE / "minimal.toml"
    data = tomllib.loads(path.read_text())
    fonts, colors, text = data["fonts"], data["colors"], data["text"]
    motion, trans = data["motion"], data["transitions"]
    return Style(
        name=data["name"],
        description=data.get("description", ""),
        moods=tuple(data.get("moods", ())),
        headline_font=fonts["headline"],
        body_font=fonts["body"],
        upper_headline=bool(fonts["upper_headline"]),
        text=hex_rgb(colors["text"]),
        accent=hex_rgb(colors["accent"]),
        ink_on_accent=hex_rgb(colors["ink_on_accent"]),
        scrim=hex_rgb(colors["scrim"]),
        backgrounds=tuple((hex_rgb(a), hex_rgb(b)) for a, b in colors["backgrounds"]),
        card_ink=hex_rgb(colors["card_ink"]),
        headline_size=float(text["headline_size"]),
        caption_size=float(text["caption_size"]),
        cta_size=float(text["cta_size"]),
        backing=text["backing"],
        cta_backing=text["cta_backing"],
        title_anim=text["title_anim"],
        caption_anim=text["caption_anim"],
        cta_anim=text["cta_anim"],
        tracking=float(text.get("tracking", 0.0)),
        zoom=float(motion["zoom"]),
        easing=motion["easing"],
        within=tuple(trans["within"]),
        between=tuple(trans["between"]),
        transition_s=float(trans["seconds"]),
        end_background=data.get("end_card", {}).get("background", "accent"),
    )


# a draft without a style: the music's mood and the pace choose
_BY_MOOD = {
    "energetic": "bold",
    "upbeat": "bold",
    "playful": "playful",
    "acoustic": "playful",
    "calm": "minimal",
    "lofi": "minimal",
    "corporate": "minimal",
    "elegant": "elegant",
    "cinematic": "luxury",
}


def pick_style(draft: Draft) -> Style:
    """The draft's style in its brand's colours (see the module docstring)."""
    name: str | None = draft.m.style
    if name is None:
        music = draft.music
        mood = (
            music.m.src.removeprefix("synth://")
            if music is not None and music.m.src.startswith("synth://")
            else None
        )
        name = _BY_MOOD.get(mood or "", "minimal")
        if draft.m.pace == "fast" and name == "minimal":
            name = "bold"
        elif draft.m.pace == "slow" and name == "bold":
            name = "elegant"
        if not draft.visuals or all(v.m.kind == "color" for v in draft.visuals):
            name = {"minimal": "bold"}.get(name, name)  # a text-only promo needs colour and punch
    style = load_style(name)
    brand = draft.m.brand
    return style.with_brand(brand.colors) if brand is not None else style
