"""The render progress message: an honest estimate of the time left (the backend's `eta_seconds`,
else the pace learnt in Redis), "Finishing…" instead of a silent stall at 9x %, and chat actions
only while a video is being uploaded."""

from __future__ import annotations

from typing import Any

from bot.channel.events import ChannelLimits
from bot.engine.flows.eta import estimate, progress_text
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from tests.fixtures_engine import Chat

DRAFT: dict[str, Any] = {
    "d": 10000,
    "m": {"title": "Aurora"},
    "t": [{"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 10000, "m": {"kind": "image", "name": "a.jpg"}}]}],
}


async def _ready(chat: Chat, fake_nemo: FakeNemo) -> None:
    await chat.send("/start")
    fake_nemo.set_draft(next(iter(fake_nemo.sessions)), DRAFT)


def _progress_texts(chat: Chat) -> list[str]:
    """The progress message's texts, in order, from "⏳ Rendering..." on."""
    texts = [o.text or "" for o in chat.reply.ops if o.ok and o.op in ("send", "edit")]
    shown = list(dict.fromkeys(t for t in texts if t.startswith("⏳")))
    return shown[shown.index("⏳ Rendering..."):]


async def test_the_backends_estimate_is_shown_and_91_percent_says_finishing(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan([
        ("pending", 0, 40), ("processing", 30, 25), ("processing", 30, 25), ("processing", 91, 4),
        ("processing", 91, 3), ("completed", 100, 0),
    ])
    await chat.send("/export")
    shown = _progress_texts(chat)
    assert shown == [
        "⏳ Rendering...",
        "⏳ Rendering… · about 40 s left",
        "⏳ 30% · about 25 s left",
        "⏳ Finishing… (91%) · a few seconds left",
    ], shown
    assert len(chat.reply.done("video")) == 1


async def test_without_backend_estimates_the_pace_learnt_in_redis_is_used(
    engine_factory: Any, fake_nemo: FakeNemo
) -> None:
    first = engine_factory()
    await first.services.store.paces.record(6.0)  # earlier renders: 6 s of waiting per video second
    chat = Chat(first, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan([("processing", 1)] * 3 + [("completed", 100)])
    await chat.send("/export")
    # a 10 s video at 6 s per second: about a minute, less the time already spent
    assert "⏳ 1% · about 1 min left" in _progress_texts(chat)
    median = await first.services.store.paces.median()
    assert median is not None and median < 6.0  # this fast render (well under a second) was learnt


def test_estimates_blend_the_pace_with_the_progress_and_are_none_without_either() -> None:
    assert estimate(progress=0, elapsed=3, backend_eta=None, pace=None, video_seconds=10) is None
    assert estimate(progress=50, elapsed=20, backend_eta=None, pace=None, video_seconds=None) == 20
    assert estimate(progress=0, elapsed=5, backend_eta=None, pace=2.0, video_seconds=30) == 55
    blended = estimate(progress=50, elapsed=20, backend_eta=None, pace=2.0, video_seconds=30)
    assert blended is not None and 20 < blended < 40
    assert estimate(progress=10, elapsed=1, backend_eta=7.0, pace=2.0, video_seconds=30) == 7.0


def test_progress_lines_in_both_languages() -> None:
    assert progress_text("en", 40, 130) == "⏳ 40% · about 3 min left"
    assert progress_text("en", 95, None) == "⏳ Finishing… (95%)"
    assert progress_text("zh", 40, 22) == "⏳ 40% · 还需约 25 秒"


async def test_no_upload_indicator_while_the_video_renders_only_while_it_is_sent(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    await _ready(chat, fake_nemo)
    fake_nemo.render_plan([("processing", 20)] * 10 + [("completed", 100)])
    await chat.send("/export")
    ops = chat.reply.ops
    (video,) = [i for i, o in enumerate(ops) if o.op == "video"]
    uploads = [i for i, o in enumerate(ops) if o.op == "activity" and o.text == "upload_video"]
    sending = next(i for i, o in enumerate(ops) if o.text == "📤 Sending the video…")
    assert uploads and all(sending <= i < video for i in uploads)
