"""Every file is verified where it enters the bot, before a byte is uploaded (issue 11): decoded
headers with the pixel limit checked before any decode, a probe of clips, one refusal per bad file
naming it, in the user's language; an album keeps its good files; the words sent with refused
files still run; the studio's own `rejected` list is said the same way."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from bot.engine.engine import Engine
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from tests.fixtures_engine import Chat


def _uploaded(fake: FakeNemo) -> list[str]:
    return [f.filename for r in fake.requests_to("/api/upload-video/*") for f in r.files]


async def test_an_album_keeps_its_good_files_and_names_each_bad_one(
    chat: Chat, fake_nemo: FakeNemo, bad_media: Path
) -> None:
    files = [bad_media / n for n in ("front.jpg", "candle.jpg", "poster.png", "garbage.mp4", "clip.mp4")]
    await chat.send("/start")
    (answer,) = await chat.send(files=files)
    lines = answer.split("\n")
    assert lines[0] == "✅ 1 photo, 1 clip added to your project."
    assert "⚠️ candle.jpg is damaged or incomplete — I can't use it. Send it again, or another file." in lines
    assert ("⚠️ poster.png is too large: 13300×13300 pixels (177 megapixels); the limit is 50 megapixels. "
            "Resize it and send it again.") in lines
    assert any(line.startswith("⚠️ garbage.mp4 is damaged or incomplete") for line in lines)
    assert _uploaded(fake_nemo) == ["front.jpg", "clip.mp4"]


async def test_the_refusals_are_said_in_chinese(chat: Chat, fake_nemo: FakeNemo, bad_media: Path) -> None:
    chat.locale = "zh"
    await chat.send("/start")
    (answer,) = await chat.send(files=[bad_media / "candle.jpg", bad_media / "poster.png"])
    assert answer.split("\n") == [
        "⚠️ candle.jpg 文件已损坏或不完整，无法使用。请重新发送，或换一个文件。",
        "⚠️ poster.png 尺寸太大：13300×13300 像素（177 百万像素）；上限是 50 百万像素。请缩小后重新发送。",
    ]
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_a_bomb_is_refused_from_its_header_and_never_decoded(
    engine: Engine, chat: Chat, bad_media: Path, tmp_path: Path
) -> None:
    bomb = shutil.copy(bad_media / "poster.png", tmp_path / "poster.png")
    await chat.send("/start")
    started = time.monotonic()
    (answer,) = await chat.send(files=[Path(bomb)])
    assert "poster.png is too large: 13300×13300 pixels" in answer
    assert time.monotonic() - started < 2.0
    checker = engine.services.checker
    assert checker._idle == [] and not checker._busy  # no decoding process was even started


async def test_the_words_sent_with_refused_files_still_run(
    chat: Chat, fake_nemo: FakeNemo, bad_media: Path
) -> None:
    await chat.send("/start")
    files = [bad_media / "candle.jpg", bad_media / "front.jpg"]
    answers = await chat.send("make a 10 second promo", files=files)
    assert answers[0].startswith("✅ 1 photo added to your project.\n⚠️ candle.jpg is damaged")
    assert fake_nemo.messages == ["make a 10 second promo"]
    assert any(a.startswith("Here is your draft: make a 10 second promo") for a in answers)

    answers = await chat.send("now make it vertical", files=[bad_media / "garbage.mp4"])
    assert answers[0].startswith("⚠️ garbage.mp4 is damaged or incomplete")
    assert fake_nemo.messages[-1] == "now make it vertical"


async def test_clips_over_the_length_limit_are_refused_with_both_lengths(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo, bad_media: Path
) -> None:
    chat = Chat(engine_factory(max_upload_seconds=1.5), RecordingReply())
    await chat.send("/start")
    (answer,) = await chat.send(files=[bad_media / "clip.mp4"])
    assert answer == "⚠️ clip.mp4 is too long (0:02); the limit is 0:02. Trim it and send it again."
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_files_past_the_per_message_limit_are_named_and_left_out(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo, bad_media: Path, tmp_path: Path
) -> None:
    photos = []
    for n in range(4):
        photos.append(Path(shutil.copy(bad_media / "front.jpg", tmp_path / f"shot{n}.jpg")))
    chat = Chat(engine_factory(max_files_per_message=2), RecordingReply())
    await chat.send("/start")
    (answer,) = await chat.send(files=photos)
    assert answer.split("\n")[:2] == [
        "✅ 2 photos added to your project.",
        "⚠️ I take up to 2 files per message, so I left these out: shot2.jpg, shot3.jpg. Send them in "
        "another message.",
    ]
    assert _uploaded(fake_nemo) == ["shot0.jpg", "shot1.jpg"]


async def test_the_studios_rejected_list_is_said_like_the_bots_own_refusals(
    chat: Chat, fake_nemo: FakeNemo, bad_media: Path
) -> None:
    chat.locale = "zh"
    await chat.send("/start")
    fake_nemo.fail_next("/api/upload-video/*", status=200, body={"code": 0, "message": "success", "data": {
        "files": [{"filename": "front.jpg", "file_type": "image", "cdn_url": "https://cdn.example/f.jpg"}],
        "session_state_applied": True,
        "rejected": [{"filename": "clip.mp4", "code": 4005,
                      "message": "clip.mp4 is too long: 12:00; the limit is 10:00."}]}})
    (answer,) = await chat.send(files=[bad_media / "front.jpg", bad_media / "clip.mp4"])
    assert answer.split("\n")[:2] == ["✅ 1 张照片已添加到你的项目。",
                                      "⚠️ clip.mp4 太长了（12:00）；上限是 10:00。请剪短后重新发送。"]


async def test_an_upload_the_studio_refuses_whole_names_every_file(
    chat: Chat, fake_nemo: FakeNemo, bad_media: Path
) -> None:
    await chat.send("/start")
    message = "poster.png is too large: 13300x13300 pixels (177 megapixels); the limit is 50."
    fake_nemo.fail_next("/api/upload-video/*", status=200, body={"code": 4004, "message": message, "data": {
        "files": [], "rejected": [{"filename": "front.jpg", "code": 4004, "message": message}]}})
    answers = await chat.send("a promo please", files=[bad_media / "front.jpg"])
    assert answers[0] == ("⚠️ front.jpg is too large: 13300×13300 pixels (177 megapixels); the limit is 50 "
                          "megapixels. Resize it and send it again.")
    assert fake_nemo.messages == ["a promo please"]  # the prompt still ran


async def test_a_one_megabyte_message_is_one_clear_line_and_never_sent(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await chat.send("/start")
    started = time.monotonic()
    answers = await chat.send("make it pop, " * 76_923 + "pop")  # 1,000,002 characters
    assert time.monotonic() - started < 1.0
    assert answers == ["✂️ That message is too long (1,000,002 characters); I take up to 2,000. Send a "
                       "shorter description — the key points are enough."]
    assert fake_nemo.messages == []
