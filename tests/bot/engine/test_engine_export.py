"""Export: progress, delivery, the retry of a failed render, 402, links for big videos, the job in
Redis, and the restart resume that delivers exactly once without a second submit."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from bot.channel.errors import DeliveryError
from bot.channel.events import ChannelLimits
from bot.engine.engine import Engine
from bot.ids import ChatRef, UserKey
from bot.state.store import JobRecord
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from tests.fixtures_engine import Chat, until

DRAFT: dict[str, Any] = {
    "d": 3000,
    "m": {"title": "Aurora"},
    "t": [{"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 3000, "m": {"kind": "image", "name": "front.jpg"}}]}],
}

ALICE = UserKey("telegram", "alice")


async def _ready(chat: Chat, fake_nemo: FakeNemo) -> str:
    await chat.send("/start")
    sid = next(iter(fake_nemo.sessions))
    fake_nemo.set_draft(sid, DRAFT)
    return sid


async def test_export_shows_progress_and_delivers_the_mp4(
    chat: Chat, engine: Engine, fake_nemo: FakeNemo, data_dir: Path
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan(["pending", ("processing", 50), ("processing", 50), ("completed", 100)])
    answers = await chat.send("/export")
    texts = [o.text for o in chat.reply.ops if o.ok and o.op in ("send", "edit")]
    assert "⏳ Rendering..." in texts and "⏳ 50% · a few seconds left" in texts
    assert texts.index("⏳ Rendering...") < texts.index("⏳ 50% · a few seconds left")
    assert answers[0] == "✅ Video ready!"  # the progress message, said once the video is out
    (video_op,) = chat.reply.done("video")
    ready = next(o for o in chat.reply.ops if o.text == "✅ Video ready!")
    assert ready.op == "edit" and ready.started >= video_op.ended
    assert "📤 Sending the video…" in texts
    video = chat.reply.messages[video_op.id or ""].video
    assert video is not None and video.width == 320 and video.height == 240
    assert video.path.read_bytes() == fake_nemo.default_mp4
    assert video.path.parent == data_dir / "out"
    assert video.thumbnail is not None and video.thumbnail.exists()
    # the embedded/loopback studio's link means nothing to a platform user: no link at all
    assert video_op.text == "🎬 Your video (1s, 320×240)"
    assert not any("127.0.0.1" in (o.text or "") for o in chat.reply.ops)
    assert any(o.op == "activity" and o.text == "upload_video" for o in chat.reply.ops)
    (submit,) = fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")
    render_id = submit.json["id"]
    assert render_id.startswith("render_") and submit.json["sessionId"] == next(iter(fake_nemo.sessions))
    job = await engine.services.store.jobs.get(render_id)
    assert job is not None and job.status == "delivered"
    assert await engine.services.store.jobs.active() == []


async def test_a_failed_render_is_retried_once_with_a_new_id(chat: Chat, fake_nemo: FakeNemo) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan(fail_first=True)
    await chat.send("/export")
    submits = fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")
    assert len(submits) == 2 and submits[0].json["id"] != submits[1].json["id"]
    assert any(o.text == "⚠️ The render failed — trying once more…" for o in chat.reply.ops)
    assert len(chat.reply.done("video")) == 1


async def test_free_plan_cannot_export_and_gets_the_registration_link(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.fail_next("/api/render/proxy/lambda", status=402, body={"code": 402, "message": "upgrade"})
    answers = await chat.send("/export")
    assert "free plan can't export" in answers[-1]
    assert "https://web.example/register?bind=anon_" in answers[-1]
    assert chat.reply.done("video") == []


async def test_a_video_too_big_for_the_channel_is_said_in_the_progress_message_without_a_private_link(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    chat = Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02, max_video_bytes=1000)))
    await _ready(chat, fake_nemo)
    answers = await chat.send("/export")
    assert chat.reply.done("video") == []
    assert len(answers) == 1  # the progress message, edited: no second message
    assert "too large to send here" in answers[0] and "no public link" in answers[0]
    assert "http" not in answers[0] and "Video ready!" not in chat.all_text()


async def test_a_video_the_platform_refuses_never_says_ready_and_the_fallback_edits_the_progress(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    chat = Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
    chat.reply.fail("video", DeliveryError("the interaction token expired"))
    await _ready(chat, fake_nemo)
    answers = await chat.send("/export")
    assert chat.reply.done("video") == []
    (answer,) = answers  # the progress message, edited: no second message
    assert answer.startswith("⚠️ The video is ready, but I couldn't send the file here. Try /export again")
    assert not any(o.text == "✅ Video ready!" for o in chat.reply.ops)


async def test_restart_resumes_the_render_and_delivers_exactly_once(
    engine_factory: Any, fake_nemo: FakeNemo
) -> None:
    first = engine_factory()
    chat = Chat(first, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan(["pending"] * 15 + [("processing", 50), ("completed", 100)])
    task = asyncio.create_task(chat.send("/export"))
    await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda/*"))
    task.cancel()  # the process goes away mid-render
    with contextlib.suppress(asyncio.CancelledError):
        await task
    (job,) = await first.services.store.jobs.active()
    assert job.status in ("pending", "processing")

    second = engine_factory()  # a new process: its own store connection, a new owner
    resumed = RecordingReply(limits=ChannelLimits(edit_interval=0.02))

    async def reply_for(j: JobRecord) -> RecordingReply | None:
        return resumed if j.user_key == ALICE else None

    assert await second.resume(reply_for) == 1
    assert len(resumed.done("video")) == 1
    assert len(fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")) == 1
    assert await second.resume(reply_for) == 0  # delivered exactly once
    assert await second.services.store.jobs.active() == []


async def test_resume_of_a_job_that_never_reached_the_backend_asks_to_export_again(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    store = engine.services.store
    await store.users.get(ALICE)
    await store.jobs.save(
        JobRecord(
            render_id="render_1",
            user_key=ALICE,
            chat=ChatRef("telegram", "chat-alice"),
            status="submitting",
            attempts=1,
            language="en",
        )
    )
    reply = RecordingReply()

    async def reply_for(j: JobRecord) -> RecordingReply:
        return reply

    assert await engine.resume(reply_for) == 0
    assert "press Export again" in reply.visible_texts()[-1]
    assert fake_nemo.requests_to("/api/render/proxy/lambda", method="POST") == []
    assert await store.jobs.active() == []


async def test_cancel_stops_waiting_for_the_render_without_cancelling_it(
    chat: Chat, engine: Engine, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan(["pending"] * 200 + [("completed", 100)])
    task = asyncio.create_task(chat.send("/export"))
    await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda/*"))
    other = Chat(engine, chat.reply)
    (answer,) = await other.send("/cancel")
    assert answer.startswith("🛑 Stopped waiting")
    await asyncio.wait_for(task, 2)
    assert chat.reply.done("video") == []
    (submit,) = fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")
    job = await engine.services.store.jobs.get(submit.json["id"])
    assert job is not None and job.status == "cancelled"


async def test_a_message_during_a_turn_is_queued_and_answered_after(
    chat: Chat, engine: Engine, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan(["pending"] * 10 + [("completed", 100)])
    export = asyncio.create_task(chat.send("/export"))
    await until(lambda: fake_nemo.requests_to("/api/render/proxy/lambda", method="POST"))
    second = Chat(engine, chat.reply)
    answers = await second.send("/credits")
    await export
    assert answers[0] == "⏳ Queued — I'll get to it right after the current step."
    assert answers[-1].startswith("💳")
    order = [o.op for o in chat.reply.ops if o.op == "video" or (o.text or "").startswith("💳")]
    assert order == ["video", "send"]  # the credits came after the video


async def test_one_export_at_a_time_per_session(chat: Chat, engine: Engine, fake_nemo: FakeNemo) -> None:
    sid = await _ready(chat, fake_nemo)
    await engine.services.store.jobs.save(
        JobRecord(
            render_id="render_42",
            user_key=ALICE,
            chat=ChatRef("telegram", "chat-alice"),
            session_id=sid,
            status="processing",
            attempts=1,
        )
    )
    (answer,) = await chat.send("/export")
    assert "already running" in answer
    assert fake_nemo.requests_to("/api/render/proxy/lambda", method="POST") == []


async def test_a_render_retried_after_a_restart_still_goes_to_the_chat_it_was_asked_in(
    chat: Chat, engine: Engine, fake_nemo: FakeNemo
) -> None:
    """Alice exported in a group; the bot restarted; the render failed; the retry (a new render id)
    must be recorded for that group, not for her private chat."""
    sid = await _ready(chat, fake_nemo)
    group = ChatRef("telegram", "-1001234567890")
    fake_nemo.render_plan(fail_first=True)
    fake_nemo.start_render("render_g1", sid, DRAFT)  # the first attempt reached the backend
    store = engine.services.store
    await store.jobs.save(JobRecord(render_id="render_g1", user_key=ALICE, chat=group, session_id=sid,
                                    status="pending", attempts=1, language="en"))
    fake_nemo.render_plan([("completed", 100)])
    asked: list[ChatRef] = []
    reply = RecordingReply(limits=ChannelLimits(edit_interval=0.02))

    async def reply_for(j: JobRecord) -> RecordingReply:
        asked.append(j.chat)
        return reply

    assert await engine.resume(reply_for) == 1
    assert asked == [group] and len(reply.done("video")) == 1
    (retry,) = fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")
    again = await store.jobs.get(retry.json["id"])
    assert again is not None and again.status == "delivered"
    assert (again.user_key, again.chat) == (ALICE, group)


async def test_after_a_restart_the_old_progress_message_is_edited_not_abandoned(
    engine_factory: Any, fake_nemo: FakeNemo
) -> None:
    chat_reply = RecordingReply(limits=ChannelLimits(edit_interval=0.02))  # the same chat, both processes
    first = engine_factory()
    chat = Chat(first, chat_reply)
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan(["pending"] * 15 + [("processing", 50), ("completed", 100)])
    task = asyncio.create_task(chat.send("/export"))
    await until(lambda: len(fake_nemo.requests_to("/api/render/proxy/lambda/*")) >= 2)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    (job,) = await first.services.store.jobs.active()
    progress_id = next(o.id for o in chat_reply.ops if o.op == "send" and o.text == "⏳ Rendering...")
    assert job.message_id == progress_id
    sends_before = len([o for o in chat_reply.ops if o.op == "send"])

    second = engine_factory()

    async def reply_for(j: JobRecord) -> RecordingReply | None:
        return chat_reply

    assert await second.resume(reply_for) == 1
    assert len([o for o in chat_reply.ops if o.op == "send"]) == sends_before  # no second progress line
    assert chat_reply.messages[progress_id].text == "✅ Video ready!"
    edits = [o.text for o in chat_reply.ops if o.op == "edit" and o.id == progress_id]
    assert "⏳ Picking up your export where I left off…" in edits
    assert len(chat_reply.done("video")) == 1


async def test_a_progress_message_that_cannot_be_edited_any_more_is_replaced_by_a_new_one(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    reply = RecordingReply(limits=ChannelLimits(edit_interval=0.02))
    chat = Chat(engine, reply)
    await _ready(chat, fake_nemo)
    store = engine.services.store
    job = JobRecord(render_id="render_9_old", user_key=ALICE, chat=ChatRef("telegram", "chat-alice"),
                    session_id=next(iter(fake_nemo.sessions)), status="pending", attempts=1,
                    language="en", message_id="an-id-from-another-life")
    fake_nemo.start_render("render_9_old", None, DRAFT)
    await store.jobs.save(job)

    async def reply_for(j: JobRecord) -> RecordingReply | None:
        return reply

    assert await engine.resume(reply_for) == 1
    assert len(reply.done("video")) == 1
    assert "✅ Video ready!" in reply.visible_texts()
