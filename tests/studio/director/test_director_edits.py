"""Edits to the timeline: length, format, shot order, removals, duplicates, weights, trims,
transitions and pace."""

from __future__ import annotations

import pytest

from studio.director import EDIT_COST
from studio.draft import Draft
from tests.fixtures_director import Turn, clip, order, photos, texts


@pytest.mark.parametrize(
    ("message", "language", "ms", "reply"),
    [
        ("make it 30 seconds", "en", 30000, "the video is now 30 seconds long"),
        ("改成30秒", "zh", 30000, "视频现在是30秒"),
        ("make it one minute", "en", 60000, "60 seconds"),
        ("half a minute please", "en", 30000, "30 seconds"),
        ("一分钟", "zh", 60000, "60秒"),
        ("make it shorter", "en", 11250, "11.2 seconds"),
        ("长一点", "zh", 20000, "20秒"),
        ("make it 3 minutes", "en", 120000, "5 seconds to 2 minutes"),
        ("make it 1:30", "en", 90000, "90 seconds"),
        ("十五秒", "zh", 15000, "已经是15秒"),
    ],
)
async def test_duration_edits_rescale_the_shots_to_the_new_length(
    run_turn: Turn, sneakers: Draft, message: str, language: str, ms: int, reply: str
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and result.draft.d == ms
    assert reply in result.reply.lower()
    assert order(result.draft) == ["p1", "p2", "p3"]
    if ms != sneakers.d:
        assert [c.name for c in result.tool_calls] == ["set_duration"] and result.cost == EDIT_COST
    cta = result.draft.texts("cta")[0]
    assert cta.st + cta.d == ms  # the call to action still closes the video


@pytest.mark.parametrize(
    ("message", "language", "aspect", "size"),
    [
        ("make it vertical", "en", "9:16", (1080, 1920)),
        ("for TikTok please", "en", "9:16", (1080, 1920)),
        ("改成竖屏", "zh", "9:16", (1080, 1920)),
        ("make it square", "en", "1:1", (1080, 1080)),
        ("方形", "zh", "1:1", (1080, 1080)),
        ("4:5 for the instagram feed", "en", "4:5", (1080, 1350)),
        ("做成小红书的", "zh", "3:4", (1080, 1440)),
        ("视频号", "zh", "9:16", (1080, 1920)),
    ],
)
async def test_aspect_edits_change_the_output_size(
    run_turn: Turn, sneakers: Draft, message: str, language: str, aspect: str, size: tuple[int, int]
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None
    assert (result.draft.m.aspect, result.draft.m.width, result.draft.m.height) == (aspect, *size)
    assert result.draft.d == sneakers.d


async def test_asking_for_the_current_format_changes_nothing_and_costs_nothing(
    run_turn: Turn, sneakers: Draft
) -> None:
    result = await run_turn(sneakers, "landscape", [])
    assert result.cost == 0 and result.draft == sneakers
    assert result.reply == "The video is already 16:9."


@pytest.mark.parametrize(
    ("message", "language", "shots", "calls"),
    [
        ("move shot 3 first", "en", ["p3", "p1", "p2"], ["move_shot"]),
        ("move the first photo to the end", "en", ["p2", "p3", "p1"], ["move_shot"]),
        ("put shot 1 after shot 2", "en", ["p2", "p1", "p3"], ["move_shot"]),
        ("move photo 3 before photo 2", "en", ["p1", "p3", "p2"], ["move_shot"]),
        ("move shot 1 to position 2", "en", ["p2", "p1", "p3"], ["move_shot"]),
        ("make the last one first", "en", ["p3", "p1", "p2"], ["move_shot"]),
        ("swap shots 1 and 2", "en", ["p2", "p1", "p3"], ["swap_shots"]),
        ("swap the first and last photos", "en", ["p3", "p2", "p1"], ["swap_shots"]),
        ("switch shot 1 with shot 3", "en", ["p3", "p2", "p1"], ["swap_shots"]),
        ("把第二个镜头放到最后", "zh", ["p1", "p3", "p2"], ["move_shot"]),
        ("把第3个镜头移到第一个", "zh", ["p3", "p1", "p2"], ["move_shot"]),
        ("把最后一张照片放到最前面", "zh", ["p3", "p1", "p2"], ["move_shot"]),
        ("交换第1和第3个镜头", "zh", ["p3", "p2", "p1"], ["swap_shots"]),
        ("remove the second photo", "en", ["p1", "p3"], ["remove_shot"]),
        ("delete the last shot", "en", ["p1", "p2"], ["remove_shot"]),
        ("remove photos 1 and 3", "en", ["p2"], ["remove_shot", "remove_shot"]),
        ("删除第3个镜头", "zh", ["p1", "p2"], ["remove_shot"]),
        ("去掉第一张照片", "zh", ["p2", "p3"], ["remove_shot"]),
        ("duplicate shot 2", "en", ["p1", "p2", "p2", "p3"], ["duplicate_shot"]),
        ("repeat the first photo at the end", "en", ["p1", "p2", "p3", "p1"], ["duplicate_shot"]),
        ("复制第二个镜头", "zh", ["p1", "p2", "p2", "p3"], ["duplicate_shot"]),
    ],
)
async def test_shots_are_reordered_removed_or_duplicated_and_the_length_is_kept(
    run_turn: Turn, sneakers: Draft, message: str, language: str, shots: list[str], calls: list[str]
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert [c.name for c in result.tool_calls] == calls
    assert order(result.draft) == shots
    assert result.draft is not None and result.draft.d == 15000
    images = [s.m.motion for s in result.draft.visuals]
    assert (
        images == ["zoom-in", "pan-left", "zoom-out", "pan-right"][: len(images)]
    )  # alternating from the start


@pytest.mark.parametrize(
    ("message", "language", "index", "longer"),
    [
        ("make shot 2 longer", "en", 1, True),
        ("shot 1 shorter", "en", 0, False),
        ("第二个镜头长一点", "zh", 1, True),
        ("make the last shot twice as long", "en", 2, True),
    ],
)
async def test_a_shot_made_longer_takes_time_from_the_others_and_the_video_keeps_its_length(
    run_turn: Turn, sneakers: Draft, message: str, language: str, index: int, longer: bool
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and result.draft.d == sneakers.d
    before, after = sneakers.visuals[index].d, result.draft.visuals[index].d
    assert (after > before) is longer and (after < before) is not longer
    others = [s.d for n, s in enumerate(result.draft.visuals) if n != index]
    assert all((d < before) is longer for d in others)
    assert order(result.draft) == ["p1", "p2", "p3"]  # no shot added or repeated


async def test_the_second_clip_means_the_second_video_not_the_second_shot(run_turn: Turn) -> None:
    assets = [photos(1)[0], clip("c1", 20000), clip("c2", 20000)]
    made = await run_turn(None, "a video", assets)
    result = await run_turn(made.draft, "remove the second clip", assets)
    assert order(result.draft) == ["p1", "c1"]


async def test_a_clip_is_trimmed_and_plays_only_that_part(run_turn: Turn) -> None:
    assets = [photos(1)[0], clip("c1", 20000), clip("c2", 12000)]
    made = await run_turn(None, "a video", assets)
    trimmed = await run_turn(made.draft, "trim the first clip to 3 seconds", assets)
    assert trimmed.draft is not None
    seg = trimmed.draft.visuals[1]
    assert (seg.m.trim_in, seg.m.trim_out) == (0, 3000) and seg.d <= 3000
    assert trimmed.draft.d == made.draft.d if made.draft else False  # the others take the time
    later = await run_turn(trimmed.draft, "start the second clip at 5s", assets)
    assert later.draft is not None and later.draft.visuals[2].m.trim_in == 5000
    photo = await run_turn(made.draft, "trim shot 1 to 2 seconds", assets)
    assert photo.cost == 0 and "only clips can be trimmed" in photo.reply


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("remove shot 7", "There is no such shot (the video has 3)."),
        ("move shot 9 first", "There is no such shot (the video has 3)."),
    ],
)
async def test_shots_that_do_not_exist_are_reported(
    run_turn: Turn, sneakers: Draft, message: str, reply: str
) -> None:
    result = await run_turn(sneakers, message, [])
    assert result.reply == reply and result.cost == 0 and result.draft == sneakers


async def test_the_only_shot_cannot_be_removed(run_turn: Turn) -> None:
    made = await run_turn(None, "a video", photos(1))
    result = await run_turn(made.draft, "remove the first photo", photos(1))
    assert result.reply == "I can't remove the only shot." and result.cost == 0


async def test_new_uploads_are_added_as_shots_on_request(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "add the new photos", photos(5))
    assert order(result.draft) == ["p1", "p2", "p3", "p4", "p5"]
    assert result.draft is not None and result.draft.d == 15000
    nothing = await run_turn(sneakers, "add the new photos", photos(3))
    assert nothing.cost == 0 and "no new photos" in nothing.reply


@pytest.mark.parametrize(
    ("message", "language", "style", "overlap"),
    [
        ("use wipe transitions", "en", "wipe", 600),
        ("slide transitions please", "en", "slide", 600),
        ("no transitions", "en", "cut", 0),
        ("hard cuts", "en", "cut", 0),
        ("dissolve between shots", "en", "dissolve", 800),
        ("whip pans", "en", "whip", 300),
        ("zoom transitions", "en", "zoom", 400),
        ("flash transitions", "en", "flash", 300),
        ("用擦除转场", "zh", "wipe", 600),
        ("不要转场", "zh", "cut", 0),
        ("滑动转场", "zh", "slide", 600),
        ("转场换成叠化", "zh", "dissolve", 800),
    ],
)
async def test_transition_style_changes_overlaps_and_keeps_the_length(
    run_turn: Turn, sneakers: Draft, message: str, language: str, style: str, overlap: int
) -> None:
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and result.draft.m.transition == style
    shots = result.draft.visuals
    assert all(
        s.m.transition is not None and (s.m.transition.type, s.m.transition.d) == (style, overlap)
        for s in shots
    )
    assert shots[1].st == shots[0].d - overlap
    assert result.draft.d == 15000


async def test_crossfade_brings_back_fades_after_hard_cuts(run_turn: Turn, sneakers: Draft) -> None:
    cut = await run_turn(sneakers, "hard cuts", [])
    faded = await run_turn(cut.draft, "use crossfades", [])
    assert faded.draft is not None and faded.draft.m.transition == "fade"


@pytest.mark.parametrize(
    ("message", "language", "pace"),
    [
        ("faster", "en", "fast"),
        ("speed it up", "en", "fast"),
        ("快一点", "zh", "fast"),
        ("slower", "en", "slow"),
        ("慢一点", "zh", "slow"),
    ],
)
async def test_pace_is_set_for_the_renderer_and_no_photo_is_repeated(
    run_turn: Turn, sneakers: Draft, message: str, language: str, pace: str
) -> None:
    """Faster means shorter shots and quicker moves, which the renderer makes by cutting each photo
    into several shots on the beat. The director only says the pace: repeating photos to look fast
    (what it used to do) is the misreading issue 9 names."""
    result = await run_turn(sneakers, message, [], language)
    assert result.draft is not None and result.draft.m.pace == pace
    assert result.draft.d == 15000
    assert order(result.draft) == ["p1", "p2", "p3"]  # every photo once, in its place
    assert [s.d for s in result.draft.visuals] == [s.d for s in sneakers.visuals]
    assert texts(result.draft, "title") == texts(sneakers, "title")


async def test_pace_with_a_length_uses_the_length(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "faster, and make it 20 seconds", [])
    assert [c.name for c in result.tool_calls] == ["set_duration", "set_pace"]
    assert result.draft is not None and result.draft.d == 20000 and result.draft.m.pace == "fast"


async def test_faster_than_fast_is_explained(run_turn: Turn, sneakers: Draft) -> None:
    fast = await run_turn(sneakers, "faster", [])
    again = await run_turn(fast.draft, "faster", [])
    assert again.cost == 0 and again.reply == "The pace is already fast."


async def test_quoted_words_are_content_not_commands(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "change the title to 'Faster in 30s, vertical'", [])
    assert [c.name for c in result.tool_calls] == ["set_title"]
    assert result.draft is not None
    assert (result.draft.d, result.draft.m.pace, result.draft.m.aspect) == (15000, "normal", "16:9")
    assert result.draft.m.title == "Faster in 30s, vertical"


async def test_several_edits_in_one_message_are_all_applied(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "make it vertical, 20 seconds, with upbeat music", [])
    assert sorted(c.name for c in result.tool_calls) == ["set_aspect", "set_duration", "set_music"]
    assert result.reply.startswith("Done! ") and "9:16" in result.reply and "20 seconds" in result.reply
    assert "Upbeat" in result.reply and result.cost == EDIT_COST


@pytest.mark.parametrize(
    ("message", "shots"),
    [
        ("I don't like the second photo, get rid of it", ["p1", "p3"]),
        ("第二张照片删掉", ["p1", "p3"]),
        ("the last shot can go", ["p1", "p2"]),
    ],
)
async def test_removal_said_after_the_shot_is_understood(
    run_turn: Turn, sneakers: Draft, message: str, shots: list[str]
) -> None:
    result = await run_turn(sneakers, message, [], "zh" if "照片" in message else "en")
    assert order(result.draft) == shots


async def test_the_clip_means_the_only_clip(run_turn: Turn) -> None:
    assets = [*photos(2), clip("c1", 20000)]
    made = await run_turn(None, "a video", assets)
    result = await run_turn(made.draft, "put the video clip at the start", assets)
    assert order(result.draft) == ["c1", "p1", "p2"]


async def test_a_length_after_the_word_video_is_a_length_not_a_shot(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "make the music a bit quieter and the video 25 seconds", [])
    assert [c.name for c in result.tool_calls] == ["set_music_volume", "set_duration"]
    assert result.draft is not None and result.draft.d == 25000


async def test_chinese_swap_by_position_words(run_turn: Turn, sneakers: Draft) -> None:
    result = await run_turn(sneakers, "第一张和第二张照片换一下位置", [], "zh")
    assert order(result.draft) == ["p2", "p1", "p3"]


async def test_starting_over_keeps_the_words_and_takes_the_new_format(
    run_turn: Turn, sneakers: Draft
) -> None:
    result = await run_turn(sneakers, "start over with a square video", photos(3))
    assert result.draft is not None and [c.name for c in result.tool_calls] == ["create_draft"]
    assert result.draft.m.aspect == "1:1" and result.draft.m.title == "Summer Sneakers"
    assert result.draft.m.prompt == sneakers.m.prompt
