"""The words of a promo, as a viewer on a phone meets them: whole words and whole phrases, large
enough to read, never over the product (in any canvas, through transitions too), legible against
the pixels behind them, and an end card that says what to do next.

Checked on the plans of the director's drafts in the five canvases (one style each, as in the
contact sheets of docs/rendering.md) and on their real frames (`Compositor`, with and without the
letters, for the contrast)."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app.demo import PROMPT as DEMO_PROMPT
from app.samples import SAMPLE_DESCRIPTION
from studio.director.director import Asset, RuleDirector
from studio.draft import CANVAS, TrackKind
from studio.render import yuv
from studio.render.captions import phrase_captions, split_phrases
from studio.render.compositor import Compositor
from studio.render.framing.geometry import Rect
from studio.render.framing.text_place import safe_zone
from studio.render.render import prepare
from studio.render.text import Look, layout_text
from studio.render.timeline import (
    ClipScene,
    Cue,
    EndScene,
    PhotoScene,
    Plan,
    Shot,
    _visible,
    default_cta,
    worst_contrast,
)

STYLES = {"minimal": "16:9", "bold": "9:16", "elegant": "4:5", "playful": "1:1", "luxury": "3:4"}
MOODS = {
    "minimal": "calm",
    "bold": "energetic",
    "elegant": "elegant",
    "playful": "playful",
    "luxury": "cinematic",
}
ARTICLES = {"a", "an", "the", "of", "to", "for", "with", "and", "or", "in", "on", "at", "by", "your"}


def director_draft(prompt: str, photos: list[Path]) -> dict[str, Any]:
    assets = []
    for n, p in enumerate(photos):
        with Image.open(p) as img:
            assets.append(Asset(id=f"p{n}", kind="image", name=p.name, width=img.width, height=img.height))
    turn = asyncio.run(RuleDirector().turn(None, prompt, assets, "en"))
    return turn.wire()


def styled(base: dict[str, Any], style: str) -> dict[str, Any]:
    aspect = STYLES[style]
    w, h = CANVAS[aspect]
    draft = dict(base)
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
            t = {"tt": 1, "sg": [dict(s, m=dict(s["m"], src=f"synth://{MOODS[style]}")) for s in t["sg"]]}
        tracks.append(t)
    draft["t"] = tracks
    return draft


@pytest.fixture(scope="module")
def plans(sample_photos: list[Path]) -> dict[str, tuple[Plan, dict[str, Any]]]:
    assets = {f"asset://p{n}": p for n, p in enumerate(sample_photos)}
    base = director_draft("Make a 15 second video with upbeat music. " + SAMPLE_DESCRIPTION, sample_photos)
    out: dict[str, tuple[Plan, dict[str, Any]]] = {}
    for style in STYLES:
        draft = styled(base, style)
        out[style] = (prepare(draft, assets)[0], draft)
    demo = director_draft(
        "Make a 30 second 16:9 video with lo-fi music. " + SAMPLE_DESCRIPTION, sample_photos
    )
    out["demo"] = (prepare(demo, assets)[0], demo)
    bot = director_draft(DEMO_PROMPT.format(seconds=30) + SAMPLE_DESCRIPTION, sample_photos)  # videobot demo
    out["demo-bot"] = (prepare(bot, assets)[0], bot)
    return out


def _all_cues(plans: dict[str, tuple[Plan, dict[str, Any]]]) -> list[tuple[str, Plan, Cue]]:
    return [(name, plan, cue) for name, (plan, _) in plans.items() for cue in plan.cues]


# --- 1. whole words ---------------------------------------------------------------------------
def test_no_latin_word_is_ever_broken_across_lines(plans: dict[str, tuple[Plan, dict[str, Any]]]) -> None:
    for name, _plan, cue in _all_cues(plans):
        shown = cue.block.text.replace("\n", " ").split()
        words = cue.text.upper().split() if cue.block.look.upper else cue.text.split()
        assert shown == words[: len(shown)] or shown[-1] == "…", (name, cue.text, cue.block.text)
    for width in (240, 300, 420, 700):
        for family in ("serif", "sans", "display"):
            block = layout_text(
                "Meet Aurora Bottle: a double-walled steel bottle", Look(family=family, size=60), width, 49
            )
            for line in block.lines:
                for word in line:
                    assert word.text.lower() in "meet aurora bottle: a double-walled steel bottle …".split()


def test_chinese_still_breaks_between_words() -> None:
    block = layout_text("手工制作的香薰蜡烛，天然大豆蜡", Look(size=64, max_lines=3), 330, 49)
    lines = ["".join(w.text for w in line) for line in block.lines]
    assert "".join(lines) == "手工制作的香薰蜡烛，天然大豆蜡"
    for a, b in itertools.pairwise(lines):
        assert not (a.endswith("蜡") and b.startswith("烛")) and not (a.endswith("香") and b.startswith("薰"))


# --- 2. sizes and safe zones ------------------------------------------------------------------
def test_captions_are_readable_on_a_phone_and_titles_are_larger(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    for name, plan, cue in _all_cues(plans):
        share = cue.block.size / plan.width
        landscape = plan.width > 1.2 * plan.height  # 4 % of 1920 px is 7 % of the height
        if cue.role in ("caption", "text", "tag", "subtitle"):
            assert share >= (0.036 if landscape else 0.045) - 1e-3, (name, cue.text, cue.block.size)
            assert share <= 0.07, (name, cue.text, cue.block.size)
        if cue.role == "title":
            assert share >= (0.045 if landscape else 0.05), (name, cue.text, cue.block.size)
        zone = Rect.of(safe_zone((plan.width, plan.height))).scaled(plan.width, plan.height)
        assert zone.contains(cue.box, tol=2.0), (name, cue.text, cue.box, zone)
    for name, (plan, _) in plans.items():
        titles = [c.block.size for c in plan.cues if c.role == "title"]
        captions = [c.block.size for c in plan.cues if c.role == "caption"]
        if titles and captions:
            assert min(titles) > max(captions) * 1.1, name


# --- 3. never over the subject ----------------------------------------------------------------
def _subject_at(plan: Plan, shot: Shot, f: int) -> list[Rect]:
    scene = shot.scene
    t = min(1.0, max(0.0, (f - shot.start) / max(1, shot.frames - 1)))
    out: list[Rect] = []
    if isinstance(scene, PhotoScene):
        for c in scene.cells:
            photo = plan.photos[c.photo]
            s = photo.subject.rect.scaled(photo.width, photo.height)
            crop = c.move.at(t)
            sx, sy = c.rect.w / crop.w, c.rect.h / crop.h
            q = Rect(
                c.rect.x0 + (s.x0 - crop.x0) * sx,
                c.rect.y0 + (s.y0 - crop.y0) * sy,
                c.rect.x0 + (s.x1 - crop.x0) * sx,
                c.rect.y0 + (s.y1 - crop.y0) * sy,
            )
            inside = q.intersection(c.rect)
            if inside is not None:
                out.append(inside)
    elif isinstance(scene, ClipScene):
        out.append(scene.rect)
    return out


def test_text_never_covers_the_subject_in_any_canvas_even_through_transitions(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    checked = 0
    for name, plan, cue in _all_cues(plans):
        for f in range(cue.start, cue.end, 2):
            for shot in _visible(plan.shots, f, f + 1):
                for subject in _subject_at(plan, shot, f):
                    inter = subject.intersection(cue.box)
                    over = inter.area / cue.box.area if inter is not None else 0.0
                    assert over <= 0.03, (name, cue.text, f / 30, shot.label, round(over, 3))
                    checked += 1
    assert checked > 200


# --- 4. contrast against the pixels behind the letters ----------------------------------------
def test_every_text_reaches_contrast_4_5_against_what_is_behind_its_letters(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    measured = 0
    for name, (plan, _) in plans.items():
        if name == "demo":
            continue
        full, bare = Compositor(plan), Compositor(plan, glyphs=False)
        try:
            for cue in plan.cues:
                f = min(cue.end - 3, cue.start + 24)  # its animation over, not yet leaving
                if f < cue.start or any(
                    s.start <= f < s.end
                    for s in plan.shots
                    if s.transition.frames and abs(f - s.start) <= s.transition.frames
                ):
                    continue
                with_text = yuv.to_rgb(full.frame(f)).astype(np.int16)
                behind = yuv.to_rgb(bare.frame(f)).astype(np.int16)
                x0, y0, x1, y1 = (round(v) for v in (cue.box.x0, cue.box.y0, cue.box.x1, cue.box.y1))
                a, b = with_text[y0:y1, x0:x1], behind[y0:y1, x0:x1]
                color = np.array(cue.block.look.color, np.int16)
                # the letters' own pixels: where drawing the text moved the pixel most of the way
                # to the text's colour
                moved = np.abs(a - b).sum(axis=2)
                reach = np.abs(color[None, None, :] - b).sum(axis=2)
                letters = (moved > 0.8 * reach) & (reach > 30)
                if letters.sum() < 50:
                    continue
                ratio = worst_contrast(cue.block.look.color, b[letters].astype(np.float64))
                assert ratio >= 4.5, (name, cue.text, round(ratio, 2), f / 30)
                measured += 1
        finally:
            full.close()
            bare.close()
    assert measured >= 8


# --- 5. the end card --------------------------------------------------------------------------
def test_the_end_card_has_the_brand_the_call_to_action_and_the_handle(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    for name, (plan, _) in plans.items():
        card = plan.end_card
        assert card is not None and isinstance(plan.shots[-1].scene, EndScene), name
        assert card.cta, name
        if not name.startswith("demo"):  # the demos' drafts have no brand
            assert card.brand == "Aurora" and card.handle == "@aurora.bottles", name
    plan = plans["bold"][0]
    comp = Compositor(plan)
    try:
        last = yuv.to_rgb(comp.frame(plan.frames - 1))
    finally:
        comp.close()
    rows = np.nonzero(last.std(axis=(1, 2)) > 12)[0]
    assert len(rows) > 0.05 * plan.height  # brand, call to action and handle are drawn


def test_a_draft_without_a_call_to_action_gets_one_fitted_to_its_business() -> None:
    from studio.draft import Draft

    def draft(prompt: str, language: str = "en") -> Draft:
        return Draft.from_wire({"d": 10000, "m": {"prompt": prompt, "language": language}, "t": []})

    assert default_cta(draft("A 15 s video for our new cafe: fresh coffee and pastries")) == "Order now"
    assert default_cta(draft("Our hair salon is taking appointments")) == "Book now"
    assert default_cta(draft("Grand opening this Saturday!")) == "Visit us"
    assert default_cta(draft("A double-walled steel bottle")) == "Shop now"
    assert default_cta(draft("我们的咖啡店开业了", "zh")) == "立即下单"
    assert default_cta(draft("手工香薰蜡烛", "zh")) == "立即购买"


# --- 6. captions keep their phrases -----------------------------------------------------------
def test_the_director_s_captions_are_cut_at_phrase_boundaries(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    for name, (plan, _) in plans.items():
        for cue in plan.cues:
            if cue.role != "caption":
                continue
            words = cue.text.split()
            assert words[-1].lower().strip(",.") not in ARTICLES, (name, cue.text)
            assert "steel Bottle" not in cue.text, (name, cue.text)
    prompt = (
        'Meet "Aurora Bottle": a double-walled steel bottle that keeps drinks cold for 24 hours. '
        "Leak-proof lid, fits every cup holder, five bright colours."
    )
    pieces = phrase_captions(
        [
            ("Meet Aurora Bottle: a double-walled steel", 3000, 9000),
            ("Bottle that keeps drinks cold for 24 hours", 9000, 15000),
            ("Leak-proof lid, fits every cup holder", 15000, 21000),
        ],
        prompt,
    )
    texts = [p.text for p in pieces]
    assert " ".join(texts) == (
        "Meet Aurora Bottle: a double-walled steel bottle that keeps drinks cold for 24 hours "
        "Leak-proof lid, fits every cup holder"
    )
    assert "a double-walled steel bottle" in texts and "that keeps drinks cold for 24 hours" in texts
    assert texts[-1] == "Leak-proof lid, fits every cup holder"  # a whole phrase: left as written
    assert pieces[0].start == 3000 and pieces[-1].end == 21000
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert split_phrases("手工制作的大豆蜡烛，燃烧时间长达四十小时，适合送礼和居家使用") == [
        "手工制作的大豆蜡烛，",
        "燃烧时间长达四十小时，",
        "适合送礼和居家使用",
    ]


# --- 6. no text is ever left out ----------------------------------------------------------------
def _drawn(plan: Plan, cue: Cue, f: int, full: Compositor, bare: Compositor) -> bool:
    """The cue's letters are on frame `f`: drawing the texts changes the pixels in its box."""
    x0, y0, x1, y1 = (round(v) for v in (cue.box.x0, cue.box.y0, cue.box.x1, cue.box.y1))
    a = yuv.to_rgb(full.frame(f))[y0:y1, x0:x1].astype(np.int16)
    b = yuv.to_rgb(bare.frame(f))[y0:y1, x0:x1].astype(np.int16)
    return int((np.abs(a - b).sum(axis=2) > 60).sum()) >= 0.01 * a.shape[0] * a.shape[1]


def test_every_text_of_the_draft_is_on_screen_for_its_time_and_the_title_opens_the_video(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    for name, (plan, draft) in plans.items():
        tracks = [t for t in draft["t"] if t["tt"] == TrackKind.TEXT]
        texts = [s["m"] for t in tracks for s in t["sg"] if s["m"]["text"].strip()]
        assert {"title", "caption", "cta"} <= {m["role"] for m in texts}, name
        scheduled = {(role, words.lower()) for _, role, words, _, _ in plan.schedule}
        shown = " ".join(words.lower() for _, _, words, _, _ in plan.schedule)
        for m in texts:  # every title, caption, offer and call to action has its time on screen
            if m["role"] == "cta":
                assert plan.end_card is not None and plan.end_card.cta == m["text"].strip(), (name, m)
            elif m["role"] == "caption":
                assert all(w in shown for w in m["text"].lower().split()), (name, m["text"])
            else:
                assert (m["role"], m["text"].strip().lower()) in scheduled, (name, m["text"])
        # and is drawn all of that time but the frames of a transition where the two shots leave
        # no common room for it
        mixing = np.zeros(plan.frames + 1, bool)
        for shot in plan.shots:
            n = shot.transition.frames
            mixing[max(0, shot.start - n // 2) : shot.start + n - n // 2] = n > 0
        for _, role, words, a, b in plan.schedule:
            on = np.zeros(b - a, bool)
            for cue in plan.cues:
                if cue.text == words and cue.end > a and cue.start < b:
                    on[max(0, cue.start - a) : min(b, cue.end) - a] = True
            missing = np.nonzero(~on & ~mixing[a:b])[0]
            assert len(missing) == 0, (name, role, words, (a + missing[:3]) / 30)
            assert on.mean() >= 0.6, (name, role, words, round(float(on.mean()), 2))
        titles = [c for c in plan.cues if c.role == "title"]
        assert titles and min(c.start for c in titles) == 0, name  # the hook: the title opens the video
        full, bare = Compositor(plan), Compositor(plan, glyphs=False)
        try:
            first = min(titles, key=lambda c: c.start)
            assert _drawn(plan, first, 15, full, bare), (name, "no title at 0.5 s")
            for cue in plan.cues[:: max(1, len(plan.cues) // 4)]:  # the cues are what the frames show
                f = (cue.start + cue.end) // 2
                assert _drawn(plan, cue, f, full, bare), (name, cue.text, f / 30)
        finally:
            full.close()
            bare.close()



@pytest.mark.xfail(
    strict=True,
    reason="known gap (docs/rendering.md): with the director's five benefit captions the 16:9 demo needs "
    "text bands on most duo shots and measures ~30 % flat area, over the 25 % budget",
)
def test_the_room_made_for_the_words_keeps_the_demo_s_photos_filling_the_frame(
    plans: dict[str, tuple[Plan, dict[str, Any]]],
) -> None:
    plan, _ = plans["demo-bot"]
    shares = [
        1 - sum(c.rect.area for c in s.scene.cells) / (plan.width * plan.height)
        for s in plan.shots
        if isinstance(s.scene, PhotoScene)
        for _ in range(s.frames)
    ]
    assert float(np.mean(shares)) <= 0.25, float(np.mean(shares))

def test_an_upper_case_title_keeps_its_words_whole_in_9_16_bold(sample_photos: list[Path]) -> None:
    """ "HANDMADE SOY CANDLES" once came out as "HANDMA / DE SOY": a plain word shrinks, never breaks."""
    bold = styled(
        director_draft(
            "Make a 15 second video with upbeat music. Handmade soy candles: hand-poured in small "
            "batches, a clean slow burn. Free shipping this week.",
            sample_photos,
        ),
        "bold",
    )
    plan = prepare(bold, {f"asset://p{n}": p for n, p in enumerate(sample_photos)})[0]
    titles = [c for c in plan.cues if c.role == "title"]
    assert titles and plan.width == 1080 and plan.height == 1920
    for cue in titles:
        assert cue.block.text.split() == ["HANDMADE", "SOY", "CANDLES"], cue.block.text
    look = titles[0].block.look
    for width in range(120, 700, 15):  # however narrow the column, with or without a floor
        for floor in (None, 59):
            block = layout_text("Handmade soy candles", look, width, floor)
            assert "HANDMADE" in block.text.split(), (width, floor, block.text)
            assert not block.broken
    url = layout_text("shop.example.com/handmade-soy-candles", look, 200, 59)
    assert url.broken  # a URL no readable size fits is the one thing cut across lines
