"""The facts a reply or a description needs about a draft (`summary(draft)`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from studio.director.timeline import clamp_total
from studio.draft import Draft


def summary(draft: Draft, create: BaseModel | None = None) -> dict[str, Any]:
    segs = draft.visuals
    song = draft.music
    cta = draft.texts("cta")
    asked = getattr(create, "asked_ms", None)
    return {
        "ms": draft.d,
        "aspect": draft.m.aspect,
        "w": draft.m.width,
        "h": draft.m.height,
        "photos": len({s.m.src for s in segs if s.m.kind == "image"}),
        "clips": len({s.m.src for s in segs if s.m.kind == "video"}),
        "cards": sum(1 for s in segs if s.m.kind == "color"),
        "shots": len(segs),
        "names": [s.m.name for s in segs if s.m.kind != "color"],
        "title": draft.m.title,
        "captions": len(draft.texts("caption")),
        "music": song.m.name if song else None,
        "music_src": song.m.src if song else None,
        "volume": round(song.m.vol * 100) if song else 0,
        "cta": cta[0].m.text if cta else None,
        "transition": draft.m.transition or "fade",
        "pace": draft.m.pace,
        "logo": draft.m.logo.pos if draft.m.logo else None,
        "style": draft.m.style,
        "offer": next((s.m.text for s in draft.texts("offer")), None),
        "price": next((s.m.text for s in draft.texts("price")), None),
        "subtitle": next((s.m.text for s in draft.texts("subtitle")), None),
        "clamped": isinstance(asked, int) and clamp_total(asked) != asked,
    }
