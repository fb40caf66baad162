"""`DraftStream` on a recording chat that has drafts: the placeholder first, the growing text as one
draft id, kept alive while nothing new comes, rate limits held, the final text as real messages —
and edits from the moment drafts are refused."""

from __future__ import annotations

import asyncio

from bot.channel.drafts import DraftStream, open_stream
from bot.channel.errors import DraftsRefused, RetryLater
from bot.channel.events import Button, ChannelLimits
from bot.channel.streaming import StreamingMessage
from bot.testing.reply import RecordingReply

DRAFTS = ChannelLimits(edit_interval=0.05, supports_drafts=True, draft_interval=0.02, max_text=200)


def drafts(reply: RecordingReply) -> list[str]:
    return [o.text or "" for o in reply.done("draft")]


async def test_only_a_channel_with_drafts_gets_a_draft_stream() -> None:
    assert isinstance(open_stream(RecordingReply(limits=DRAFTS)), DraftStream)
    plain = open_stream(RecordingReply(limits=ChannelLimits()))
    assert type(plain) is StreamingMessage


async def test_the_placeholder_then_the_growing_text_then_one_real_message() -> None:
    reply = RecordingReply(limits=DRAFTS)
    stream = open_stream(reply, placeholder="💭 Thinking…")
    assert isinstance(stream, DraftStream)
    await asyncio.sleep(0.05)
    for text in ("Here", "Here is", "Here is your plan"):
        await stream.update(text)
        await asyncio.sleep(0.05)
    buttons = [Button(label="🎬 Export", action="/export")]
    refs = await stream.finish("Here is your plan.", buttons=buttons)

    shown = drafts(reply)
    assert shown[0] == "💭 Thinking…" and shown[-1] == "Here is your plan"
    assert {o.id for o in reply.done("draft")} == {str(stream.draft_id)}
    assert reply.done("edit") == []
    (message,) = reply.visible()
    assert message.text == "Here is your plan." and message.buttons == tuple(buttons)
    assert [r.id for r in refs] == [message.id]
    assert reply.ops[-1].op == "send"  # nothing drafted after the real message


async def test_a_silent_backend_keeps_the_draft_alive() -> None:
    reply = RecordingReply(limits=DRAFTS)
    stream = DraftStream(reply, placeholder="💭 Thinking…", keepalive=0.1)
    await asyncio.sleep(0.35)
    await stream.close()
    assert 3 <= len(drafts(reply)) <= 5 and set(drafts(reply)) == {"💭 Thinking…"}
    assert reply.visible() == []  # closed without an answer: no message


async def test_a_rate_limited_draft_holds_then_shows_only_the_newest_text() -> None:
    reply = RecordingReply(limits=DRAFTS)
    reply.fail("draft", RetryLater(0.3), call=2)
    stream = open_stream(reply)
    await stream.update("one")
    await asyncio.sleep(0.05)
    await stream.update("one two")  # refused: held for 0.3 s
    await asyncio.sleep(0.1)
    await stream.update("one two three")
    await asyncio.sleep(0.4)
    assert drafts(reply) == ["one", "one two three"]
    draft_ops = [o for o in reply.ops if o.op == "draft"]
    assert draft_ops[2].started - draft_ops[1].ended >= 0.28
    await stream.finish()
    assert reply.visible_texts() == ["one two three"]


async def test_refused_drafts_turn_into_post_then_edit_with_the_current_text() -> None:
    reply = RecordingReply(limits=DRAFTS)
    reply.fail("draft", DraftsRefused("TEXTDRAFT_PEER_INVALID"))
    stream = DraftStream(reply, placeholder="💭 Thinking…")
    await asyncio.sleep(0.05)
    assert not stream.drafting
    await stream.update("Here is")
    await asyncio.sleep(0.1)
    await stream.update("Here is your plan")
    await asyncio.sleep(0.1)
    await stream.finish("Here is your plan.")
    assert reply.calls("draft") == 1
    assert [o.op for o in reply.done()] == ["send", "edit", "edit"]
    assert reply.visible_texts() == ["Here is your plan."]
