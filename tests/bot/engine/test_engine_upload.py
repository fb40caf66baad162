"""Uploads: an album as one call and one acknowledgement; files refused before a byte is sent."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.samples import make_sample_photos
from bot.testing.fakenemo import FakeNemo
from tests.fixtures_engine import Chat


async def test_three_photos_are_one_upload_and_one_acknowledgement(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    photos = make_sample_photos(tmp_path / "photos")
    await chat.send("/start")
    answers = await chat.send(files=photos)
    assert answers == [
        '✅ 3 photos added to your project.\nNow tell me what to make — e.g. "create a 30-second '
        'promotional video from my product images and description".'
    ]
    ack_ops = [o for o in chat.reply.ops if o.id == chat.reply.ops[-1].id]
    assert ack_ops[0].op == "send" and ack_ops[0].text == "📥 Got 3 photos — uploading…"
    (request,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [f.sha256 for f in request.files] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in photos]
    assert photos[0].exists()  # the user's own files are left alone


async def test_text_sent_with_the_files_becomes_a_chat_turn(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    photos = make_sample_photos(tmp_path / "photos")[:2]
    await chat.send("/start")
    answers = await chat.send("make a promo for my bottle", files=photos)
    assert answers[0] == "✅ 2 photos added to your project."
    assert answers[1].startswith("Here is your draft: make a promo for my bottle")
    assert fake_nemo.messages == ["make a promo for my bottle"]


async def test_a_text_file_named_jpg_is_refused_and_the_good_photo_still_goes(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is not a photo at all\n")
    good = make_sample_photos(tmp_path / "photos")[:1]
    await chat.send("/start")
    (answer,) = await chat.send(files=[good[0], fake])
    added, refused, tip = answer.split("\n")
    assert added == "✅ 1 photo added to your project."
    assert refused.startswith("⚠️ I can't use holiday.jpg") and "jpg" in refused and "mp4" in refused
    assert tip.startswith("Now tell me what to make")
    (request,) = fake_nemo.requests_to("/api/upload-video/*")
    assert [f.filename for f in request.files] == [good[0].name]


async def test_a_text_file_alone_is_refused_with_nothing_uploaded(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is not a photo at all\n")
    await chat.send("/start")
    (answer,) = await chat.send(files=[fake])
    assert answer.startswith("⚠️ I can't use holiday.jpg") and "\n" not in answer
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_a_refused_file_lists_the_accepted_types_the_chinese_way(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is not a photo at all\n")
    chat.locale = "zh"
    await chat.send("/start")
    (answer,) = await chat.send(files=[fake])
    assert answer.startswith("⚠️ 无法使用 holiday.jpg")
    assert "mp4、mov、" in answer and ", " not in answer


async def test_a_201_mb_file_is_refused_with_the_limit_and_a_tip(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    big = tmp_path / "long-take.mp4"
    with big.open("wb") as fh:  # sparse: no 201 MB written to disk
        fh.write(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
        fh.truncate(201 * 1024 * 1024)
    await chat.send("/start")
    (answer,) = await chat.send(files=[big])
    assert "long-take.mp4" in answer and "200 MB" in answer
    assert "Compress" in answer or "trim" in answer
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_a_missing_file_is_answered_clearly(chat: Chat, fake_nemo: FakeNemo, tmp_path: Path) -> None:
    await chat.send("/start")
    (answer,) = await chat.send(files=[tmp_path / "nowhere.png"])
    assert answer == "⚠️ I can't find the file nowhere.png — check the path and send it again."
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_attach_without_a_path_explains_how_to_send_files(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start")
    (answer,) = await chat.send("/attach")
    assert answer.startswith("📎 Send me photos, clips or audio files")
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_a_link_in_the_text_becomes_a_url_upload(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start")
    answers = await chat.send("use this clip https://cdn.example.com/clips/surf.mp4 please")
    (request,) = fake_nemo.requests_to("/api/upload-video/*")
    assert request.json == {"urls": ["https://cdn.example.com/clips/surf.mp4"], "source_type": "url"}
    assert answers[0] == "✅ 1 link added to your project."
    assert fake_nemo.messages == ["use this clip please"]


async def test_a_link_the_studio_cannot_fetch_is_explained_in_place_of_the_upload_note(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    fake_nemo.fail_next("/api/upload-video/*", status=422,
                        body={"code": 422, "message": "Could not download from example.com."})
    await chat.send("/start")
    answers = await chat.send("https://example.com/cat.jpg")
    assert answers == [
        "⚠️ I couldn't download https://example.com/cat.jpg — make sure the link is public and points "
        "straight to a photo, video or audio file, or send the file itself."
    ]
    assert fake_nemo.messages == []


async def test_an_unfetchable_link_is_explained_in_chinese(chat: Chat, fake_nemo: FakeNemo) -> None:
    chat.locale = "zh"
    await chat.send("/start")
    fake_nemo.fail_next("/api/upload-video/*", status=422, body={"code": 422, "message": "nope"})
    (answer,) = await chat.send("https://example.com/x.mp4")
    assert answer.startswith("⚠️ 无法下载 https://example.com/x.mp4——")
    assert "went wrong" not in answer


async def test_photos_the_studio_cannot_take_now_leave_no_uploading_note_standing(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    photos = make_sample_photos(tmp_path / "photos")[:2]
    await chat.send("/start")
    fake_nemo.fail_next("/api/upload-video/*", status=503, times=10)
    answers = await chat.send(files=photos)
    assert answers[0] == "⚠️ The upload didn't go through — please send the files again."
    assert answers[1].startswith("🛠 The video studio isn't answering")
    assert not any("uploading…" in a for a in answers)


async def test_a_downloaded_file_handed_over_by_an_adapter_is_removed_after_upload(
    chat: Chat, fake_nemo: FakeNemo, data_dir: Path
) -> None:
    scratch = data_dir / "tmp" / "telegram"
    photo = make_sample_photos(scratch)[0]
    await chat.send("/start")
    await chat.send(files=[photo])
    assert len(fake_nemo.requests_to("/api/upload-video/*")) == 1
    assert not photo.exists()


async def test_a_voice_note_is_sent_to_the_backend_as_aac_audio(
    chat: Chat, fake_nemo: FakeNemo, tmp_path: Path
) -> None:
    import asyncio

    import imageio_ffmpeg

    voice = tmp_path / "voice.oga"  # what Telegram delivers for a voice message: Ogg/Opus
    proc = await asyncio.create_subprocess_exec(
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=1",
        "-c:a", "libopus", "-f", "ogg", str(voice),
    )
    assert await proc.wait() == 0
    await chat.send("/start")
    answers = await chat.send(files=[voice])
    assert answers[0].startswith("✅ 1 audio file added to your project.")
    (request,) = fake_nemo.requests_to("/api/upload-video/*")
    (sent,) = request.files
    assert sent.filename.endswith(".m4a")
    assert sent.data[4:8] == b"ftyp"  # an MP4/M4A container, not the Ogg original
