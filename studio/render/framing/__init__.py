"""Subject-aware framing for the studio's photo shots: where the subject is (`subject`), the camera
moves over one photo (`shots`), layouts for photos that do not match the canvas (`layout`), where
text goes (`text_place`), easing curves (`easing`), and a reference RGB compositor (`compose`)."""

from studio.render.framing.easing import ease
from studio.render.framing.geometry import Rect
from studio.render.framing.layout import (
    Cell,
    Layout,
    Panel,
    PhotoInfo,
    average_filler,
    plan_layout,
    plan_sequence,
)
from studio.render.framing.shots import Move, plan_photo_shots, plan_shot
from studio.render.framing.subject import Subject, find_subject, load_small
from studio.render.framing.text_place import TextPlacement, safe_zone, text_regions

__all__ = [
    "Cell",
    "Layout",
    "Move",
    "Panel",
    "PhotoInfo",
    "Rect",
    "Subject",
    "TextPlacement",
    "average_filler",
    "ease",
    "find_subject",
    "load_small",
    "plan_layout",
    "plan_photo_shots",
    "plan_sequence",
    "plan_shot",
    "safe_zone",
    "text_regions",
]
