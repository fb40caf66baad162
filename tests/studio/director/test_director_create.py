"""Creating a video: uploads plus a sentence become a complete draft, and the reply says what was made."""

from __future__ import annotations

import json
import re
from itertools import pairwise

import pytest

from studio.director import CREATE_COST, Asset, RuleDirector, apply_call
from studio.draft import Draft
from tests.fixtures_director import Turn, clip, logo_png, order, photos, song, texts
from tests.paths import ROOT as REPO_ROOT


async def test_three_photos_tile_thirty_seconds_exactly_with_fade_overlaps(run_turn: Turn) -> None:
    made = await run_turn(
        None, "Make a 30-second video for my new sneakers. Light and breathable. Shop now!", photos(3)
    )
    draft = made.draft
    assert draft is not None
    shots = draft.visuals
    assert order(draft) == ["p1", "p2", "p3"]
    assert [s.m.kind for s in shots] == ["image"] * 3
    assert [s.m.motion for s in shots] == ["zoom-in", "pan-left", "zoom-out"]
    assert all(
        s.m.transition is not None and (s.m.transition.type, s.m.transition.d) == ("fade", 600) for s in shots
    )
    assert [s.st for s in shots] == [0, shots[0].d - 600, shots[0].d + shots[1].d - 1200]
    assert sum(s.d for s in shots) - 2 * 600 == 30000 == draft.d
    assert (draft.m.width, draft.m.height, draft.m.aspect) == (1920, 1080, "16:9")
    assert made.cost == CREATE_COST
    assert [c.name for c in made.tool_calls] == ["create_draft"]
    assert made.reply.startswith(
        "Done! I made a 30-second 16:9 video from your 3 photos with the title “New Sneakers”"
    )
    assert "Say 'export'" in made.reply


async def test_created_draft_has_title_captions_music_and_call_to_action_in_order(run_turn: Turn) -> None:
    made = await run_turn(
        None, "Make a video for my new sneakers. Light and breathable. Shop now!", photos(3)
    )
    draft = made.draft
    assert draft is not None
    assert [s.m.role for s in draft.texts()] == ["title", "caption", "cta"]
    title, caption, cta = draft.texts()
    assert (title.st, title.m.pos) == (0, "center")
    assert caption.m.text == "Light and breathable"
    assert cta.m.text == "Shop now" and cta.st + cta.d == draft.d
    bed = draft.music
    assert bed is not None
    assert bed.m.src == "synth://lofi" and bed.m.vol == 0.35
    assert (bed.st, bed.d) == (0, draft.d)
    assert draft.m.title == "New Sneakers"


@pytest.mark.parametrize(
    ("count", "ms"), [(1, 15000), (2, 15000), (3, 15000), (5, 20000), (10, 40000), (40, 120000)]
)
async def test_default_length_depends_on_the_number_of_shots(run_turn: Turn, count: int, ms: int) -> None:
    made = await run_turn(None, "", photos(count))
    assert made.draft is not None and made.draft.d == ms
    assert len(made.draft.visuals) == count


@pytest.mark.parametrize(
    ("message", "ms", "note"),
    [
        ("make it 3 seconds", 5000, True),
        ("a 5 minute video", 120000, True),
        ("a 20 second video", 20000, False),
    ],
)
async def test_requested_length_is_clamped_to_5_to_120_seconds(
    run_turn: Turn, message: str, ms: int, note: bool
) -> None:
    made = await run_turn(None, message, photos(2))
    assert made.draft is not None and made.draft.d == ms
    assert ("5 seconds to 2 minutes" in made.reply) is note


@pytest.mark.parametrize(
    ("message", "aspect", "size"),
    [
        ("a vertical video for TikTok", "9:16", (1080, 1920)),
        ("square for an Instagram post", "1:1", (1080, 1080)),
        ("做一个竖屏视频", "9:16", (1080, 1920)),
        ("landscape", "16:9", (1920, 1080)),
        ("", "16:9", (1920, 1080)),
        ("for my instagram feed", "4:5", (1080, 1350)),
        ("小红书笔记", "3:4", (1080, 1440)),
    ],
)
async def test_aspect_ratio_sets_the_output_size(
    run_turn: Turn, message: str, aspect: str, size: tuple[int, int]
) -> None:
    made = await run_turn(None, message, photos(2))
    assert made.draft is not None
    assert (made.draft.m.aspect, made.draft.m.width, made.draft.m.height) == (aspect, *size)


async def test_text_only_prompt_makes_a_title_card_video(run_turn: Turn) -> None:
    made = await run_turn(None, "Summer sale: 50% off all sneakers this weekend. Shop now!", [])
    draft = made.draft
    assert draft is not None
    assert draft.visuals and all(
        s.m.kind == "color" and s.m.src is None and (s.m.color or "").startswith("#") for s in draft.visuals
    )
    assert draft.d == 15000
    # the hook is the title; "50% off ..." is the offer, on screen on its own
    assert texts(draft, "title") == ["Summer sale"]
    assert texts(draft, "offer") == ["50% off all sneakers this weekend"]
    assert texts(draft, "cta") == ["Shop now"]
    assert "your description (title cards)" in made.reply and made.cost == CREATE_COST


async def test_clips_are_trimmed_to_their_share_and_never_run_past_their_source(run_turn: Turn) -> None:
    made = await run_turn(None, "make a 10 second video", [clip("c1", 20000), clip("c2", 20000)])
    assert made.draft is not None
    shots = made.draft.visuals
    assert [s.m.kind for s in shots] == ["video", "video"]
    assert all(s.m.trim_in == 0 and s.m.src_d is not None and s.d <= s.m.src_d for s in shots)
    assert made.draft.d == 10000
    assert all(s.m.vol == 0.0 for s in shots)  # the music bed plays instead of the clips' sound


async def test_a_short_clip_sets_the_default_length_and_loops_when_more_is_asked(run_turn: Turn) -> None:
    short = await run_turn(None, "", [clip("c1", 8000)])
    assert short.draft is not None and short.draft.d == 8000
    longer = await run_turn(None, "make a 30 second video", [clip("c1", 8000)])
    assert longer.draft is not None and longer.draft.d == 30000
    shots = longer.draft.visuals
    assert len(shots) >= 4 and all(s.m.src == "asset://c1" and s.d <= 8000 for s in shots)


async def test_uploaded_audio_becomes_the_music_bed(run_turn: Turn) -> None:
    made = await run_turn(None, "a video of our trip", [*photos(2), song(200000)])
    assert made.draft is not None
    bed = made.draft.music
    assert bed is not None
    assert (bed.m.src, bed.m.name, bed.m.vol) == ("asset://s1", "my-song.mp3", 0.8)
    assert len(made.draft.visuals) == 2


@pytest.mark.parametrize(
    ("message", "src"),
    [
        ("upbeat video of our party", "synth://upbeat"),
        ("a calm, relaxing video", "synth://calm"),
        ("做一个欢快的视频", "synth://upbeat"),
        ("a video of the beach", "synth://lofi"),
    ],
)
async def test_music_bed_follows_the_mood(run_turn: Turn, message: str, src: str) -> None:
    made = await run_turn(None, message, photos(2))
    assert made.draft is not None
    bed = made.draft.music
    assert bed is not None and bed.m.src == src


@pytest.mark.parametrize("message", ["make a video with no music", "做一个视频，不要音乐"])
async def test_no_music_means_no_audio_track(run_turn: Turn, message: str) -> None:
    made = await run_turn(None, message, photos(2))
    assert made.draft is not None and made.draft.music is None
    assert [int(t.tt) for t in made.draft.t] == [0]


async def test_chinese_request_gets_a_chinese_reply_and_chinese_text(run_turn: Turn) -> None:
    made = await run_turn(
        None, "给我的新球鞋做一个30秒的竖屏视频。轻盈透气，夏天必备。立即购买！", photos(3), "zh-CN"
    )
    draft = made.draft
    assert draft is not None
    assert made.reply.startswith("好了！我用你的3张照片做了一个30秒的9:16视频，标题“新球鞋”")
    assert "低保真背景音乐" in made.reply  # the mood in Chinese, not "Lo-fi"
    assert draft.m.language == "zh"
    assert [s.m.text for s in draft.texts()] == ["新球鞋", "轻盈透气", "夏天必备", "立即购买"]


async def test_chinese_request_with_english_reply_language_is_still_understood(run_turn: Turn) -> None:
    made = await run_turn(None, "做一个一分钟的横屏视频", photos(3), "en")
    assert made.draft is not None and made.draft.d == 60000 and made.draft.m.aspect == "16:9"
    assert made.reply.startswith("Done! I made a 60-second 16:9 video")


async def test_create_also_applies_transitions_pace_and_logo_from_the_same_message(run_turn: Turn) -> None:
    made = await run_turn(
        None, "A fast-paced video with wipe transitions and my logo", [*photos(3), logo_png()]
    )
    draft = made.draft
    assert draft is not None
    assert [c.name for c in made.tool_calls] == ["create_draft", "set_transition", "set_pace", "add_logo"]
    assert draft.m.transition == "wipe" and draft.m.pace == "fast"
    assert draft.m.logo is not None
    assert (draft.m.logo.src, draft.m.logo.pos, draft.m.logo.scale) == ("asset://logo1", "top-right", 0.12)
    assert "Also," in made.reply


async def test_asking_for_a_new_video_replaces_the_draft(run_turn: Turn, sneakers: Draft) -> None:
    made = await run_turn(sneakers, "Create a new vertical video about our coffee shop", photos(2))
    assert made.draft is not None and [c.name for c in made.tool_calls] == ["create_draft"]
    assert made.draft.m.aspect == "9:16" and len(made.draft.visuals) == 2
    assert made.draft.m.title == "Coffee Shop"


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("hello", "en", "I can make and change your video"),
        ("你好", "zh", "我可以帮你做视频"),
        ("what's in my video?", "en", "there's no video yet"),
        ("我的视频里有什么？", "zh", "还没有视频"),
    ],
)
async def test_without_media_or_a_description_nothing_is_made_and_nothing_charged(
    run_turn: Turn, message: str, language: str, expected: str
) -> None:
    result = await run_turn(None, message, [], language)
    assert result.draft is None and result.cost == 0 and result.tool_calls == []
    assert expected.lower() in result.reply.lower()


async def test_create_call_replays_to_the_same_draft(run_turn: Turn) -> None:
    assets: list[Asset] = [*photos(3), clip("c1", 9000)]
    made = await run_turn(None, "Make a 25 second square video for our bakery. Fresh bread daily.", assets)
    replayed, change = apply_call(None, made.tool_calls[0], assets)
    assert replayed == made.draft and change.key == "created"


async def test_the_documented_example_is_what_the_director_makes(run_turn: Turn) -> None:
    doc = (REPO_ROOT / "docs" / "studio-draft.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", doc, re.S).group(1))  # type: ignore[union-attr]
    prompt = "Make a video for our summer sneakers. Light and breathable. Shop now!"
    made = await run_turn(None, prompt, photos(3))
    assert made.draft is not None and made.draft.to_wire() == example
    assert Draft.from_wire(example) == made.draft  # the typed draft reads the documented wire form back


async def test_the_logo_asked_for_at_create_is_not_also_a_full_screen_shot(run_turn: Turn) -> None:
    made = await run_turn(None, "make a video of my photos and add my logo", [*photos(2), logo_png()])
    assert made.draft is not None and made.draft.m.logo is not None
    assert made.draft.m.logo.src == "asset://logo1"
    assert order(made.draft) == ["p1", "p2"]
    assert "2 photos" in made.reply


async def test_a_lone_png_asked_as_logo_still_makes_the_video(run_turn: Turn) -> None:
    made = await run_turn(None, "make a video and add my logo", [logo_png()])
    assert order(made.draft) == ["logo1"]


async def test_title_cards_never_leave_the_screen_empty(run_turn: Turn) -> None:
    named = await run_turn(None, 'Make a video announcing "Grand Opening at Luna Bakery"', [])
    assert named.draft is not None
    title, cta = named.draft.texts("title")[0], named.draft.texts("cta")[0]
    assert (title.st, title.st + title.d) == (0, cta.st)
    described = await run_turn(None, "Summer sale: 50% off all sneakers this weekend. Shop now!", [])
    assert described.draft is not None
    words = [seg for role in ("title", "caption", "offer", "cta") for seg in described.draft.texts(role)]
    assert all(a.st + a.d == b.st for a, b in pairwise(words))
    assert words[-1].st + words[-1].d == described.draft.d


async def test_captions_in_a_short_video_stay_long_enough_to_read(run_turn: Turn) -> None:
    message = 'Make a 6 second video for "Luna Bakery". Fresh bread daily. Warm croissants. Open at seven.'
    made = await run_turn(None, message + " Order online!", photos(2))
    assert made.draft is not None
    captions = made.draft.texts("caption")
    assert captions and all(c.d >= 1500 for c in captions), [(c.m.text, c.d) for c in captions]


@pytest.mark.parametrize("message", ["谢谢", "thanks", "你好", "hello", "Hi!"])
async def test_small_talk_before_any_video_creates_nothing_and_costs_nothing(message: str) -> None:
    assets = [Asset(id=f"a{i}", kind="image", name=f"p{i}.jpg", width=1200, height=1200) for i in range(3)]
    turn = await RuleDirector().turn(None, message, assets, "en")
    assert turn.cost == 0 and turn.draft is None and turn.tool_calls == []
    assert "create a 30-second promotional video" in turn.reply


async def test_the_chinese_greeting_example_makes_a_video_without_a_garbage_title() -> None:
    assets = [Asset(id=f"a{i}", kind="image", name=f"p{i}.jpg", width=1200, height=1200) for i in range(3)]
    turn = await RuleDirector().turn(None, "用我的产品图片和介绍做一个 30 秒的宣传视频", assets, "zh")
    assert turn.cost > 0 and turn.draft is not None
    titles = [s.m.text for s in turn.draft.texts("title")]
    assert not any("做一个" in t or "视频" in t for t in titles)
