"""TelegramReply against the tg-auto-test Bot API: what the user sees, and how Telegram's errors
reach the streaming layer (faults injected at the transport, so PTB raises its real exceptions)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from telegram.error import TimedOut
from telegram.request import HTTPXRequest
from tg_auto_test.test_utils.serverless_telegram_client import ServerlessTelegramClient

from adapters.telegram.reply import TelegramReply, limits_for, never_sent
from bot.channel.errors import DeliveryError, MessageGone, NotModified, RetryLater
from bot.channel.events import Button, MessageRef, VideoFile
from bot.channel.streaming import StreamingMessage
from tests.fixtures_telegram import USER_ID, TransportFaults, calls, tg_settings

Bot = tuple[ServerlessTelegramClient, TransportFaults]

# PTB 22's own RetryAfter constructor warns that `retry_after` becomes a timedelta in PTB 23
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


def make_reply(client: ServerlessTelegramClient, *, group: bool = False, **settings: Any) -> TelegramReply:
    s = tg_settings(**settings)
    return TelegramReply(client._application.bot, USER_ID, limits=limits_for(s, is_group=group))


def test_limits_follow_the_platform_and_settings() -> None:
    private = limits_for(tg_settings(), is_group=False)
    group = limits_for(tg_settings(), is_group=True)
    local = limits_for(tg_settings(telegram_api_url="http://tg-api:8081"), is_group=False)
    assert (private.max_text, private.max_caption, private.edit_interval) == (4096, 1024, 1.0)
    assert group.edit_interval == 3.0
    assert private.max_video_bytes == 50 * 1024 * 1024
    assert local.max_video_bytes == 2000 * 1024 * 1024


async def test_formatted_final_text_is_sent_as_html(bare_bot: Bot) -> None:
    client, _ = bare_bot
    reply = make_reply(client)
    await reply.send_text("**Done** — see `render_1` <now>", formatted=True)
    (call,) = calls(client, "sendMessage")
    assert call.parameters["parse_mode"] == "HTML"
    assert call.parameters["text"] == "<b>Done</b> — see <code>render_1</code> &lt;now&gt;"
    assert call.result is not None and call.result["text"] == "Done — see render_1 <now>"


async def test_mid_stream_text_is_plain(bare_bot: Bot) -> None:
    client, _ = bare_bot
    reply = make_reply(client)
    ref = await reply.send_text("**partial")
    await reply.edit_text(ref, "**partial text")
    for call in calls(client, "sendMessage") + calls(client, "editMessageText"):
        assert "parse_mode" not in call.parameters
    assert calls(client, "editMessageText")[0].parameters["text"] == "**partial text"


async def test_text_telegram_cannot_parse_is_resent_plain(bare_bot: Bot) -> None:
    client, faults = bare_bot
    faults.fail("sendMessage", "Bad Request: can't parse entities: unsupported start tag at byte offset 3")
    reply = make_reply(client)
    ref = await reply.send_text("**Done**", formatted=True)
    (call,) = calls(client, "sendMessage")  # the refused attempt never reached the chat
    assert "parse_mode" not in call.parameters and call.parameters["text"] == "**Done**"
    assert ref.id == str(call.result["message_id"])
    faults.fail("editMessageText", "Bad Request: can't parse entities: can't find end of bold entity")
    await reply.edit_text(ref, "**Done!**", formatted=True)
    assert calls(client, "editMessageText")[-1].parameters["text"] == "**Done!**"


async def test_unchanged_edit_is_reported_as_not_modified(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    ref = await reply.send_text("hello")
    faults.fail(
        "editMessageText",
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message",
    )
    with pytest.raises(NotModified):
        await reply.edit_text(ref, "hello")


@pytest.mark.parametrize(
    "description", ["Bad Request: message to edit not found", "Bad Request: message can't be edited"]
)
async def test_edit_of_a_vanished_message_is_reported_as_gone(bare_bot: Bot, description: str) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.fail("editMessageText", description)
    with pytest.raises(MessageGone):
        await reply.edit_text(MessageRef(id="77", chat_id=str(USER_ID)), "new text")


async def test_flood_control_is_reported_with_the_whole_wait(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    ref = await reply.send_text("a")
    faults.flood("editMessageText", retry_after=7)
    with pytest.raises(RetryLater) as caught:
        await reply.edit_text(ref, "ab")
    assert caught.value.seconds == 7.0
    faults.flood("sendMessage", retry_after=3)
    with pytest.raises(RetryLater):
        await reply.send_text("c")


async def test_a_send_that_timed_out_is_not_sent_again(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendMessage")
    ref = await reply.send_text("did it arrive?")  # it may have: treated as sent, never re-sent
    assert len(faults.hits) == 1 and calls(client, "sendMessage") == []
    with pytest.raises(MessageGone):  # its id is unknown: newer text goes out as a new message
        await reply.edit_text(ref, "did it arrive? yes")
    await reply.delete(ref)
    assert calls(client, "deleteMessage") == []


async def test_a_formatted_final_that_timed_out_is_not_resent_plain(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendMessage")
    stream = StreamingMessage(reply, interval=0.01)
    await stream.finish("**Video ready!**", formatted=True)
    assert len(faults.hits) == 1 and calls(client, "sendMessage") == []


async def test_a_final_whose_send_never_reached_telegram_is_sent_once_more(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendMessage", cause=httpx.ConnectTimeout)  # the request never left
    stream = StreamingMessage(reply, interval=0.01)
    await stream.finish("✅ Video ready!")
    assert len(faults.hits) == 1
    assert [c.parameters["text"] for c in calls(client, "sendMessage")] == ["✅ Video ready!"]


async def test_a_final_that_cannot_reach_telegram_twice_is_tried_again_not_taken_as_sent(
    bare_bot: Bot,
) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendMessage", cause=httpx.PoolTimeout, times=2)
    with pytest.raises(DeliveryError):
        await reply.send_text("first try")
    faults.time_out("sendMessage", cause=httpx.ConnectTimeout, times=2)
    stream = StreamingMessage(reply, interval=0.01)
    await stream.finish("✅ Video ready!")  # two lost tries, then the streaming layer's last one
    assert [c.parameters["text"] for c in calls(client, "sendMessage")] == ["✅ Video ready!"]


async def test_a_send_whose_answer_timed_out_is_still_not_sent_again(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendMessage", cause=httpx.ReadTimeout)  # Telegram had the request
    stream = StreamingMessage(reply, interval=0.01)
    await stream.finish("✅ Video ready!")
    assert len(faults.hits) == 1 and calls(client, "sendMessage") == []


async def test_flood_control_mid_stream_still_ends_with_the_whole_text(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client, telegram_edit_interval=0.05)
    faults.flood("editMessageText", retry_after=1, after=2)  # the third edit hits flood control
    stream = StreamingMessage(reply, interval=0.05)
    words = [f"word{i}" for i in range(40)]
    for i in range(1, len(words) + 1):
        await stream.update(" ".join(words[:i]))
        if i % 4 == 0:
            await asyncio.sleep(0.06)
    await stream.finish(" ".join(words) + ".", formatted=True)
    assert [h.status for h in faults.hits] == [429]
    shown = calls(client, "editMessageText")[-1].result
    assert shown is not None and shown["text"] == " ".join(words) + "."


async def test_buttons_become_an_inline_keyboard_of_actions(bare_bot: Bot) -> None:
    client, _ = bare_bot
    reply = make_reply(client)
    buttons = [Button(label="🎬 Export", action="/export"), Button(label="📊 Status", action="/status"),
               Button(label="💳 Credits", action="/credits"), Button(label="too long", action="/" + "x" * 64)]
    await reply.send_text("Ready.", buttons=buttons)
    markup = json.loads(calls(client, "sendMessage")[0].parameters["reply_markup"])
    rows = markup["inline_keyboard"]
    assert [[(b["text"], b["callback_data"]) for b in row] for row in rows] == [
        [("🎬 Export", "/export"), ("📊 Status", "/status")],
        [("💳 Credits", "/credits")],
    ]


async def test_video_goes_out_streamable_with_size_duration_and_thumbnail(
    bare_bot: Bot, small_video: VideoFile
) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    caption = "🎬 Your video https://nemovideo.com/p/1 " + "x" * 2000
    await reply.send_video(small_video, caption, buttons=[Button(label="🆕 New project", action="/new")])
    (call,) = calls(client, "sendVideo")
    p = call.parameters
    assert (p["width"], p["height"], p["duration"], p["supports_streaming"]) == ("320", "240", "2", "true")
    assert len(p["caption"]) <= 1024 and p["caption"].startswith("🎬 Your video https://nemovideo.com/p/1")
    assert call.file is not None and call.file.data == small_video.path.read_bytes()
    _, files = faults.multipart[-1]
    thumb_field = p["thumbnail"].removeprefix("attach://")
    assert small_video.thumbnail is not None
    assert files[thumb_field][1] == small_video.thumbnail.read_bytes()
    assert json.loads(p["reply_markup"])["inline_keyboard"][0][0]["callback_data"] == "/new"


async def test_a_caption_of_emoji_is_cut_to_what_telegram_counts_as_1024(
    bare_bot: Bot, small_video: VideoFile
) -> None:
    client, _ = bare_bot
    reply = make_reply(client)
    await reply.send_video(small_video, "🎬 Your video " + "🎉" * 700)  # 700 characters, 1400 units
    caption = calls(client, "sendVideo")[0].parameters["caption"]
    assert caption.startswith("🎬 Your video 🎉") and caption.endswith("…")
    assert 1000 <= len(caption.encode("utf-16-le")) // 2 <= 1024


async def test_a_video_upload_that_timed_out_is_reported_not_retried(
    bare_bot: Bot, small_video: VideoFile
) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendVideo")
    with pytest.raises(DeliveryError) as caught:  # the engine then sends the download link instead
        await reply.send_video(small_video, "🎬")
    assert not isinstance(caught.value, RetryLater | MessageGone | NotModified)
    assert len(faults.hits) == 1 and calls(client, "sendVideo") == []


async def test_a_video_upload_that_never_reached_telegram_is_sent_once_more(
    bare_bot: Bot, small_video: VideoFile
) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    faults.time_out("sendVideo", cause=httpx.PoolTimeout)  # every connection was busy
    await reply.send_video(small_video, "🎬 Your video")
    (call,) = calls(client, "sendVideo")
    assert call.file is not None and call.file.data == small_video.path.read_bytes()
    faults.time_out("sendVideo", cause=httpx.ConnectTimeout, times=2)
    with pytest.raises(DeliveryError):  # twice: the engine sends the download link instead
        await reply.send_video(small_video, "🎬 Your video")
    assert len(calls(client, "sendVideo")) == 1


async def test_activity_shows_typing_and_uploading(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    await reply.show_activity("typing")
    await reply.show_activity("upload_video")
    faults.flood("sendChatAction", retry_after=5)
    await reply.show_activity("typing")  # an indicator never fails the turn
    assert [c.parameters["action"] for c in calls(client, "sendChatAction")] == ["typing", "upload_video"]


async def test_deleting_a_message_already_gone_is_quiet(bare_bot: Bot) -> None:
    client, faults = bare_bot
    reply = make_reply(client)
    ref = await reply.send_text("status")
    await reply.delete(ref)
    faults.fail("deleteMessage", "Bad Request: message to delete not found")
    await reply.delete(ref)
    assert calls(client, "deleteMessage")[0].parameters["message_id"] == ref.id


async def test_real_ptb_timeouts_tell_a_request_that_never_left_from_a_late_answer() -> None:
    """PTB's own HTTPXRequest against a local server that never answers: the request that got a
    connection times out reading (it may have arrived), the one queued behind it never leaves."""
    release = asyncio.Event()

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = HTTPXRequest(connection_pool_size=1, pool_timeout=0.1, read_timeout=0.5)
    await request.initialize()
    url = f"http://127.0.0.1:{port}/botTEST/sendMessage"
    try:
        first = asyncio.create_task(request.post(url))
        await asyncio.sleep(0.05)  # it holds the only connection
        with pytest.raises(TimedOut) as queued:
            await request.post(url)
        with pytest.raises(TimedOut) as late:
            await first
    finally:
        release.set()
        await request.shutdown()
        server.close()
        await server.wait_closed()
    assert never_sent(queued.value) is True
    assert never_sent(late.value) is False


async def test_a_document_arrives_with_its_bytes_and_caption(bare_bot: Bot) -> None:
    client, _ = bare_bot
    reply = make_reply(client)
    assert reply.limits.supports_documents and not reply.limits.long_text_as_file  # long texts still split
    ref = await reply.send_document("answer.txt", b"the whole answer", "📄 answer.txt")
    (call,) = calls(client, "sendDocument")
    assert call.parameters["caption"] == "📄 answer.txt" and ref.chat_id == str(USER_ID)
    assert call.file is not None and call.file.data == b"the whole answer"
