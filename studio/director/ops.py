"""The edit language: every operation the director can do, as a typed, validated pydantic model.

Each operation is a model whose fields are its arguments (with their validation), whose class
docstring is its description, and whose `apply` changes a draft and says what it did (`Change`).
On the wire an operation is a `ToolCall` (`{"name", "args"}`), streamed as an ADK `functionCall`;
`apply_call(draft, call, assets)` validates the call into its model, applies it to a copy of the
draft and ends with the timing rules, so the result is always valid and the call replays to the
same draft. A call whose arguments do not validate, or that does not fit the draft, is refused
with the draft untouched.

`tool_schema()` exports every operation as one JSON document shaped like a cloud agent's tool list
(`[{"name", "description", "parameters": <JSON schema>}]`, the OpenAI / Google ADK function
declaration form), so an LLM director can be given exactly the calls this module applies.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from common.voice import voice_available
from studio.director import voiceover
from studio.director.build import SYNTH_VOL, CreateArgs, build_draft, shot_segment, text_segment
from studio.director.models import Asset, Change, ToolCall
from studio.director.summary import summary
from studio.director.timeline import clamp_total, fit, refit, retime, set_aspect
from studio.draft import (
    Aspect,
    Brand,
    Corner,
    Draft,
    EndCard,
    Font,
    Logo,
    MusicMeta,
    MusicSegment,
    Pace,
    Position,
    StyleName,
    TextSize,
    TextStyle,
    TransitionType,
    VoiceMeta,
    VoiceSegment,
    hex_color,
)

TextTarget = Literal["title", "subtitle", "caption", "cta", "text", "price", "offer", "all"]
Animation = Literal["none", "fade", "pop", "slide", "typewriter", "words"]
STYLE_FIELDS = ("color", "size", "font", "bold", "italic", "upper", "anim", "pos")
TEXT_MAX = 200


class Op(BaseModel):
    """Base of every operation: `name` is the tool name, `invalid` the refusal when the args fail."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: ClassVar[str] = ""
    invalid: ClassVar[str] = "bad_args"
    session: ClassVar[bool] = False  # works on the session's versions, not on a draft

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:  # pragma: no cover - every op overrides
        raise NotImplementedError


# --- the video ---------------------------------------------------------------------------------
class CreateDraft(Op, CreateArgs):
    """Make a new video from the session's uploads (photos and clips in order; none: title cards
    from the words) and the words on screen. Replaces the current draft."""

    name: ClassVar[str] = "create_draft"

    def build(self, assets: list[Asset]) -> Draft:
        return build_draft(self, assets)


class SetDuration(Op):
    """Change the length of the video; the shots are rescaled (clamped to 5-120 s)."""

    name: ClassVar[str] = "set_duration"
    ms: int = Field(ge=1, description="the new length in ms")

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if clamp_total(self.ms) == draft.d:
            return Change("same_duration", {"ms": draft.d}, refused=True)
        fit(draft, self.ms)
        return Change("duration", {"ms": draft.d, "asked": self.ms})


class SetAspect(Op):
    """Change the canvas: 16:9 (YouTube), 9:16 (TikTok, Reels, Shorts, 抖音, 视频号), 1:1, 4:5
    (Instagram feed), 3:4 (小红书)."""

    name: ClassVar[str] = "set_aspect"
    invalid: ClassVar[str] = "bad_aspect"
    aspect: Aspect

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if self.aspect == draft.m.aspect:
            return Change("same_aspect", {"aspect": self.aspect}, refused=True)
        set_aspect(draft, self.aspect)
        w, h = draft.canvas
        return Change("aspect", {"aspect": self.aspect, "w": w, "h": h})


class SetPace(Op):
    """How fast the video cuts: the renderer cuts faster and moves quicker; shots are never repeated."""

    name: ClassVar[str] = "set_pace"
    invalid: ClassVar[str] = "bad_pace"
    pace: Pace

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if self.pace == draft.m.pace:
            return Change("same_pace", {"pace": self.pace}, refused=True)
        draft.m.pace = self.pace
        return Change("pace", {"pace": self.pace})


class SetTransition(Op):
    """The transition between every two shots."""

    name: ClassVar[str] = "set_transition"
    invalid: ClassVar[str] = "bad_transition"
    type: TransitionType

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if self.type == (draft.m.transition or "fade"):
            return Change("same_transition", {"type": self.type}, refused=True)
        draft.m.transition = self.type
        refit(draft)
        return Change("transition", {"type": self.type})


class SetStyle(Op):
    """The look of the whole video (fonts, colours, text motion, end card design are the renderer's)."""

    name: ClassVar[str] = "set_style"
    invalid: ClassVar[str] = "bad_style"
    style: StyleName

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if self.style == draft.m.style:
            return Change("same_style", {"style": self.style}, refused=True)
        draft.m.style = self.style
        return Change("style", {"style": self.style})


class SetBrand(Op):
    """The brand: colours used across the whole video (primary first), name, handle and website for
    the end card. Fields left out keep their value."""

    name: ClassVar[str] = "set_brand"
    colors: list[str] | None = Field(default=None, max_length=4, description='"#rrggbb", primary first')
    brand_name: str | None = Field(default=None, alias="name", max_length=60)
    handle: str | None = Field(default=None, max_length=40, pattern=r"^@\S+$")
    url: str | None = Field(default=None, max_length=100)

    @field_validator("colors")
    @classmethod
    def _colors(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else [c for c in (hex_color(x) for x in v) if c]

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        brand = draft.m.brand.model_copy(deep=True) if draft.m.brand else Brand()
        if self.colors:
            brand.colors = self.colors
        for key, value in (("name", self.brand_name), ("handle", self.handle), ("url", self.url)):
            if value:
                setattr(brand, key, value)
        if brand == draft.m.brand or not (self.colors or self.brand_name or self.handle or self.url):
            return Change("same_brand", refused=True)
        draft.m.brand = brand
        return Change(
            "brand", {"colors": brand.colors, "name": self.brand_name, "handle": self.handle, "url": self.url}
        )


class SetEndCard(Op):
    """Close the video on a clean end card (brand, logo, call to action, handle or website), or not."""

    name: ClassVar[str] = "set_end_card"
    enabled: bool

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        now = draft.m.end_card.enabled if draft.m.end_card else None
        if now is self.enabled:
            return Change("same_end_card", {"enabled": self.enabled}, refused=True)
        draft.m.end_card = EndCard(enabled=self.enabled, d=min(2500, max(1000, draft.d // 4)))
        return Change("end_card", {"enabled": self.enabled})


# --- words on screen ---------------------------------------------------------------------------
def _set_text(draft: Draft, role: str, text: str, pos: str | None = None) -> None:
    existing = draft.texts(role)
    if existing:
        existing[0].m.text = text
        if pos:
            existing[0].m.pos = pos  # type: ignore[assignment]
        return
    seg = text_segment(draft, role, text, pos)
    track = draft.text_track(create=True)
    assert track is not None
    track.sg.append(seg)


def _remove_role(draft: Draft, role: str, text: str | None = None) -> bool:
    track = draft.text_track()
    if track is None:
        return False
    keep = [s for s in track.sg if not (s.m.role == role and (text is None or s.m.text == text))]
    if len(keep) == len(track.sg):
        return False
    track.sg = keep
    retime(draft)
    return True


class _TextOp(Op):
    text: str = Field(min_length=1, max_length=TEXT_MAX)

    @field_validator("text")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("empty text")
        return v


class SetTitle(_TextOp):
    """The title (the hook, shown first)."""

    name: ClassVar[str] = "set_title"
    invalid: ClassVar[str] = "need_title_text"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if draft.texts("title") and draft.texts("title")[0].m.text == self.text:
            return Change("same_title", {"text": self.text}, refused=True)
        _set_text(draft, "title", self.text)
        retime(draft)
        return Change("title", {"text": self.text})


class SetSubtitle(_TextOp):
    """The line under the title (a tagline), shown with it."""

    name: ClassVar[str] = "set_subtitle"
    invalid: ClassVar[str] = "need_subtitle_text"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        _set_text(draft, "subtitle", self.text)
        retime(draft)
        return Change("subtitle", {"text": self.text})


class SetCta(_TextOp):
    """The call to action the video ends with ("Shop now", "Book now", "立即购买")."""

    name: ClassVar[str] = "set_cta"
    invalid: ClassVar[str] = "need_cta_text"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if draft.texts("cta") and draft.texts("cta")[0].m.text == self.text:
            return Change("same_cta", {"text": self.text}, refused=True)
        _set_text(draft, "cta", self.text)
        retime(draft)
        return Change("cta", {"text": self.text})


class SetOffer(_TextOp):
    """The offer ("Free shipping this week", "20% off", "全场八折"), shown over the body of the video."""

    name: ClassVar[str] = "set_offer"
    invalid: ClassVar[str] = "need_offer_text"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        _set_text(draft, "offer", self.text)
        retime(draft)
        return Change("offer", {"text": self.text})


class SetPrice(Op):
    """A price tag ("$24", "99元"), shown over the body of the video."""

    name: ClassVar[str] = "set_price"
    invalid: ClassVar[str] = "need_price_text"
    text: str = Field(min_length=1, max_length=40)
    pos: Position | None = None

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        _set_text(draft, "price", self.text.strip(), self.pos)
        retime(draft)
        return Change("price", {"text": self.text.strip()})


class AddText(Op):
    """A free line of text over the video ("Free shipping" at the top)."""

    name: ClassVar[str] = "add_text"
    invalid: ClassVar[str] = "need_text"
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    pos: Position | None = None

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        text = self.text.strip()
        if any(s.m.text == text for s in draft.texts("text")):
            return Change("same_text", {"text": text}, refused=True)
        track = draft.text_track(create=True)
        assert track is not None
        track.sg.append(text_segment(draft, "text", text, self.pos))
        retime(draft)
        return Change("text", {"text": text, "pos": self.pos or draft.texts("text")[-1].m.pos})


class SetCaptions(Op):
    """Replace the captions: one line each, shown one after the other."""

    name: ClassVar[str] = "set_captions"
    invalid: ClassVar[str] = "need_caption_text"
    lines: list[str] = Field(min_length=1, max_length=40)

    @field_validator("lines")
    @classmethod
    def _lines(cls, v: list[str]) -> list[str]:
        lines = [line.strip() for line in v if line.strip()]
        if not lines:
            raise ValueError("no caption text")
        return lines

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        before = draft.texts("caption")
        if [s.m.text for s in before] == self.lines:
            return Change("same_captions", {"count": len(self.lines)}, refused=True)
        look = before[0].m if before else None
        _remove_role(draft, "caption")
        track = draft.text_track(create=True)
        assert track is not None
        for line in self.lines:
            seg = text_segment(draft, "caption", line, None)
            if look is not None:  # new lines keep the look the old ones had
                for key in STYLE_FIELDS:
                    if getattr(look, key) is not None:
                        setattr(seg.m, key, getattr(look, key))
            track.sg.append(seg)
        retime(draft)
        shown = len(draft.texts("caption"))
        return Change("captions", {"count": shown, "dropped": len(self.lines) - shown})


class _RemoveRole(Op):
    role: ClassVar[str] = ""
    missing: ClassVar[str] = ""

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if _remove_role(draft, self.role):
            return Change(f"{self.role}_removed")
        return Change(self.missing, refused=True)


class RemoveTitle(_RemoveRole):
    """Take the title off."""

    name: ClassVar[str] = "remove_title"
    role: ClassVar[str] = "title"
    missing: ClassVar[str] = "no_title"


class RemoveSubtitle(_RemoveRole):
    """Take the subtitle off."""

    name: ClassVar[str] = "remove_subtitle"
    role: ClassVar[str] = "subtitle"
    missing: ClassVar[str] = "no_subtitle"


class RemoveCaptions(_RemoveRole):
    """Take every caption off."""

    name: ClassVar[str] = "remove_captions"
    role: ClassVar[str] = "caption"
    missing: ClassVar[str] = "no_captions"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if _remove_role(draft, "caption"):
            return Change("captions_removed")
        return Change("no_captions", refused=True)


class RemoveCta(_RemoveRole):
    """Take the call to action off."""

    name: ClassVar[str] = "remove_cta"
    role: ClassVar[str] = "cta"
    missing: ClassVar[str] = "no_cta"


class RemoveOffer(_RemoveRole):
    """Take the offer off."""

    name: ClassVar[str] = "remove_offer"
    role: ClassVar[str] = "offer"
    missing: ClassVar[str] = "no_offer"


class RemovePrice(_RemoveRole):
    """Take the price tag off."""

    name: ClassVar[str] = "remove_price"
    role: ClassVar[str] = "price"
    missing: ClassVar[str] = "no_price"


class RemoveText(Op):
    """Take free text off: the line with this text, or every free line when `text` is left out."""

    name: ClassVar[str] = "remove_text"
    text: str | None = None

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if _remove_role(draft, "text", self.text):
            return Change("text_removed")
        return Change("no_text", refused=True)


class StyleText(Op):
    """The look of one kind of text (or of all text): colour, size, font, bold, italic, capitals,
    animation, position. Fields left out keep their value; later text of that kind gets the same look."""

    name: ClassVar[str] = "style_text"
    invalid: ClassVar[str] = "bad_style_text"
    target: TextTarget = Field(description="which text: a role, or all")
    color: str | None = Field(default=None, description='"#rrggbb"')
    size: TextSize | None = None
    font: Font | None = None
    bold: bool | None = None
    italic: bool | None = None
    upper: bool | None = None
    anim: Animation | None = None
    pos: Position | None = None

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        return hex_color(v)

    def fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in STYLE_FIELDS if getattr(self, k) is not None}

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        values = self.fields()
        if not values:
            return Change("bad_style_text", refused=True)
        segs = draft.texts() if self.target == "all" else draft.texts(self.target)
        if self.target == "all":
            values.pop("pos", None)  # every text in one place would pile them up
            if not values:
                return Change("bad_style_text", refused=True)
        if not segs:
            return Change("no_such_text", {"target": self.target}, refused=True)
        changed = False
        for seg in segs:
            for key, value in values.items():
                if getattr(seg.m, key) != value:
                    setattr(seg.m, key, value)
                    changed = True
        if not changed:
            return Change("same_text_style", {"target": self.target, **values}, refused=True)
        styles = dict(draft.m.text_styles or {})
        memory = styles.get(self.target, TextStyle()).model_copy(update=values)
        styles[self.target] = TextStyle.model_validate(memory.model_dump(exclude_none=True))
        draft.m.text_styles = styles
        return Change("text_style", {"target": self.target, **values})


# --- shots -------------------------------------------------------------------------------------
def _index(draft: Draft, value: int) -> int | None:
    return value - 1 if 1 <= value <= len(draft.visuals) else None


class _ShotOp(Op):
    invalid: ClassVar[str] = "no_shot"


class MoveShot(_ShotOp):
    """Move a shot to another place (1-based positions; `to` is where it ends up)."""

    name: ClassVar[str] = "move_shot"
    from_: int = Field(ge=1, alias="from")
    to: int = Field(ge=1)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        src, dst = _index(draft, self.from_), _index(draft, self.to)
        if src is None or dst is None or src == dst:
            return Change("no_shot", {"count": len(draft.visuals)}, refused=True)
        segs = draft.visuals
        segs.insert(dst, segs.pop(src))
        refit(draft)
        return Change("shot_moved", {"from": src + 1, "to": dst + 1, "count": len(segs)})


class SwapShots(_ShotOp):
    """Swap two shots (1-based)."""

    name: ClassVar[str] = "swap_shots"
    a: int = Field(ge=1)
    b: int = Field(ge=1)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        a, b = _index(draft, self.a), _index(draft, self.b)
        if a is None or b is None or a == b:
            return Change("no_shot", {"count": len(draft.visuals)}, refused=True)
        segs = draft.visuals
        segs[a], segs[b] = segs[b], segs[a]
        refit(draft)
        return Change("shots_swapped", {"a": a + 1, "b": b + 1})


class RemoveShot(_ShotOp):
    """Take a shot out (1-based); the video keeps its length."""

    name: ClassVar[str] = "remove_shot"
    index: int = Field(ge=1)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        i = _index(draft, self.index)
        if i is None:
            return Change("no_shot", {"count": len(draft.visuals)}, refused=True)
        segs = draft.visuals
        if len(segs) == 1:
            return Change("last_shot", refused=True)
        gone = segs.pop(i)
        refit(draft)
        return Change("shot_removed", {"index": i + 1, "name": gone.m.name, "count": len(segs)})


class DuplicateShot(_ShotOp):
    """Show a shot once more: the copy goes right after it, or to position `to`."""

    name: ClassVar[str] = "duplicate_shot"
    index: int = Field(ge=1)
    to: int | None = Field(default=None, ge=1, description="where the copy ends up (1-based; default: next)")

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        i = _index(draft, self.index)
        segs = draft.visuals
        if i is None or (self.to is not None and self.to > len(segs) + 1):
            return Change("no_shot", {"count": len(segs)}, refused=True)
        copy = segs[i].model_copy(deep=True)
        copy.id = draft.new_id("v")
        at = (self.to - 1) if self.to is not None else i + 1
        segs.insert(at, copy)
        refit(draft)
        return Change("shot_duplicated", {"index": i + 1, "to": at + 1, "count": len(segs)})


class SetShotWeight(_ShotOp):
    """How long a shot lasts next to the others (1 = the same share; 2 = twice as long); the video
    keeps its length."""

    name: ClassVar[str] = "set_shot_weight"
    index: int = Field(ge=1)
    weight: float = Field(gt=0, le=8)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        i = _index(draft, self.index)
        if i is None:
            return Change("no_shot", {"count": len(draft.visuals)}, refused=True)
        seg = draft.visuals[i]
        weight = round(self.weight, 2)
        if (seg.m.weight or 1.0) == weight:
            return Change("same_weight", {"index": i + 1}, refused=True)
        seg.m.weight = None if weight == 1.0 else weight
        refit(draft)
        return Change("shot_weight", {"index": i + 1, "longer": weight > 1.0, "ms": draft.visuals[i].d})


class TrimShot(_ShotOp):
    """Use part of a clip: it starts at `start_ms` of its source and ends by `end_ms`."""

    name: ClassVar[str] = "trim_shot"
    index: int = Field(ge=1)
    start_ms: int | None = Field(default=None, ge=0)
    end_ms: int | None = Field(default=None, ge=1)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        i = _index(draft, self.index)
        if i is None:
            return Change("no_shot", {"count": len(draft.visuals)}, refused=True)
        seg = draft.visuals[i]
        if seg.m.kind != "video":
            return Change("not_a_clip", {"index": i + 1}, refused=True)
        start = self.start_ms if self.start_ms is not None else seg.m.start_in
        end = self.end_ms if self.end_ms is not None else seg.m.trim_out
        source = seg.m.src_d
        if (source and start >= source - 300) or (end is not None and end - start < 300):
            return Change("bad_trim", {"index": i + 1}, refused=True)
        if source and end is not None and end >= source:
            end = None
        if (seg.m.start_in, seg.m.trim_out) == (start, end):
            return Change("same_trim", {"index": i + 1}, refused=True)
        seg.m.trim_in, seg.m.trim_out = start, end
        refit(draft)
        return Change("shot_trimmed", {"index": i + 1, "start": start, "end": end})


class AddShots(Op):
    """Add uploaded photos or clips as new shots at the end (title cards are replaced)."""

    name: ClassVar[str] = "add_shots"
    invalid: ClassVar[str] = "no_new_media"
    assets: list[str] = Field(min_length=1)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        by_id = {a.id: a for a in assets if a.kind in ("image", "video")}
        new = [by_id[i] for i in self.assets if i in by_id]
        if not new:
            return Change("no_new_media", refused=True)
        segs = draft.visuals
        if segs and segs[0].m.kind == "color":
            segs.clear()
        for asset in new:
            segs.append(shot_segment(draft.new_id("v"), asset))
        refit(draft)
        return Change("shots_added", {"count": len(new), "total": len(segs)})


# --- music, logo -------------------------------------------------------------------------------
class SetMusic(Op):
    """The background music: a generated bed (synth://lofi, synth://upbeat, synth://calm) or the
    user's own upload (asset://<id>)."""

    name: ClassVar[str] = "set_music"
    invalid: ClassVar[str] = "bad_music"
    src: str = Field(pattern=r"^(synth|asset)://[\w.-]+$")
    music_name: str = Field(default="Music", alias="name")
    vol: float | None = Field(default=None, ge=0.0, le=1.0)
    src_d: int | None = Field(default=None, ge=1)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        old = draft.music
        if old is not None and old.m.src == self.src:
            return Change("same_music", {"name": old.m.name}, refused=True)
        vol = self.vol if self.vol is not None else (old.m.vol if old else SYNTH_VOL)
        meta = MusicMeta(src=self.src, name=self.music_name or "Music", vol=vol, src_d=self.src_d)
        track = draft.music_track(create=True)
        assert track is not None
        track.sg = [MusicSegment(id=old.id if old else "a1", st=0, d=0, m=meta)]
        retime(draft)
        return Change("music", {"name": meta.name, "src": self.src})


class RemoveMusic(Op):
    """No background music (clips play their own sound)."""

    name: ClassVar[str] = "remove_music"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        track = draft.music_track()
        if track is None or not track.sg:
            return Change("no_music", refused=True)
        track.sg = []
        retime(draft)
        return Change("music_removed")


class SetMusicVolume(Op):
    """The music's volume, 0.05-1.0."""

    name: ClassVar[str] = "set_music_volume"
    vol: float = Field(ge=0.0, le=1.0)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        song = draft.music
        if song is None:
            return Change("no_music", refused=True)
        before = song.m.vol
        vol = round(max(0.05, min(1.0, self.vol)), 2)
        if vol == before:
            return Change("volume_limit", {"percent": round(vol * 100)}, refused=True)
        song.m.vol = vol
        return Change("music_volume", {"percent": round(vol * 100), "up": vol > before})


class AddLogo(Op):
    """Put the user's logo (an uploaded image) in a corner; `scale` is its width over the video's."""

    name: ClassVar[str] = "add_logo"
    invalid: ClassVar[str] = "no_logo_asset"
    src: str = Field(pattern=r"^asset://[\w.-]+$")
    pos: Corner = "top-right"
    scale: float = Field(default=0.12, gt=0, le=0.5)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        logo = Logo(src=self.src, pos=self.pos, scale=self.scale)
        if draft.m.logo == logo:
            return Change("same_logo", {"pos": self.pos}, refused=True)
        bigger = draft.m.logo is not None and self.scale > draft.m.logo.scale
        smaller = draft.m.logo is not None and self.scale < draft.m.logo.scale
        draft.m.logo = logo
        return Change("logo_resized" if bigger or smaller else "logo", {"pos": self.pos, "bigger": bigger})


class RemoveLogo(Op):
    """Take the logo off."""

    name: ClassVar[str] = "remove_logo"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        if draft.m.logo is None:
            return Change("no_logo", refused=True)
        draft.m.logo = None
        return Change("logo_removed")


# --- the voice-over (docs/voice.md) ------------------------------------------------------------
VOICE_SRC = "tts://kokoro"
VOICE_TOLD = "voice_caveat"  # a DraftMeta extra: the accent caveat was said in this session


def _voice_ready(language: str) -> bool:
    ok, _why = voice_available(language)
    return ok


class SetVoiceover(Op):
    """A spoken voice-over (synthetic, offline) over the whole video, the music ducked under it and
    the captions timed to it. `script`: the words to say (≤ 60 English words or ≤ 120 Chinese
    characters); none: written from the words on screen, or from the description (`source`). The
    video is lengthened when the narration needs it."""

    name: ClassVar[str] = "set_voiceover"
    invalid: ClassVar[str] = "bad_voiceover"
    script: str | None = Field(default=None, max_length=1000)
    source: Literal["brief", "description"] = "brief"
    language: Literal["en", "zh"] | None = None
    speed: float | None = Field(default=None, ge=0.5, le=2.0)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        old = draft.voice
        script = (self.script or "").strip() or voiceover.write_script(draft, self.source, self.language)
        if not script:
            return Change("voiceover_no_words", refused=True)
        lang = self.language or voiceover.language_of(script)
        if voiceover.too_long(script, lang):
            limit = voiceover.MAX_CHARS if lang == "zh" else voiceover.MAX_WORDS
            return Change("voiceover_too_long", {"limit": limit}, refused=True)
        if not _voice_ready(lang):
            return Change("voice_unavailable", refused=True)
        speed = self.speed if self.speed is not None else (old.m.speed if old is not None else 1.0)
        if old is not None and old.m.text == script and old.m.speed == speed and old.m.language == lang:
            return Change("same_voiceover", refused=True)
        need = voiceover.spoken_ms(script, lang, speed)
        lengthened = False
        if draft.visuals and need > draft.d:
            fit(draft, need)
            lengthened = True
        meta = VoiceMeta(text=script, src=VOICE_SRC, language=lang, speed=speed)
        track = draft.voice_track(create=True)
        assert track is not None
        track.sg = [VoiceSegment(id=old.id if old else "n1", st=0, d=draft.d, m=meta)]
        retime(draft)
        first = not getattr(draft.m, VOICE_TOLD, False)
        setattr(draft.m, VOICE_TOLD, True)
        said = script.rstrip(".。")
        return Change("voiceover", {"script": said, "lang": lang, "first": first, "ms": draft.d,
                                    "lengthened": lengthened})


class RemoveVoiceover(Op):
    """No voice-over: the narration is taken off (the music plays at its own level again)."""

    name: ClassVar[str] = "remove_voiceover"

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        track = draft.voice_track()
        if track is None or not track.sg:
            return Change("no_voiceover", refused=True)
        track.sg = []
        retime(draft)
        return Change("voiceover_removed")


class SetVoiceoverSpeed(Op):
    """How fast the voice-over speaks: 1.0 normal, 0.85 slower, 1.15 faster (0.7-1.3)."""

    name: ClassVar[str] = "set_voiceover_speed"
    speed: float = Field(ge=0.5, le=2.0)

    def apply(self, draft: Draft, assets: list[Asset]) -> Change:
        voice = draft.voice
        if voice is None:
            return Change("no_voiceover", refused=True)
        speed = round(max(0.7, min(1.3, self.speed)), 2)
        if speed == voice.m.speed:
            return Change("voice_speed_limit", {"slower": speed < 1.0}, refused=True)
        slower = speed < voice.m.speed
        voice.m.speed = speed
        need = voiceover.spoken_ms(voice.m.text, voice.m.language, speed)
        if draft.visuals and need > draft.d:
            fit(draft, need)
        retime(draft)
        return Change("voice_speed", {"slower": slower, "percent": round(speed * 100)})


# --- the session's versions (applied by the studio, not to a draft) ----------------------------
class Undo(Op):
    """Go back to the version before the last change."""

    name: ClassVar[str] = "undo"
    session: ClassVar[bool] = True


class Redo(Op):
    """Bring back the change that was undone."""

    name: ClassVar[str] = "redo"
    session: ClassVar[bool] = True


class RestoreVersion(Op):
    """Make an earlier version current ("go back to version 3"); every version stays listed."""

    name: ClassVar[str] = "restore_version"
    invalid: ClassVar[str] = "no_version"
    session: ClassVar[bool] = True
    version: int = Field(ge=1)


class ListVersions(Op):
    """List the session's versions with their one-line labels."""

    name: ClassVar[str] = "list_versions"
    session: ClassVar[bool] = True


OPERATIONS: tuple[type[Op], ...] = (
    CreateDraft,
    SetDuration,
    SetAspect,
    SetPace,
    SetTransition,
    SetStyle,
    SetBrand,
    SetEndCard,
    SetTitle,
    RemoveTitle,
    SetSubtitle,
    RemoveSubtitle,
    SetCaptions,
    RemoveCaptions,
    SetCta,
    RemoveCta,
    SetOffer,
    RemoveOffer,
    SetPrice,
    RemovePrice,
    AddText,
    RemoveText,
    StyleText,
    MoveShot,
    SwapShots,
    RemoveShot,
    DuplicateShot,
    SetShotWeight,
    TrimShot,
    AddShots,
    SetMusic,
    RemoveMusic,
    SetMusicVolume,
    AddLogo,
    RemoveLogo,
    SetVoiceover,
    RemoveVoiceover,
    SetVoiceoverSpeed,
    Undo,
    Redo,
    RestoreVersion,
    ListVersions,
)
BY_NAME: dict[str, type[Op]] = {op.name: op for op in OPERATIONS}

# the order a turn's edits are applied and reported in (shots first, the canvas last)
ORDER: tuple[str, ...] = (
    "create_draft",
    "add_shots",
    "remove_shot",
    "move_shot",
    "swap_shots",
    "duplicate_shot",
    "trim_shot",
    "set_shot_weight",
    "set_title",
    "remove_title",
    "set_subtitle",
    "remove_subtitle",
    "set_captions",
    "remove_captions",
    "add_text",
    "remove_text",
    "set_price",
    "remove_price",
    "set_offer",
    "remove_offer",
    "set_cta",
    "remove_cta",
    "style_text",
    "set_music",
    "remove_music",
    "set_music_volume",
    "add_logo",
    "remove_logo",
    "remove_voiceover",
    "set_voiceover",
    "set_voiceover_speed",
    "set_brand",
    "set_style",
    "set_end_card",
    "set_transition",
    "set_duration",
    "set_pace",
    "set_aspect",
)


def parse_call(call: ToolCall) -> Op | Change:
    """The call as its operation model, or the refusal that says why it is not one."""
    cls = BY_NAME.get(call.name)
    if cls is None:
        return Change("unknown_call", {"name": call.name}, refused=True)
    try:
        return cls.model_validate(call.args)
    except ValidationError:
        return Change(cls.invalid, {"name": call.name}, refused=True)


def to_call(op: Op) -> ToolCall:
    return ToolCall(name=op.name, args=op.model_dump(mode="json", by_alias=True, exclude_none=True))


def call(op: str, /, **args: Any) -> ToolCall:
    """A validated call (raises when the arguments do not fit the operation: a director bug)."""
    return to_call(BY_NAME[op].model_validate({k: v for k, v in args.items() if v is not None}))


def apply_call(draft: Draft | None, call: ToolCall, assets: list[Asset]) -> tuple[Draft | None, Change]:
    """Apply one tool call to a copy of the draft; a refused call returns the draft unchanged."""
    op = parse_call(call)
    if isinstance(op, Change):
        return draft, op
    if isinstance(op, CreateDraft):
        new = op.build(assets)
        return new, Change("created", summary(new, op))
    if op.session:
        return draft, Change("session_call", {"name": op.name}, refused=True)
    if draft is None:
        return None, Change("no_draft", refused=True)
    work = draft.model_copy(deep=True)
    change = op.apply(work, assets)
    return (draft if change.refused else work), change


def apply_calls(
    draft: Draft | None, calls: list[ToolCall], assets: list[Asset]
) -> tuple[Draft | None, list[tuple[ToolCall, Change]]]:
    """Apply a turn's calls in order on one copy (what `apply_call` one by one would give, without a
    copy per call: an operation that refuses has not touched the draft)."""
    work = draft.model_copy(deep=True) if draft is not None else None
    out: list[tuple[ToolCall, Change]] = []
    for tool_call in calls:
        op = parse_call(tool_call)
        if isinstance(op, Change):
            out.append((tool_call, op))
        elif isinstance(op, CreateDraft):
            work = op.build(assets)
            out.append((tool_call, Change("created", summary(work, op))))
        elif op.session:
            out.append((tool_call, Change("session_call", {"name": op.name}, refused=True)))
        elif work is None:
            out.append((tool_call, Change("no_draft", refused=True)))
        else:
            out.append((tool_call, op.apply(work, assets)))
    return work, out


# --- the schema --------------------------------------------------------------------------------
def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema with `$ref`s resolved, optional fields plain (not "X or null") and titles
    dropped: function declarations (OpenAI, Gemini / ADK) want plain objects."""
    defs = schema.pop("$defs", {})

    def walk(node: Any, names: bool = False) -> Any:
        """`names`: node maps property names to schemas (a property may be called "title")."""
        if isinstance(node, dict):
            if "$ref" in node and not names:
                target = defs[node["$ref"].rsplit("/", 1)[-1]]
                return walk({k: v for k, v in node.items() if k != "$ref"} | target)
            options = node.get("anyOf") if not names else None
            if options and len(options) == 2 and {"type": "null"} in options:
                # optional: the field is simply not required (function declarations have no null)
                other = next(o for o in options if o != {"type": "null"})
                rest = {k: v for k, v in node.items() if k != "anyOf" and not (k == "default" and v is None)}
                return walk(rest | other)
            return {
                k: walk(v, names=not names and k == "properties")
                for k, v in node.items()
                if names or not (k == "title" and isinstance(v, str))
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: dict[str, Any] = walk(schema)
    out.pop("description", None)  # the tool's description says it
    out.setdefault("properties", {})
    out["type"] = "object"
    return out


def _description(op: type[Op]) -> str:
    return " ".join((op.__doc__ or op.name).split())


def tool_schema() -> list[dict[str, Any]]:
    """Every operation as a tool declaration: `[{"name", "description", "parameters"}]`."""
    return [
        {
            "name": op.name,
            "description": _description(op),
            "parameters": _inline(op.model_json_schema(by_alias=True)),
        }
        for op in OPERATIONS
    ]
