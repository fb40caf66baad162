"""StreamingMessage on a recording chat: what the user sees while an answer streams in."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from bot.channel.errors import DeliveryError, NotModified, RetryLater
from bot.channel.events import Button, ChannelLimits
from bot.channel.streaming import StreamingMessage
from bot.testing.reply import RecordingReply

pytestmark = pytest.mark.timeout(30)

FAST = ChannelLimits(edit_interval=0.05)


async def _produce(stream: StreamingMessage, pieces: list[str], pause: float = 0.0) -> str:
    text = ""
    for piece in pieces:
        text += piece
        await stream.update(text)
        await asyncio.sleep(pause)
    return text


async def test_first_update_sends_and_later_updates_edit_the_same_message() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("Hello")
    await asyncio.sleep(0.01)
    assert [o.op for o in reply.done()] == ["send"]
    await stream.update("Hello, world")
    await asyncio.sleep(0.1)
    refs = await stream.finish()
    assert [o.op for o in reply.done()] == ["send", "edit"]
    assert reply.visible_texts() == ["Hello, world"]
    assert [r.id for r in refs] == [reply.done()[0].id]


async def test_fast_producer_never_edits_more_than_once_per_interval() -> None:
    interval = 0.1
    reply = RecordingReply(ChannelLimits(edit_interval=interval), latency=0.01)
    stream = StreamingMessage(reply)
    text = await _produce(stream, [f"word{i} " for i in range(200)], pause=0.005)
    await stream.finish()
    times = [o.t for o in reply.done("send", "edit")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 3  # it did stream, not just send at the end
    assert min(gaps) >= interval - 0.005  # (the call's own latency only adds to the gap)
    assert reply.visible_texts() == [text]


async def test_update_returns_at_once_even_when_the_platform_is_slow() -> None:
    reply = RecordingReply(FAST, latency=0.3)
    stream = StreamingMessage(reply)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i in range(20):
        await stream.update(f"text {i}")
    assert loop.time() - started < 0.05
    await stream.finish()
    assert reply.visible_texts() == ["text 19"]


async def test_unchanged_text_causes_no_edit() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    for _ in range(5):
        await stream.update("same text")
        await asyncio.sleep(0.06)
    await stream.finish()
    assert [o.op for o in reply.ops] == ["send"]


async def test_not_modified_counts_as_success() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("one")
    await asyncio.sleep(0.01)
    reply.fail("edit", NotModified())
    await stream.update("one two")
    await asyncio.sleep(0.1)
    refs = await stream.finish()
    assert len(refs) == 1
    assert [o.error for o in reply.ops if o.op == "edit"] == ["NotModified"]  # and never retried
    assert reply.calls("send") == 1


async def test_retry_later_mid_stream_holds_then_sends_only_the_newest_text() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("part 1")
    await asyncio.sleep(0.01)
    reply.fail("edit", RetryLater(0.4))
    await stream.update("part 1 part 2")
    await asyncio.sleep(0.1)  # the edit was refused: holding now
    for i in range(3, 8):
        await stream.update("part 1 part 2 " + " ".join(f"part {n}" for n in range(3, i + 1)))
        await asyncio.sleep(0.02)
    refused = reply.failed("edit")[0]
    await asyncio.sleep(0.5)
    after = reply.done("edit")
    assert after and after[0].t - refused.t >= 0.39  # nothing before the hold ended
    assert (after[0].text or "").endswith("part 7")  # straight to the newest text
    await stream.finish("the whole final answer")
    assert reply.visible_texts() == ["the whole final answer"]


async def test_final_text_is_delivered_whole_after_a_retry_later_on_the_final_edit() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("draft")
    await asyncio.sleep(0.01)
    reply.fail("edit", RetryLater(0.2), times=2)
    refs = await stream.finish("final answer")
    assert reply.visible_texts() == ["final answer"]
    assert len(refs) == 1
    assert [o.error for o in reply.ops if o.op == "edit"] == ["RetryLater", "RetryLater", None]


async def test_message_gone_sends_a_new_message_and_keeps_editing_it() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("first")
    await asyncio.sleep(0.01)
    first_id = reply.done("send")[0].id
    assert first_id is not None
    reply.messages[first_id].deleted = True  # the user deleted it
    await stream.update("first second")
    await asyncio.sleep(0.1)
    await stream.update("first second third")
    await asyncio.sleep(0.1)
    refs = await stream.finish("first second third fourth")
    sends = reply.done("send")
    assert len(sends) == 2 and sends[1].text == "first second"
    assert [r.id for r in refs] == [sends[1].id]
    assert reply.visible_texts() == ["first second third fourth"]
    assert all(o.id == sends[1].id for o in reply.done("edit"))


@pytest.mark.parametrize("max_text", [4096, 2000])
async def test_long_final_text_is_split_into_several_messages_with_buttons_on_the_last(max_text: int) -> None:
    reply = RecordingReply(ChannelLimits(max_text=max_text, edit_interval=0.05))
    stream = StreamingMessage(reply)
    paragraphs = [f"Paragraph {i}: " + "lorem ipsum dolor sit amet " * 12 for i in range(40)]
    final = "\n\n".join(p.strip() for p in paragraphs)
    await _produce(stream, [final[:300], final[300:900]], pause=0.06)
    buttons = [Button(label="🎬 Export", action="/export")]
    refs = await stream.finish(final, buttons=buttons)
    texts = reply.visible_texts()
    assert len(texts) == len(refs) >= len(final) // max_text + 1
    assert all(len(t) <= max_text for t in texts)
    assert " ".join(texts).split() == final.split()
    assert refs[0].id == reply.done("send")[0].id  # the streamed message holds the first part
    visible = reply.visible()
    assert visible[-1].buttons == tuple(buttons)
    assert all(m.buttons is None for m in visible[:-1])


async def test_text_longer_than_one_message_spills_over_while_streaming() -> None:
    reply = RecordingReply(ChannelLimits(max_text=100, edit_interval=0.02))
    stream = StreamingMessage(reply)
    text = await _produce(stream, [f"sentence number {i}. " for i in range(20)], pause=0.03)
    await asyncio.sleep(0.1)
    assert len(reply.visible()) >= 3  # streamed into follow-up messages, not stuck at 100 chars
    await stream.finish()
    assert " ".join(reply.visible_texts()).split() == text.split()


async def test_status_line_shows_under_the_text_until_new_text_arrives() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("Generating your video")
    await asyncio.sleep(0.01)
    await stream.status("⏳ Still working...")
    await asyncio.sleep(0.1)
    assert reply.visible_texts() == ["Generating your video\n\n⏳ Still working..."]
    await stream.update("Generating your video... done: 3 shots")
    await asyncio.sleep(0.1)
    assert reply.visible_texts() == ["Generating your video... done: 3 shots"]
    await stream.status("⏳ Still working...")
    await stream.finish()
    assert reply.visible_texts() == ["Generating your video... done: 3 shots"]


async def test_status_alone_before_any_text_is_replaced_by_the_answer() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.status("⏳ Still working...")
    await asyncio.sleep(0.01)
    assert reply.visible_texts() == ["⏳ Still working..."]
    await stream.finish("Here it is")
    assert reply.visible_texts() == ["Here it is"]


async def test_formatted_final_refused_is_resent_plain() -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("**Done**")
    await asyncio.sleep(0.01)
    reply.fail("edit", DeliveryError("can't parse entities"), formatted=True)
    await stream.finish("**Done** with `code", formatted=True)
    edits = [o for o in reply.ops if o.op == "edit"]
    assert [(o.formatted, o.error) for o in edits] == [(True, "DeliveryError"), (False, None)]
    assert reply.visible_texts() == ["**Done** with `code"]
    assert all(not o.formatted for o in reply.done("send"))  # mid-stream text is always plain


async def test_unexpected_failure_on_the_final_edit_tries_a_new_message_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reply = RecordingReply(FAST)
    stream = StreamingMessage(reply)
    await stream.update("partial")
    await asyncio.sleep(0.01)
    reply.fail("edit", RuntimeError("boom nmv_usr_abcdefghijklmnopqrstuvwxyz0123456789"))
    with caplog.at_level(logging.WARNING, logger="bot.channel.streaming"):
        refs = await stream.finish("final")
    assert reply.visible_texts()[-1] == "final"
    assert len(refs) == 1 and refs[0].id == reply.done("send")[-1].id
    assert "nmv_usr_" not in caplog.text


async def test_finish_waits_for_the_edit_in_flight() -> None:
    reply = RecordingReply(FAST, latency=0.2)
    stream = StreamingMessage(reply)
    await stream.update("one")
    await asyncio.sleep(0.05)  # the send is in flight
    refs = await stream.finish("one two")
    assert [o.op for o in reply.ops] == ["send", "edit"]
    assert reply.visible_texts() == ["one two"]
    assert len(refs) == 1


async def test_channel_without_edits_gets_only_the_final_text() -> None:
    reply = RecordingReply(ChannelLimits(supports_edit=False, edit_interval=0.01))
    stream = StreamingMessage(reply)
    await _produce(stream, ["a ", "b ", "c"], pause=0.02)
    await stream.finish()
    assert [(o.op, o.text) for o in reply.ops] == [("send", "a b c")]


async def test_shorter_final_text_removes_spilled_messages() -> None:
    reply = RecordingReply(ChannelLimits(max_text=50, edit_interval=0.01))
    stream = StreamingMessage(reply)
    await stream.update("word " * 30)
    await asyncio.sleep(0.1)
    assert len(reply.visible()) >= 3
    refs = await stream.finish("Short answer.")
    assert reply.visible_texts() == ["Short answer."]
    assert len(refs) == 1
