"""Reading drafts: the timeline rule, frame-exact times, defaults, and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from studio.render.graph import ClipSource, Source, StillSource, build_command
from studio.render.plan import PlanError, plan_from_draft
from tests.fixtures_render import draft, still, text


def _three(transitions: list[tuple[str, int]]) -> dict[str, Any]:
    segs = [still(f"asset://{n}", f"p{n}.jpg", 3000) for n in range(3)]
    for seg, (kind, d) in zip(segs, transitions, strict=True):
        seg["m"]["transition"] = {"type": kind, "d": d}
    return draft(segs)


def test_segments_overlap_by_exactly_their_transition() -> None:
    plan = plan_from_draft(_three([("fade", 600), ("slide", 600), ("wipe", 300)]))
    assert [(v.start, v.frames, v.transition, v.transition_frames) for v in plan.visuals] == [
        (0, 90, "cut", 0), (72, 90, "slideleft", 18), (153, 90, "wipeleft", 9)]
    assert plan.frames == 243 and plan.duration == pytest.approx(8.1)


def test_a_cut_does_not_overlap() -> None:
    plan = plan_from_draft(_three([("fade", 600), ("cut", 600), ("fade", 0)]))
    assert [v.start for v in plan.visuals] == [0, 90, 180]
    assert {v.transition for v in plan.visuals} == {"cut"}


def test_a_transition_never_eats_the_neighbours() -> None:
    segs = [still("asset://a", "a.jpg", 1000), still("asset://b", "b.jpg", 500, tdur=2000),
            still("asset://c", "c.jpg", 1000, tdur=2000)]
    plan = plan_from_draft(draft(segs))
    b, c = plan.visuals[1], plan.visuals[2]
    assert b.transition_frames == 15  # the whole of b fades in over a
    assert c.transition_frames == 0  # nothing of b is left to fade out of


def test_sizes_follow_the_aspect_and_unknown_keys_are_ignored() -> None:
    for aspect, size in (("16:9", (1920, 1080)), ("9:16", (1080, 1920)), ("1:1", (1080, 1080))):
        d = draft([still("asset://a", "a.jpg", 1000)], aspect=aspect)
        d["m"]["whatever"] = {"x": 1}
        plan = plan_from_draft(d)
        assert (plan.width, plan.height) == size
    d = draft([still("asset://a", "a.jpg", 1000)])
    d["m"] = {"width": 1080, "height": 1080}
    assert (plan_from_draft(d).width, plan_from_draft(d).height) == (1080, 1080)


def test_texts_and_music_get_frames_and_defaults() -> None:
    d = draft([still("asset://a", "a.jpg", 2000)],
              texts=[text("Hi", 500, 1000, "title"), text("  ", 0, 500)], music="synth://upbeat")
    plan = plan_from_draft(d)
    assert [(t.text, t.start, t.end, t.role) for t in plan.texts] == [("Hi", 15, 45, "title")]
    (bed,) = plan.audios
    assert (bed.src, bed.volume, bed.fade_in, bed.fade_out) == ("synth://upbeat", 0.5, 0.3, 0.8)
    assert bed.duration == 2.0


def test_a_title_card_without_media_uses_its_colour() -> None:
    d = {"d": 3000, "m": {"aspect": "9:16"}, "t": [
        {"tt": 0, "sg": [{"id": "c", "st": 0, "d": 3000, "m": {"kind": "color", "color": "#1e293b"}}]},
        {"tt": 7, "sg": [text("Hello", 0, 3000, "title")]}]}
    plan = plan_from_draft(d)
    assert plan.visuals[0].kind == "color" and plan.frames == 90


def test_nothing_to_render_or_an_unknown_kind_is_refused() -> None:
    with pytest.raises(PlanError, match="empty"):
        plan_from_draft({"d": 0, "t": []})
    with pytest.raises(PlanError, match="unknown kind"):
        plan_from_draft(draft([still("asset://a", "a.jpg", 1000, kind="hologram")]))


def test_photos_run_together_and_xfade_is_left_for_clips() -> None:
    plan = plan_from_draft(_three([("fade", 600), ("fade", 600), ("fade", 600)]))
    (block,) = plan.blocks()
    assert block.kind == "generated" and block.frames == 234 and len(block.visuals) == 3
    args = build_command(plan, [StillSource(10, 0)], [], [], Path("x.mp4"))
    graph = args[args.index("-filter_complex") + 1]
    assert "xfade" not in graph and args.count("rawvideo") == 1 and "pipe:10" in args
    assert "-frames:v" in args and args[args.index("-frames:v") + 1] == str(plan.frames)


def test_transitions_into_and_out_of_a_clip_use_xfade_on_the_overlap_only() -> None:
    segs = [still("asset://a", "a.jpg", 3000), still("asset://v", "v.mp4", 3000, kind="video"),
            still("asset://b", "b.jpg", 3000, transition="wipe")]
    plan = plan_from_draft(draft(segs))
    assert [b.kind for b in plan.blocks()] == ["generated", "clip", "generated"]
    sources: list[Source] = [StillSource(10, 0), ClipSource(Path("v.mp4"), audio=False), StillSource(10, 90)]
    args = build_command(plan, sources, [], [], Path("x.mp4"))
    graph = args[args.index("-filter_complex") + 1]
    assert graph.count("xfade=transition=fade:duration=0.500000:offset=0") == 1
    assert graph.count("xfade=transition=wipeleft:duration=0.500000:offset=0") == 1
    assert "segment=frames=75|90|105" in graph  # the pipe: a's body and tail, b's head and body
    assert "concat=n=5" in graph  # a, a→clip, clip, clip→b, b
