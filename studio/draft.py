"""The studio's draft, typed: what the director writes, what the renderer reads, what the API stores.

The wire form is the NemoVideo draft (`docs/studio-draft.md`): `{"d", "m", "t": [{"tt", "sg"}]}` with
times in integer milliseconds. `Draft.from_wire(dict)` reads it (unknown keys are kept, so a draft
passes through unchanged), `draft.to_wire()` writes it back. Track kinds are `common.draft.TrackKind`
(VISUAL 0, MUSIC 1, VOICE 2, TEXT 7), never bare numbers; each kind has its own track class whose
segments carry that kind's typed meta (`VisualMeta`, `MusicMeta`, `VoiceMeta`, `TextMeta`).

Everything a creator can ask for has a field here: the canvas (`aspect`: 16:9, 9:16, 1:1, 4:5, 3:4),
the style, the brand (name, colours, handle, URL), the logo, the end card, and per text: role,
position, colour, size, font, emphasis and animation. An unset (None) field means "the style decides"
and is left out of the wire form.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from common.draft import TRACK_ORDER, TrackKind, track_kind

__all__ = [
    "ASPECTS",
    "CANVAS",
    "FONTS",
    "FPS",
    "STYLES",
    "TRANSITIONS",
    "Aspect",
    "Brand",
    "Draft",
    "DraftMeta",
    "EndCard",
    "Logo",
    "MusicMeta",
    "MusicSegment",
    "MusicTrack",
    "OtherTrack",
    "Segment",
    "TextMeta",
    "TextSegment",
    "TextStyle",
    "TextTrack",
    "Track",
    "TrackKind",
    "Transition",
    "VisualMeta",
    "VisualSegment",
    "VisualTrack",
    "VoiceMeta",
    "VoiceSegment",
    "VoiceTrack",
    "hex_color",
]

FPS = 30

Aspect = Literal["16:9", "9:16", "1:1", "4:5", "3:4"]
CANVAS: dict[str, tuple[int, int]] = {
    "16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080), "4:5": (1080, 1350), "3:4": (1080, 1440),
}
ASPECTS: tuple[str, ...] = tuple(CANVAS)

StyleName = Literal["minimal", "bold", "elegant", "playful", "luxury"]
STYLES: tuple[str, ...] = ("minimal", "bold", "elegant", "playful", "luxury")

Pace = Literal["slow", "normal", "fast"]
TransitionType = Literal["cut", "fade", "dissolve", "slide", "wipe", "whip", "zoom", "flash"]
TRANSITIONS: tuple[str, ...] = ("cut", "fade", "dissolve", "slide", "wipe", "whip", "zoom", "flash")

TextRole = Literal["title", "subtitle", "caption", "cta", "text", "price", "offer"]
Position = Literal["top", "center", "bottom", "top-left", "top-right", "bottom-left", "bottom-right",
                   "left", "right"]
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
TextSize = Literal["s", "m", "l", "xl"]
FONTS: tuple[str, ...] = ("sans", "serif", "display", "rounded", "mono", "handwriting")
Font = Literal["sans", "serif", "display", "rounded", "mono", "handwriting"]
Animation = Literal["none", "fade", "pop", "slide", "typewriter", "words"]
Backing = Literal["none", "scrim", "box", "outline"]

_HEX = re.compile(r"^#[0-9a-f]{6}$")
Ms = Annotated[int, Field(ge=0)]


def hex_color(value: str | None) -> str | None:
    """'#FFF', '#ffffff' → '#ffffff'; anything else raises ValueError (None passes)."""
    if value is None:
        return None
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    if not _HEX.match(value):
        raise ValueError(f"{value!r} is not a #rrggbb colour")
    return value


class _Wire(BaseModel):
    """A part of the wire form: unknown keys are kept; `None` fields are left out when written."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, validate_assignment=True)


class Transition(_Wire):
    """The transition **into** a visual segment (ignored on the first one). `d` is 0 for a cut."""

    type: TransitionType = "fade"
    d: Ms = 600


class VisualMeta(_Wire):
    """One shot: a photo, a clip or a colour card (docs/studio-draft.md, "Visual track").

    - `kind`, `src` (asset://<id>), `name` (the upload's file name), `color` (cards: "#rrggbb");
    - `motion`: zoom-in, pan-left, zoom-out, pan-right (images alternate in order), none (clips,
      cards); None lets the renderer plan the moves;
    - `transition`: the transition INTO this shot (ignored on the first);
    - clips: `in` (`trim_in`, where it starts in its source, ms; 0 when absent), `out` (`trim_out`,
      where it ends at the latest: the user's trim), `src_d` (the source's length), `vol` (its own
      sound: 0 under music, 1 without);
    - `weight`: its share of the video's length next to the other shots (None = 1; "make shot 2
      longer" = 1.5). The director has already turned weights into `d`; the renderer reads `d`.
    """

    kind: Literal["image", "video", "color"] = "image"
    src: str | None = None
    name: str = ""
    motion: str | None = None
    transition: Transition | None = None
    trim_in: Ms | None = Field(default=None, alias="in")
    trim_out: Ms | None = Field(default=None, alias="out")
    vol: float | None = None
    src_d: Ms | None = None
    color: str | None = None
    weight: float | None = Field(default=None, gt=0, le=8)

    @property
    def start_in(self) -> int:
        return self.trim_in or 0

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        return hex_color(v)


class TextMeta(_Wire):
    """One text on screen. `role`: title (the hook, opens the video), subtitle (under the title,
    shown with it), caption (one line after another through the body), text (a free line), price,
    offer (both shown through the body), cta (closes the video, on the end card when there is one).

    Looks, each None when the style decides: `pos` (top, center, bottom, the four corners, left,
    right: inside the canvas's safe zone), `color` ("#rrggbb"), `size` (s, m, l, xl), `font` (sans,
    serif, display, rounded, mono, handwriting), `bold`, `italic`, `upper` (show in capitals; the text
    itself keeps its case), `anim` (none, fade, pop, slide, typewriter, words), `bg` (none, scrim,
    box, outline). `pinned` is reserved for user-set timings (not used yet).
    """

    text: str
    role: TextRole = "caption"
    pos: Position | None = None
    color: str | None = None
    size: TextSize | None = None
    font: Font | None = None
    bold: bool | None = None
    italic: bool | None = None
    upper: bool | None = None
    anim: Animation | None = None
    bg: Backing | None = None
    pinned: bool | None = None

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        return hex_color(v)


class MusicMeta(_Wire):
    src: str  # synth://<mood> or asset://<id>
    name: str = "Music"
    vol: float = Field(default=0.35, ge=0.0, le=1.0)
    fade_in: Ms = 500
    fade_out: Ms = 1500
    src_d: Ms | None = None  # an uploaded song's length
    seed: int | None = None  # generated beds: which variation (0 when absent)


class VoiceMeta(_Wire):
    text: str  # the script
    src: str = "tts://narrator"  # tts://<voice>, or asset://<id> for a recorded voice-over
    language: str = "en"
    voice: str | None = None
    speed: float = Field(default=1.0, ge=0.5, le=2.0)
    vol: float = Field(default=1.0, ge=0.0, le=1.5)


class Segment[M: BaseModel](_Wire):
    """One segment of a track; its `m` is the track kind's meta model."""

    id: str
    st: Ms = 0
    d: Ms = 0
    m: M

    @property
    def end(self) -> int:
        return self.st + self.d


VisualSegment = Segment[VisualMeta]
MusicSegment = Segment[MusicMeta]
VoiceSegment = Segment[VoiceMeta]
TextSegment = Segment[TextMeta]


class _OtherMeta(_Wire):
    """The meta of a segment on a track kind the studio does not know (kept as it is)."""


class VisualTrack(_Wire):
    tt: Literal[TrackKind.VISUAL] = TrackKind.VISUAL
    sg: list[VisualSegment] = Field(default_factory=list)


class MusicTrack(_Wire):
    tt: Literal[TrackKind.MUSIC] = TrackKind.MUSIC
    sg: list[MusicSegment] = Field(default_factory=list)


class VoiceTrack(_Wire):
    tt: Literal[TrackKind.VOICE] = TrackKind.VOICE
    sg: list[VoiceSegment] = Field(default_factory=list)


class TextTrack(_Wire):
    tt: Literal[TrackKind.TEXT] = TrackKind.TEXT
    sg: list[TextSegment] = Field(default_factory=list)


class OtherTrack(_Wire):
    tt: int
    sg: list[Segment[_OtherMeta]] = Field(default_factory=list)


def _track_tag(value: Any) -> str:
    tt = value.get("tt") if isinstance(value, dict) else getattr(value, "tt", None)
    kind = track_kind(tt)
    return kind.name if kind is not None else "OTHER"


Track = Annotated[
    Annotated[VisualTrack, Tag("VISUAL")] | Annotated[MusicTrack, Tag("MUSIC")]
    | Annotated[VoiceTrack, Tag("VOICE")] | Annotated[TextTrack, Tag("TEXT")]
    | Annotated[OtherTrack, Tag("OTHER")],
    Discriminator(_track_tag),
]
_TRACK_CLASS: dict[TrackKind, type[VisualTrack | MusicTrack | VoiceTrack | TextTrack]] = {
    TrackKind.VISUAL: VisualTrack, TrackKind.MUSIC: MusicTrack, TrackKind.VOICE: VoiceTrack,
    TrackKind.TEXT: TextTrack,
}


class TextStyle(_Wire):
    """The look of one text role (`DraftMeta.text_styles`): what a new segment of that role starts with."""

    color: str | None = None
    size: TextSize | None = None
    font: Font | None = None
    bold: bool | None = None
    italic: bool | None = None
    upper: bool | None = None
    anim: Animation | None = None
    bg: Backing | None = None
    pos: Position | None = None

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        return hex_color(v)


class Logo(_Wire):
    src: str  # asset://<id>
    pos: Corner = "top-right"
    scale: float = Field(default=0.12, gt=0, le=0.5)  # width relative to the video's width


class Brand(_Wire):
    name: str | None = None
    colors: list[str] = Field(default_factory=list)  # primary first: "#rrggbb"
    handle: str | None = None  # "@candleco"
    url: str | None = None  # "candleco.com"

    @field_validator("colors")
    @classmethod
    def _colors(cls, v: list[str]) -> list[str]:
        return [c for c in (hex_color(x) for x in v) if c][:4]


class EndCard(_Wire):
    """The closing card: brand, logo, call to action, handle or URL, over the last `d` ms (2-3 s)."""

    enabled: bool = True
    d: Ms = 2500


class DraftMeta(_Wire):
    """The whole video: `title` (copy of the title text), `width`/`height` (always the canvas of
    `aspect`), `fps`, `aspect` (16:9, 9:16, 1:1, 4:5, 3:4), `pace` (slow, normal, fast: how fast the
    renderer cuts and moves; the director never repeats shots for it), `transition` (the style every
    shot uses), `style` (minimal, bold, elegant, playful, luxury; None: the renderer's default),
    `brand` (colours for the whole video, name, handle, URL), `logo`, `end_card` (None: an end card
    when there is a call to action; `enabled: false`: none), `text_styles` (the director's memory of
    the looks asked per role or "all", copied onto new text; the renderer reads the segments),
    `language` (of the words on screen: pick a CJK font for "zh"), `prompt` (the description the video
    was made from; not rendered).
    """

    title: str = ""
    width: int = 1920
    height: int = 1080
    fps: int = FPS
    aspect: Aspect = "16:9"
    pace: Pace = "normal"
    transition: TransitionType | None = None
    style: StyleName | None = None
    brand: Brand | None = None
    logo: Logo | None = None
    end_card: EndCard | None = None
    text_styles: dict[str, TextStyle] | None = None
    language: str = "en"
    prompt: str = ""


class Draft(_Wire):
    d: Ms = 0
    m: DraftMeta = Field(default_factory=DraftMeta)
    t: list[Track] = Field(default_factory=list)

    # --- wire -------------------------------------------------------------------------------
    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Self:
        return cls.model_validate(raw)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    # --- tracks -----------------------------------------------------------------------------
    def _track(self, kind: TrackKind, create: bool) -> Any:
        for tr in self.t:
            if tr.tt == kind:
                return tr
        if not create:
            return None
        new = _TRACK_CLASS[kind]()
        self.t.append(new)
        order = {int(k): n for n, k in enumerate(TRACK_ORDER)}
        self.t.sort(key=lambda tr: order.get(int(tr.tt), len(order)))
        return new

    def visual_track(self, *, create: bool = False) -> VisualTrack | None:
        track: VisualTrack | None = self._track(TrackKind.VISUAL, create)
        return track

    def music_track(self, *, create: bool = False) -> MusicTrack | None:
        track: MusicTrack | None = self._track(TrackKind.MUSIC, create)
        return track

    def voice_track(self, *, create: bool = False) -> VoiceTrack | None:
        track: VoiceTrack | None = self._track(TrackKind.VOICE, create)
        return track

    def text_track(self, *, create: bool = False) -> TextTrack | None:
        track: TextTrack | None = self._track(TrackKind.TEXT, create)
        return track

    @property
    def visuals(self) -> list[VisualSegment]:
        tr = self.visual_track()
        return tr.sg if tr is not None else []

    def texts(self, role: str | None = None) -> list[TextSegment]:
        tr = self.text_track()
        return [s for s in (tr.sg if tr is not None else []) if role is None or s.m.role == role]

    @property
    def music(self) -> MusicSegment | None:
        tr = self.music_track()
        return tr.sg[0] if tr is not None and tr.sg else None

    @property
    def voice(self) -> VoiceSegment | None:
        tr = self.voice_track()
        return tr.sg[0] if tr is not None and tr.sg else None

    def drop_empty_tracks(self) -> None:
        """A track with no segments is removed ("ready to export" stays a plain check)."""
        self.t = [tr for tr in self.t if tr.sg]

    def new_id(self, prefix: str) -> str:
        """The lowest free `<prefix><n>` id (ids are unique in a draft and kept across edits)."""
        used = {s.id for tr in self.t for s in tr.sg}
        n = 1
        while f"{prefix}{n}" in used:
            n += 1
        return f"{prefix}{n}"

    @property
    def canvas(self) -> tuple[int, int]:
        return CANVAS.get(self.m.aspect, (self.m.width, self.m.height))
