"""Rows of the platform facts (docs/../spec/platforms.md) checked on the Discord bot in simcord."""

from __future__ import annotations

from typing import Any

from tests.fixtures_discord import DiscordWorld, make_draft


async def test_a_very_long_answer_arrives_as_one_message_with_a_txt_attachment(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.slash(dc.channel, "status")  # first contact (greeting) out of the way
    paragraph = "The shoes step into the light and the price appears in large letters. " * 20
    long_answer = "\n\n".join(f"Scene {i}: {paragraph.strip()}" for i in range(1, 6))
    assert len(long_answer) > 3 * 2000
    fake_nemo.reply = long_answer

    result = await dc.alice.slash(dc.channel, "video", prompt="tell me everything")

    shown = [m for m in [result.response, *result.followups] if m is not None]
    assert len(shown) == 1  # no wall of messages (the streamed ones were removed)
    message = shown[0]
    assert len(message.content) < 2000
    assert message.content.startswith("Scene 1: The shoes step into the light")
    (attachment,) = message.attachments
    assert attachment.filename == "answer.txt"
    assert (await attachment.read()).decode() == long_answer


async def test_an_answer_of_two_messages_is_split_not_attached(dc: DiscordWorld, fake_nemo: Any) -> None:
    await dc.alice.slash(dc.channel, "status")
    paragraph = "A bright summer morning on the beach with the new sandals. " * 25
    fake_nemo.reply = f"{paragraph.strip()}\n\n{paragraph.strip()}"
    assert 2000 < len(fake_nemo.reply) < 4000

    result = await dc.alice.slash(dc.channel, "video", prompt="describe it")

    shown = [m for m in [result.response, *result.followups] if m is not None]
    assert [m.content for m in shown] == [paragraph.strip(), paragraph.strip()]
    assert not [a for m in shown for a in m.attachments]


def padded(mp4: bytes, size: int) -> bytes:
    """The same playable MP4, grown to `size` bytes by a trailing `free` box (players skip it)."""
    pad = size - len(mp4)
    return mp4 + pad.to_bytes(4, "big") + b"free" + bytes(pad - 8)


TWELVE_MIB = 12 * 1024 * 1024  # over an unboosted server's 10 MiB, under the interaction's 25 MiB


async def test_a_video_over_the_servers_upload_limit_is_said_in_the_progress_message_without_a_loopback_link(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await make_draft(dc)
    fake_nemo.render_plan([("completed", 100)], mp4_bytes=padded(fake_nemo_mp4, TWELVE_MIB))

    await dc.alice.send(dc.channel, f"{dc.bot.user.mention} /export")

    messages = dc.bot_messages()
    assert not [a for m in messages for a in m.attachments if a.filename.endswith(".mp4")]
    (said,) = [m for m in messages if "too large to send here (12" in m.content]
    assert said.content.startswith("⚠️ The video is ready but too large")  # the edited "⏳ Rendering..."
    assert not any("127.0.0.1" in m.content or "Video ready!" in m.content for m in messages)


async def test_a_video_within_the_interactions_upload_limit_is_attached(
    dc: DiscordWorld, fake_nemo: Any, fake_nemo_mp4: bytes
) -> None:
    await make_draft(dc)
    big = padded(fake_nemo_mp4, TWELVE_MIB)
    fake_nemo.render_plan([("completed", 100)], mp4_bytes=big)

    result = await dc.alice.slash(dc.channel, "export")  # simcord's interactions allow 25 MiB

    video = result.followups[-1]
    assert video.attachments[0].filename.endswith(".mp4")
    assert await video.attachments[0].read() == big


async def test_a_very_long_answer_to_a_mention_is_one_channel_message_with_the_text_attached(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.send(dc.channel, f"{dc.bot.user.mention} hello")  # greeting out of the way
    idea = ("bright colours and quick cuts. " * 60).strip()
    fake_nemo.reply = "\n\n".join(f"Idea {i}: {idea}" for i in range(5))
    before = len(dc.bot_messages())

    await dc.alice.send(dc.channel, f"{dc.bot.user.mention} give me ideas")

    new = dc.bot_messages()[before:]
    assert len(new) == 1
    (attachment,) = new[0].attachments
    assert attachment.filename == "answer.txt"
    assert (await attachment.read()).decode() == fake_nemo.reply
    assert new[0].content.startswith("Idea 0: bright colours")


async def test_a_very_long_answer_starting_with_code_keeps_its_preview_code_block_closed(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    await dc.alice.slash(dc.channel, "status")
    code = "\n".join(f"scene_{i} = render(photo_{i}, seconds=3)" for i in range(200))
    fake_nemo.reply = f"```python\n{code}\n```"

    result = await dc.alice.slash(dc.channel, "video", prompt="show me the plan as code")

    (message,) = [m for m in [result.response, *result.followups] if m is not None]
    assert message.content.startswith("```python\nscene_0 = render")
    assert message.content.count("```") == 2  # the file name below is not swallowed by the block
    assert message.content.endswith("```\n\n📄 answer.txt")
