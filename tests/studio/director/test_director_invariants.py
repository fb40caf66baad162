"""Property-style: random sessions of edits, in both languages, never leave a broken draft.

After every turn: the visual track tiles the video exactly (st/d chain with the transition
overlaps), no segment has a non-positive length, clips never run past their source, music and text
stay inside the video, `d` is the end of the last shot, a turn that charges nothing changed nothing,
and replaying the turn's tool calls on the previous draft gives the same draft.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from studio.director import Asset, RuleDirector, apply_call, check_draft
from studio.director.timeline import MAX_TOTAL_MS, MIN_TOTAL_MS, cap
from studio.draft import Draft
from tests.fixtures_director import clip, logo_png, photos, song

FIXED = [
    "faster",
    "slower",
    "快一点",
    "慢一点",
    "hard cuts",
    "use wipe transitions",
    "slide transitions",
    "use crossfades",
    "add upbeat music",
    "calm music",
    "no music",
    "不要音乐",
    "louder",
    "turn the music down",
    "音乐大声一点",
    "make it vertical",
    "square",
    "横屏",
    "change the title to 'Big News'",
    "标题改成“新品上市”",
    "remove the title",
    "add a title",
    "remove the captions",
    "captions: 'Fresh. Local. Yours.'",
    "add a caption 'Free delivery'",
    "add my logo",
    "put the logo in the bottom left",
    "remove the logo",
    "add a call to action",
    "end with link in bio",
    "remove the call to action",
    "add the new photos",
    "what's in my video?",
    "我的视频里有什么？",
    "make it sparkle",
    "make it shorter",
    "longer",
    "make a new video for our bakery",
    "use my song",
    "remove the last shot",
    "swap the first and last photos",
    "duplicate shot 2",
    "make shot 1 longer",
    "trim the first clip to 3 seconds",
    "make the title white and bigger",
    "add text 'Free shipping' at the top",
    "put the price $24 on screen",
    "show 20% off",
    "our brand colours are navy and gold",
    "make it more luxurious",
    "no end card",
    "dissolve transitions",
    "4:5",
    "小红书",
    "标题改成白色",
    "配乐换成欢快点的",
    "复制第二个镜头",
    "captions: Small batch. Roasted fresh. Delivered fast.",
    "generate a short product description for handmade soy candles, lavender and cedar",
]


def _message(rng: random.Random) -> str:
    n, m = rng.randint(1, 9), rng.randint(1, 9)
    made = [
        f"make it {rng.randint(1, 200)} seconds",
        f"{rng.randint(1, 150)}秒",
        f"move shot {n} first",
        f"remove shot {n}",
        f"swap shots {n} and {m}",
        f"把第{n}个镜头放到最后",
        f"删除第{n}个镜头",
        f"move shot {n} after shot {m}",
        f"faster and {rng.randint(5, 90)} seconds",
    ]
    return rng.choice(FIXED + made)


def _session(rng: random.Random) -> list[Asset]:
    assets: list[Asset] = photos(rng.randint(0, 6), rng.choice(["jpg", "png"]))
    assets += [clip(f"c{i}", rng.randint(300, 30000)) for i in range(rng.randint(0, 3))]
    if rng.random() < 0.3:
        assets.append(song(rng.randint(2000, 200000)))
    if rng.random() < 0.4:
        assets.append(logo_png())
    rng.shuffle(assets)
    return assets


def _assert_valid(draft: Draft) -> None:
    assert check_draft(draft) == []
    shots = draft.visuals
    assert shots
    assert MIN_TOTAL_MS <= draft.d <= MAX_TOTAL_MS or all(s.m.kind == "video" for s in shots)
    ids = [s.id for tr in draft.t for s in tr.sg]
    assert len(ids) == len(set(ids))
    others = [s for tr in draft.t if int(tr.tt) != 0 for s in tr.sg]
    for seg in others:
        assert 0 <= seg.st and seg.d > 0 and seg.st + seg.d <= draft.d
    for seg in shots:
        assert seg.d > 0 and seg.m.transition is not None and seg.m.transition.d >= 0
        limit = cap(seg)
        if limit is not None:
            assert 0 <= seg.m.start_in and seg.d <= limit
    assert Draft.from_wire(draft.to_wire()) == draft  # the wire form reads back to the same draft


async def _run_session(seed: int, steps: int) -> None:
    rng = random.Random(seed)
    director = RuleDirector()
    assets = _session(rng)
    language = rng.choice(["en", "zh-CN"])
    first = "Make a video for our summer sale. Fresh looks every week. Shop now!"
    result = await director.turn(
        None,
        rng.choice([first, "", "做一个夏季促销的视频", "a 30 second vertical video"]),
        assets[: rng.randint(0, len(assets))],
        language,
    )
    draft = result.draft
    for _ in range(steps):
        if draft is None:
            result = await director.turn(None, first, assets, language)
            draft = result.draft
            continue
        _assert_valid(draft)
        message = _message(rng)
        result = await director.turn(draft, message, assets, language)
        assert result.reply.strip(), message
        assert "Traceback" not in result.reply
        if result.cost == 0:
            assert result.draft == draft and result.tool_calls == [], message
        else:
            assert result.tool_calls, message
            replayed: Draft | None = draft
            for call in result.tool_calls:
                replayed, _change = apply_call(replayed, call, assets)
            assert replayed == result.draft, message
        assert result.draft is not None
        draft = result.draft
    if draft is not None:
        _assert_valid(draft)


@pytest.mark.parametrize("seed", range(60))
async def test_random_edit_sessions_keep_the_draft_valid(seed: int) -> None:
    await _run_session(seed, steps=15)


async def test_one_long_session_keeps_the_draft_valid() -> None:
    await _run_session(20240601, steps=300)


async def test_drafts_from_elsewhere_are_normalised_before_editing() -> None:
    minimal: dict[str, Any] = {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"id": "v1", "st": 0, "d": 4000, "m": {"src": "asset://p1", "kind": "image"}},
                    {"id": "v2", "st": 0, "d": 4000, "m": {"src": "asset://p2", "kind": "image"}},
                ],
            }
        ]
    }
    result = await RuleDirector().turn(minimal, "make it 20 seconds", photos(2), "en")
    assert result.draft is not None and result.draft.d == 20000
    _assert_valid(result.draft)
    assert minimal["t"][0]["sg"][1]["st"] == 0  # the caller's draft is never modified
