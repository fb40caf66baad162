"""What a creator notices about a draft, as flat facts (`facts(draft)`), and an in-memory session.

The corpus (corpus/*.yaml) states its expectations in these facts; the property check compares the
facts before and after an edit, so an edit that moves anything it was not asked to move fails.
Timings are not facts: they follow from the length and the timing rules (checked by `check_draft`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.director import Asset, DirectorTurn, History, RuleDirector, check_draft
from studio.draft import Draft

ROLES = ("title", "subtitle", "caption", "cta", "text", "price", "offer")
PROPS = ("color", "size", "font", "bold", "italic", "upper", "anim", "pos")


def facts(draft: Draft | None) -> dict[str, Any]:
    if draft is None:
        return {}
    m = draft.m
    f: dict[str, Any] = {
        "d": draft.d,
        "aspect": m.aspect,
        "pace": m.pace,
        "transition": m.transition or "fade",
        "style": m.style,
        "end_card": m.end_card.enabled if m.end_card else None,
        "logo": m.logo.pos if m.logo else None,
        "logo.scale": m.logo.scale if m.logo else None,
        "brand": list(m.brand.colors) if m.brand else [],
        "brand.name": m.brand.name if m.brand else None,
        "brand.handle": m.brand.handle if m.brand else None,
        "brand.url": m.brand.url if m.brand else None,
    }
    segs = draft.visuals
    f["shots"] = [(s.m.src or s.m.color or "").removeprefix("asset://") for s in segs]
    f["kinds"] = sorted({s.m.kind for s in segs})
    weights = [s.m.weight or 1.0 for s in segs]
    f["weights"] = weights if any(w != 1.0 for w in weights) else None
    trims = {
        str(n): [s.m.start_in, s.m.trim_out]
        for n, s in enumerate(segs, 1)
        if s.m.kind == "video" and (s.m.start_in or s.m.trim_out)
    }
    f["trims"] = trims or None
    song = draft.music
    f["music"] = song.m.src.split("://", 1)[1] if song else None
    f["volume"] = round(song.m.vol * 100) if song else None
    for role in ("title", "subtitle", "cta", "price", "offer"):
        segs_ = draft.texts(role)
        f[role] = segs_[0].m.text if segs_ else None
    voice = draft.voice
    f["voiceover"] = voice.m.text if voice else None
    f["voice.speed"] = voice.m.speed if voice else None
    f["captions"] = [s.m.text for s in draft.texts("caption")]
    f["texts"] = [s.m.text for s in draft.texts("text")]
    for role in ROLES:
        segs_ = draft.texts(role)
        if segs_:
            for prop in PROPS:
                f[f"{role}.{prop}"] = getattr(segs_[0].m, prop)
    return f


def expand(want: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`all.color` → the colour of every text role the draft has."""
    out: dict[str, Any] = {}
    for key, value in want.items():
        if key.startswith("all."):
            prop = key.split(".", 1)[1]
            roles = [r for r in ROLES if f"{r}.{prop}" in after]
            for role in roles or ["title"]:
                out[f"{role}.{prop}"] = value
        else:
            out[key] = value
    return out


def allowed(want: dict[str, Any]) -> set[str]:
    """The facts an edit with these expectations may move (a role's looks go with the role)."""
    keys = set(want)
    for key in list(keys):
        role = {"captions": "caption", "texts": "text"}.get(key, key)
        if role in ROLES:
            keys.update(f"{role}.{p}" for p in PROPS)
        if key == "shots":
            keys.update(("weights", "trims", "kinds"))
        if key == "logo":
            keys.add("logo.scale")
        if key in ("voiceover", "voice.speed"):
            keys.update(("voiceover", "voice.speed", "d"))  # a narration may lengthen the video
        if key == "music":
            keys.add("volume")  # the user's own song comes in at its own level
    return keys


PHOTOS = [Asset(id=f"p{i}", kind="image", name=f"photo{i}.jpg", width=1600, height=1200) for i in range(1, 6)]
LOGO = Asset(id="logo1", kind="image", name="brand-logo.png", width=512, height=512)
JINGLE = Asset(id="s1", kind="audio", name="jingle.mp3", duration_ms=95000)
BEATS = Asset(id="s2", kind="audio", name="summer-beats.mp3", duration_ms=60000)
CLIPS = [
    Asset(id="c1", kind="video", name="beach.mp4", width=1920, height=1080, duration_ms=20000),
    Asset(id="c2", kind="video", name="surf.mp4", width=1920, height=1080, duration_ms=12000),
]
UPLOADS: dict[str, list[Asset]] = {
    "photos3": PHOTOS[:3],
    "photos5": PHOTOS,
    "none": [],
    "new": PHOTOS[:3],
    "new_text": [],
    "new_clips": CLIPS,
    "new_mix": [*PHOTOS[:2], CLIPS[0]],
    "new_song": [*PHOTOS[:3], JINGLE],
    "new_logo": [*PHOTOS[:3], LOGO],
    "edit": [*PHOTOS[:3], LOGO, JINGLE, BEATS],
    "clips": [PHOTOS[0], *CLIPS],
}
STARTS: dict[str, tuple[str, list[Asset], str]] = {  # a draft made by this message from these uploads
    "sneakers": ("Make a video for our summer sneakers. Light and breathable. Shop now!", PHOTOS[:3], "en"),
    "zh": ("给我的新球鞋做一个30秒的竖屏视频。轻盈透气，夏天必备。立即购买！", PHOTOS[:3], "zh"),
    "clips": ("a video", [PHOTOS[0], *CLIPS], "en"),
    "cards": ("Summer sale: 50% off all sneakers this weekend. Shop now!", [], "en"),
}


@dataclass
class Session:
    """What the studio keeps for a session (draft, versions), in memory: the chat runner's rules."""

    director: RuleDirector
    assets: list[Asset]
    language: str = "en"
    draft: Draft | None = None
    history: History = field(default_factory=History)
    drafts: dict[int, Draft] = field(default_factory=dict)
    charged: int = 0

    def say(self, message: str, assets: list[Asset] | None = None) -> DirectorTurn:
        turn = self.director.run(
            self.draft, message, assets if assets is not None else self.assets, self.language, self.history
        )
        if turn.draft is not None:
            assert check_draft(turn.draft) == [], (message, check_draft(turn.draft))
        if turn.history is not None:
            self.history.move(turn.history.kind, turn.history.to)
            self.draft = self.drafts[turn.history.to]
        elif turn.tool_calls:
            if self.draft is not None and self.history.head is None:
                n, _ = self.history.record("earlier draft", [])
                self.drafts[n] = self.draft
            n, dropped = self.history.record(turn.label, turn.tool_calls)
            assert turn.draft is not None
            self.drafts[n] = turn.draft
            for gone in dropped:
                self.drafts.pop(gone, None)
            self.draft = turn.draft
            self.charged += turn.cost
        return turn


def start(director: RuleDirector, name: str, language: str) -> Session:
    """A session at the corpus's named starting point."""
    if name in STARTS:
        message, uploads, lang = STARTS[name]
        session = Session(director, uploads, lang)
        session.say(message)
        session.assets = UPLOADS["clips"] if name == "clips" else UPLOADS["edit"]
        session.language = language
        return session
    return Session(director, UPLOADS[name], language)
