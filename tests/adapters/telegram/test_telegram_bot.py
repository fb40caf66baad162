"""The whole Telegram bot: the real PTB Application from `build_application`, driven through the
tg-auto-test peer, over the real Redis and the fake NemoVideo server.

Updates the peer cannot make (albums, other languages, groups) are built here and fed to the same
Application with `process_update` while the peer's transport records what the bot sends back.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import pytest
from tg_auto_test.test_utils.models import ServerlessMessage
from tg_auto_test.test_utils.serverless_telegram_conversation import ServerlessTelegramConversation

from bot.i18n import t
from tests.fixtures_telegram import (
    BOT_USERNAME,
    USER_ID,
    TgBot,
    calls,
    chat_dict,
    jpeg_bytes,
    message_update,
    store_file,
    user_dict,
)

MB = 1024 * 1024

# The peer runs handlers without starting the Application; PTB warns that it won't await their tasks
# (the peer and TgBot.feed do).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`"),
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]


async def edits_until_done(conv: ServerlessTelegramConversation) -> list[ServerlessMessage]:
    """Every edit of the current action, until the bot's work is over."""
    edits = []
    while True:
        try:
            edits.append(await conv.get_edit(timeout=20))
        except RuntimeError:  # no pending edit and no work left
            return edits


async def send_album(bot: TgBot, photos: list[bytes], *, first_update: int, caption: str = "") -> None:
    updates = []
    for i, data in enumerate(photos):
        file_id = f"album_photo_{first_update + i}"
        store_file(bot.client, file_id, data, f"{file_id}.jpg", "image/jpeg")
        updates.append(
            message_update(
                bot.app.bot, first_update + i, first_update + i, photo_file_id=file_id, photo_size=len(data),
                media_group_id=f"grp{first_update}", caption=caption if i == 0 else None,
            )
        )
    await bot.feed(*updates)


async def test_start_greets_in_english(tg_bot: TgBot) -> None:
    async with tg_bot.client.conversation(USER_ID) as conv:
        await conv.send_message("/start")
        first = await conv.get_response()
        edits = await edits_until_done(conv)
    shown = edits[-1].text if edits else first.text
    assert shown == t("en", "greeting")


async def test_start_greets_in_chinese_by_language_code(tg_bot: TgBot) -> None:
    chinese = user_dict(language_code="zh-hans")
    update = message_update(tg_bot.app.bot, 5001, 5001, text="/start", user=chinese)
    await tg_bot.feed(update)
    assert tg_bot.texts()[-1] == t("zh", "greeting")


async def test_album_of_three_photos_is_one_message_uploaded_byte_identical(
    tg_bot: TgBot, fake_nemo: Any
) -> None:
    photos = [jpeg_bytes((200, 30, 30)), jpeg_bytes((30, 200, 30)), jpeg_bytes((30, 30, 200))]
    await send_album(tg_bot, photos, first_update=6001)
    got = [text for text in tg_bot.texts() if "📥" in text]
    assert got == [t("en", "upload.receiving", what="3 photos")]
    uploads = fake_nemo.requests_to("/api/upload-video/*")
    assert len(uploads) == 1  # one upload call for the whole album
    assert sorted(f.data for f in uploads[0].files) == sorted(photos)
    assert len(calls(tg_bot.client, "getFile")) == 3


@pytest.mark.tg_settings(telegram_drafts=False)  # the edit-based stream (groups, refused drafts)
async def test_prompt_reply_streams_as_edits_of_one_message(tg_bot: TgBot, fake_nemo: Any) -> None:
    fake_nemo.reply = "Here is your draft for {message}: " + "a bright upbeat montage " * 12
    fake_nemo.turn_pause = 0.2  # three deltas, well apart
    async with tg_bot.client.conversation(USER_ID) as conv:
        await conv.send_message("make a promo for my bakery")
        first = await conv.get_response()
        edits = await edits_until_done(conv)
    final = edits[-1]
    streamed = [e.text for e in edits if e.id == final.id]
    assert len(streamed) >= 2  # the reply grew in place, edit after edit
    assert all(later.startswith(earlier.rstrip()) for earlier, later in itertools.pairwise(streamed))
    assert first.id <= final.id
    assert final.text.startswith("Here is your draft for make a promo for my bakery")
    assert final.text.rstrip().endswith("a bright upbeat montage")
    labels = [b.text for row in final.buttons or [] for b in row]
    assert "🎬 Export" in labels


async def test_buttons_press_runs_their_command(tg_bot: TgBot, fake_nemo: Any) -> None:
    async with tg_bot.client.conversation(USER_ID) as conv:
        await conv.send_message("make a promo for my bakery")
        final = (await edits_until_done(conv))[-1]
        labels = [b.text for row in final.buttons or [] for b in row]
        assert labels == [t("en", k) for k in ("btn.export", "btn.status", "btn.credits", "btn.new")]
        answer = await final.click(text=t("en", "btn.credits"))
        await edits_until_done(conv)
    assert answer.message == ""  # the callback query was answered (no toast)
    assert len(calls(tg_bot.client, "answerCallbackQuery")) == 1
    assert tg_bot.texts()[-1].startswith("💳 Credits:")
    (markup,) = {c.parameters["reply_markup"] for c in calls(tg_bot.client) if "reply_markup" in c.parameters}
    data = [b["callback_data"] for row in json.loads(markup)["inline_keyboard"] for b in row]
    assert data == ["/export", "/status", "/credits", "/new"]


async def test_export_sends_the_rendered_mp4_with_its_metadata(
    tg_bot: TgBot, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await send_album(tg_bot, [jpeg_bytes((10, 10, 10)), jpeg_bytes((240, 240, 240))], first_update=7001,
                     caption="make a 10 second video")
    await tg_bot.feed(message_update(tg_bot.app.bot, 7100, 7100, text="/export"))
    (video,) = calls(tg_bot.client, "sendVideo")
    assert video.file is not None and video.file.data == fake_nemo_mp4
    p = video.parameters
    assert (p["width"], p["height"], p["supports_streaming"]) == ("320", "240", "true")
    assert int(p["duration"]) >= 1 and p["thumbnail"].startswith("attach://")
    thumb = dict(tg_bot.faults.multipart[-1][1])[p["thumbnail"].removeprefix("attach://")][1]
    assert thumb[:3] == b"\xff\xd8\xff"  # a JPEG
    assert len(p.get("caption", "")) <= 1024
    assert any(c.parameters.get("action") == "upload_video" for c in calls(tg_bot.client, "sendChatAction"))


async def test_a_25_mb_document_is_refused_before_any_download(tg_bot: TgBot, fake_nemo: Any) -> None:
    doc = {"file_id": "big_doc", "file_unique_id": "u_big", "file_name": "holiday.mp4",
           "mime_type": "video/mp4", "file_size": 25 * MB}
    await tg_bot.feed(message_update(tg_bot.app.bot, 8001, 8001, document=doc))
    (answer,) = tg_bot.texts()
    assert "25 MB" in answer and "20 MB" in answer
    assert "link" in answer and "TELEGRAM_API_URL" in answer
    assert calls(tg_bot.client, "getFile") == []
    assert fake_nemo.requests_to("/api/upload-video/*") == []


async def test_the_caption_of_a_refused_file_still_runs(tg_bot: TgBot, fake_nemo: Any) -> None:
    doc = {"file_id": "big_doc", "file_unique_id": "u_big", "file_name": "holiday.mp4",
           "mime_type": "video/mp4", "file_size": 25 * MB}
    await tg_bot.feed(message_update(tg_bot.app.bot, 8001, 8001, document=doc, caption="a beach teaser"))
    texts = tg_bot.texts()
    assert "25 MB" in texts[0] and calls(tg_bot.client, "getFile") == []
    assert fake_nemo.messages == ["a beach teaser"]
    assert texts[-1].startswith("Here is your draft: a beach teaser")


@pytest.mark.tg_settings(telegram_drafts=False)  # flood control of the edit-based stream
async def test_flood_control_mid_stream_still_ends_with_the_whole_text(tg_bot: TgBot, fake_nemo: Any) -> None:
    fake_nemo.reply = "Your video plan: " + " ".join(f"step{i}" for i in range(60)) + " — done."
    fake_nemo.turn_pause = 0.02
    tg_bot.faults.flood("editMessageText", retry_after=1, after=1)
    await tg_bot.feed(message_update(tg_bot.app.bot, 9001, 9001, text="plan my video"))
    assert [h.status for h in tg_bot.faults.hits] == [429]
    finals = [text for text in tg_bot.texts() if text.startswith("Your video plan:")]
    assert finals[-1] == fake_nemo.reply.format(message="plan my video")


async def test_token_message_is_deleted_at_once_in_private(
    tg_bot: TgBot, fake_nemo: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_nemo.add_token("nmv_usr_supersecretvalue", "usr_own")
    await tg_bot.feed(message_update(tg_bot.app.bot, 9101, 9101, text="/token nmv_usr_supersecretvalue"))
    (deleted,) = calls(tg_bot.client, "deleteMessage")
    assert deleted.parameters["message_id"] == "9101"
    methods = [c.api_method for c in calls(tg_bot.client)]
    assert methods.index("deleteMessage") < methods.index("sendMessage")  # before anything is said
    assert all("supersecretvalue" not in text for text in tg_bot.texts())
    assert tg_bot.texts()[-1] == t("en", "token.saved")
    assert "supersecretvalue" not in caplog.text


async def test_token_in_a_group_is_refused_and_deleted(tg_bot: TgBot) -> None:
    group = chat_dict(-100500, group=True)
    await tg_bot.feed(message_update(tg_bot.app.bot, 9201, 9201, text="/token nmv_usr_supersecretvalue",
                                     chat=group))
    (deleted,) = calls(tg_bot.client, "deleteMessage")
    assert deleted.parameters == {"chat_id": "-100500", "message_id": "9201"}
    (answer,) = tg_bot.texts()
    assert "private chat" in answer and "supersecretvalue" not in answer


async def test_in_a_group_only_what_is_meant_for_the_bot_is_answered(tg_bot: TgBot) -> None:
    group = chat_dict(-100600, group=True)
    bot = tg_bot.app.bot
    await tg_bot.feed(message_update(bot, 9301, 9301, text="lunch anyone?", chat=group))
    assert calls(tg_bot.client, "sendMessage") == []
    await tg_bot.feed(message_update(bot, 9302, 9302, text=f"/help@{BOT_USERNAME}", chat=group))
    answer = tg_bot.texts()[-1]  # /help: the examples, every command, what Telegram adds
    assert answer.startswith(t("en", "greeting").rsplit("\n\n", 1)[0]) and "/export — " in answer
    assert t("en", "help.telegram") in answer
    mention = [{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}]
    await tg_bot.feed(message_update(bot, 9303, 9303, text=f"@{BOT_USERNAME} make a promo", chat=group,
                                     entities=mention))
    assert any(text.startswith("Here is your draft: make a promo") for text in tg_bot.texts())


async def test_in_a_group_an_album_counts_when_its_caption_mentions_the_bot(
    tg_bot: TgBot, fake_nemo: Any
) -> None:
    group = chat_dict(-100700, group=True)
    bot = tg_bot.app.bot
    mention = [{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}]

    async def album(first: int, caption: str | None, entities: list[dict[str, Any]] | None) -> None:
        updates = []
        for i in range(2):
            file_id = f"g_photo_{first + i}"
            data = jpeg_bytes((first % 250, 9 * i, 60))
            store_file(tg_bot.client, file_id, data, f"{file_id}.jpg", "image/jpeg")
            updates.append(message_update(bot, first + i, first + i, photo_file_id=file_id, photo_size=900,
                                          media_group_id=f"g{first}", chat=group,
                                          caption=caption if i == 0 else None,
                                          entities=entities if i == 0 else None))
        await tg_bot.feed(*updates)

    await album(9401, "holiday pics", None)  # people sharing photos with each other
    assert calls(tg_bot.client, "getFile") == [] and tg_bot.texts() == []
    await album(9411, f"@{BOT_USERNAME} make a video", mention)
    assert [text for text in tg_bot.texts() if "📥" in text] == [t("en", "upload.receiving", what="2 photos")]
    assert len(calls(tg_bot.client, "getFile")) == 2


@pytest.mark.slow
async def test_a_voice_note_is_heard_and_handled_as_typed(
    tg_bot: TgBot, fake_nemo: Any, voice_notes: dict[str, Any], asr: Any
) -> None:
    """issue 12: a Telegram voice message (tg-auto-test's `voice_note=True`) → "🎙 “…”" and a chat turn."""
    async with tg_bot.client.conversation(USER_ID) as conv:
        await conv.send_file(voice_notes["en"].read_bytes(), voice_note=True)
        echo = await conv.get_response()
    assert echo.text.startswith("🎙 “Make it vertical for TikTok")
    (sent,) = fake_nemo.requests_to("/run_sse")
    assert "vertical for TikTok" in sent.json["new_message"]["parts"][0]["text"]
    assert fake_nemo.requests_to("/api/upload-video/*") == []
