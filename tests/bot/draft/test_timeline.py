"""Timeline summary and change lines for studio drafts and cloud-style drafts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.draft.models import Draft, TrackKind
from bot.draft.timeline import describe_changes, summarize


def summary(raw: Any, lang: str = "en") -> str | None:
    """The summary of a draft as a backend sends it (read with the tolerant `Draft.read`)."""
    return summarize(Draft.read(raw), lang)


def changes(before: Any, after: Any, lang: str = "en") -> list[str]:
    return describe_changes(Draft.read(before), Draft.read(after), lang)


def exportable(raw: Any) -> bool:
    draft = Draft.read(raw)
    return draft is not None and draft.exportable


def digest(raw: Any) -> str:
    draft = Draft.read(raw)
    return draft.digest if draft is not None else Draft().digest


def studio_draft(
    shots: tuple[str, ...] = ("a.jpg", "b.jpg"),
    *,
    title: str | None = "Urban Dreams",
    music: tuple[str, float] | None = ("Lo-fi", 0.35),
    captions: tuple[str, ...] = (),
    transition: str = "fade",
    aspect: str = "16:9",
    shot_ms: int = 5000,
) -> dict[str, Any]:
    visual, st = [], 0
    fade = 0 if transition == "cut" else 600
    for i, name in enumerate(shots):
        tr = {"type": transition, "d": fade}
        if i:
            st -= fade
        visual.append(
            {
                "id": f"v{i}",
                "st": st,
                "d": shot_ms,
                "m": {"src": f"asset://{name}-id", "kind": "image", "name": name, "transition": tr},
            }
        )
        st += shot_ms
    total = st
    tracks: list[dict[str, Any]] = [{"tt": 0, "sg": visual}]
    if music:
        tracks.append(
            {
                "tt": 1,
                "sg": [
                    {
                        "id": "a1",
                        "st": 0,
                        "d": total,
                        "m": {"src": "synth://lofi", "name": music[0], "vol": music[1]},
                    }
                ],
            }
        )
    texts = []
    if title:
        texts.append({"id": "x1", "st": 0, "d": 3000, "m": {"text": title, "role": "title", "pos": "center"}})
    for i, cap in enumerate(captions):
        texts.append({"id": f"c{i}", "st": 3000 + i * 2000, "d": 2000, "m": {"text": cap, "role": "caption"}})
    if texts:
        tracks.append({"tt": 7, "sg": texts})
    width, height = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}[aspect]
    return {"d": total, "m": {"title": title or "", "width": width, "height": height, "fps": 30,
                              "aspect": aspect, "transition": transition}, "t": tracks}  # fmt: skip


CLOUD_DRAFT: dict[str, Any] = {
    "d": 10000,
    "t": [
        {"tt": 0, "sg": [{"start": 0, "duration": 10000, "src": "https://cdn.example/u/city%20timelapse.mp4?sig=1",
                          "m": {"name": "city timelapse"}}]},
        {"tt": 1, "sg": [{"s": "0", "d": "10000", "volume": 0.35, "m": {"title": "Lo-fi"}}]},
        {"tt": 7, "sg": [{"st": 0, "d": 3000, "txt": "Urban Dreams", "style": {"font": 3}}]},
    ],
}  # fmt: skip


def test_studio_draft_summary_is_one_line_with_every_track() -> None:
    assert summary(studio_draft()) == (
        "Timeline (3 tracks): 1. Video: a.jpg, b.jpg (0-9.4s) 2. BGM: Lo-fi (0-9.4s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


def test_cloud_style_draft_is_read_with_its_own_keys() -> None:
    assert summary(CLOUD_DRAFT) == (
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


def test_summary_in_chinese() -> None:
    assert summary(studio_draft(music=None), "zh-CN") == (
        "时间线（2 条轨道）：1. 视频：a.jpg、b.jpg (0-9.4s) 2. 标题：“Urban Dreams” (0-3s)"
    )


def test_labels_fall_back_to_the_source_file_name_and_then_to_a_count() -> None:
    draft = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 2000, "m": {"src": "https://x.example/p/front.jpg?x=1"}},
                                    {"st": 2000, "d": 2000, "m": {}}, {"st": 4000, "d": 2000}]}]}  # fmt: skip
    assert summary(draft) == "Timeline (1 track): 1. Video: front.jpg +2 more (0-6s)"
    bare = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000}, {"st": 1000, "d": 1000}]}]}
    assert summary(bare) == "Timeline (1 track): 1. Video: 2 clips (0-2s)"


def test_many_shots_are_shortened() -> None:
    shots = tuple(f"p{i}.jpg" for i in range(9))
    assert "Video: p0.jpg, p1.jpg, p2.jpg, p3.jpg +5 more (" in (summary(studio_draft(shots)) or "")


@pytest.mark.parametrize(
    "draft",
    [
        None,
        {},
        "not a draft",
        {"t": None},
        {"t": "x"},
        {"t": [None, 3, "x", {"tt": 0}]},
        {"t": [{"tt": 0, "sg": []}]},
        {"t": [{"tt": 0, "sg": None}]},
    ],
)
def test_nothing_on_the_timeline_gives_no_summary_and_is_not_exportable(draft: Any) -> None:
    assert summary(draft) is None
    assert exportable(draft) is False


def test_odd_values_never_fail() -> None:
    draft = {"d": "soon", "m": [1], "t": [
        {"tt": "0", "sg": [{"st": None, "d": "abc", "m": "x", "name": 5},
                           {"start": True, "duration": [], "text": {}}]},
        {"tt": 1, "sg": [{"vol": "loud", "m": {"volume": 250, "name": ["x"]}}]},
        {"tt": 7, "sg": [{"m": {"text": 42, "role": 7}}]},
        {"tt": 99, "sg": [{"st": 0, "d": 1000, "m": {"name": "sticker"}}]},
        {"tt": None, "sg": [1, 2]},
    ]}  # fmt: skip
    line = summary(draft)
    assert line is not None and line.startswith("Timeline (4 tracks): 1. Video: 5")
    assert "Track 99: sticker (0-1s)" in line
    assert "100%" in line  # 250 read as a percentage, capped
    assert exportable(draft)
    assert isinstance(changes(None, draft), list)
    assert isinstance(changes(draft, CLOUD_DRAFT), list)


def test_digest_is_stable_and_notices_changes() -> None:
    a = studio_draft()
    b = copy.deepcopy(a)
    b["m"] = dict(reversed(list(b["m"].items())))  # same content, other key order
    assert digest(a) == digest(b)
    b["t"][2]["sg"][0]["m"]["text"] = "Other"
    assert digest(a) != digest(b)
    assert digest(None) == digest(None)


def test_two_stage_generation_reports_the_video_then_music_and_title() -> None:
    raw = studio_draft(title=None, music=None)
    assert changes(None, raw) == ["🎬 Video created: a.jpg, b.jpg (0-9.4s)"]
    full = studio_draft()
    assert changes(raw, full) == [
        "🎵 Music added: Lo-fi (0-9.4s, 35%)",
        '✅ Title added: "Urban Dreams" (0-3s)',
    ]


def test_title_added_on_a_cloud_draft_without_roles() -> None:
    before = copy.deepcopy(CLOUD_DRAFT)
    before["t"] = before["t"][:2]
    assert changes(before, CLOUD_DRAFT) == ['✅ Title added: "Urban Dreams" (0-3s)']


CHANGES = [
    ({"title": "Summer Sale"}, ['✏️ Title changed: "Urban Dreams" → "Summer Sale"']),
    ({"title": None}, ['🗑 Title removed: "Urban Dreams"']),
    ({"captions": ("Fresh", "Bold")}, ['💬 Captions added: "Fresh", "Bold"']),
    ({"shots": ("a.jpg", "b.jpg", "c.jpg")}, ["🖼 Shots added: c.jpg", "⏱ Duration: 9.4s → 13.8s"]),
    ({"shots": ("a.jpg",)}, ["🗑 Shots removed: b.jpg", "⏱ Duration: 9.4s → 5s"]),
    ({"shots": ("b.jpg", "a.jpg")}, ["🔀 Shots reordered"]),
    ({"transition": "slide"}, ["✨ Transition: fade → slide"]),
    ({"shot_ms": 10000}, ["⏱ Duration: 9.4s → 19.4s"]),
    ({"aspect": "9:16"}, ["📐 Format: 16:9 → 9:16"]),
    ({"music": None}, ["🔇 Music removed: Lo-fi"]),
    ({"music": ("Upbeat", 0.35)}, ["🎵 Music changed: Lo-fi → Upbeat"]),
    ({"music": ("Lo-fi", 0.6)}, ["🔊 Music volume: 35% → 60%"]),
    ({}, []),
]


@pytest.mark.parametrize(("edit", "lines"), CHANGES)
def test_each_kind_of_edit_is_described(edit: dict[str, Any], lines: list[str]) -> None:
    assert changes(studio_draft(), studio_draft(**edit)) == lines


def test_captions_removed_and_changed() -> None:
    before = studio_draft(captions=("Fresh", "Bold"))
    assert changes(before, studio_draft(captions=("Fresh",))) == ['🗑 Captions removed: "Bold"']
    assert changes(before, studio_draft(captions=("Fresh", "Loud"))) == [
        '💬 Captions added: "Loud"',
        '🗑 Captions removed: "Bold"',
    ]


ZH_CHANGES = [
    ({"title": "夏日特卖"}, ["✏️ 标题已修改：“Urban Dreams” → “夏日特卖”"]),
    ({"music": None}, ["🔇 已移除音乐：Lo-fi"]),
    ({"aspect": "1:1"}, ["📐 画幅：16:9 → 1:1"]),
    ({"shots": ("b.jpg", "a.jpg")}, ["🔀 镜头顺序已调整"]),
    ({"captions": ("新品",)}, ["💬 已添加字幕：“新品”"]),
]


@pytest.mark.parametrize(("edit", "lines"), ZH_CHANGES)
def test_changes_are_described_in_chinese(edit: dict[str, Any], lines: list[str]) -> None:
    assert changes(studio_draft(), studio_draft(**edit), "zh-CN") == lines


def test_chinese_two_stage_generation() -> None:
    raw = studio_draft(title=None, music=None)
    assert changes(raw, studio_draft(title="城市之梦"), "zh") == [
        "🎵 已添加音乐：Lo-fi（0-9.4s, 35%）",
        "✅ 已添加标题：“城市之梦”（0-3s）",
    ]


def test_title_card_only_video_is_summarized() -> None:
    draft = {"d": 5000, "m": {"aspect": "16:9"}, "t": [
        {"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 5000, "kind": "color",
                          "m": {"kind": "color", "color": "#1e293b", "name": "Title card"}}]},
        {"tt": 7, "sg": [{"id": "x1", "st": 0, "d": 5000, "m": {"text": "Grand Opening", "role": "title"}}]},
    ]}  # fmt: skip
    assert summary(draft) == (
        'Timeline (2 tracks): 1. Video: Title card (0-5s) 2. Title: "Grand Opening" (0-5s)'
    )


def test_tracks_are_read_by_kind_with_their_segments_in_time_order() -> None:
    draft = Draft.read({"d": "9400", "t": [
        {"tt": 7, "sg": [{"st": 3000, "d": 2000, "m": {"text": "b", "role": "caption"}},
                         {"st": 0, "d": 3000, "m": {"text": "a", "role": "title"}}]},
        {"tt": 2, "sg": [{"st": 0, "d": 9400, "m": {"name": "voice.m4a"}}]},
        {"tt": 42, "sg": []},
    ]})  # fmt: skip
    assert draft is not None and draft.exportable and draft.total == 9400
    assert [t.kind for t in draft.tracks] == [TrackKind.TEXT, TrackKind.VOICE, None]
    assert draft.tracks[2].number == 42  # a kind this code does not know keeps its number
    titles = draft.segments(TrackKind.TEXT)
    assert [(s.text, s.role, s.start, s.end) for s in titles] == [
        ("a", "title", 0, 3000),
        ("b", "caption", 3000, 5000),
    ]
    assert draft.segments(TrackKind.MUSIC) == []
    assert draft.wire["d"] == "9400"  # what an export submits: the draft as it came


def test_the_voice_track_is_listed_by_its_number_as_before() -> None:
    draft = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000, "m": {"name": "a.jpg"}}]},
                   {"tt": 2, "sg": [{"st": 0, "d": 1000, "m": {"name": "voice"}}]}]}  # fmt: skip
    assert summary(draft) == "Timeline (2 tracks): 1. Video: a.jpg (0-1s) 2. Track 2: voice (0-1s)"
