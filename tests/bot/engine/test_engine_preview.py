"""The storyboard (issue 10, "Preview before export"): after a turn that changed the draft, and when
the user asks to see the plan, the backend's picture goes out with the Reply's image operation — and
a backend without the route (the fake, like the cloud) or a slow or broken answer costs the user
nothing: no picture, no error. The picture is scripted on the fake server's route here; the real
studio's is exercised through every channel in tests/adapters/*/test_*_storyboard.py."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable

import pytest
from PIL import Image

from bot.channel.events import ChannelLimits
from bot.engine.engine import Engine
from bot.engine.intents import Intent, classify
from bot.i18n import t
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply
from tests.fixtures_engine import Chat

ROUTE = "/api/storyboard/nemo_agent/me/*/latest"
IMAGES = ChannelLimits(edit_interval=0.02, max_image_bytes=10 * 1024 * 1024)


def jpeg(size: tuple[int, int] = (1404, 535)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (20, 20, 30)).save(buf, "JPEG")
    return buf.getvalue()


def serve_storyboard(fake: FakeNemo, body: bytes, *, delay: float = 0.0, times: int = 1) -> None:
    fake.fail_next(ROUTE, status=200, body=body, headers={"content-type": "image/jpeg"}, delay=delay,
                   times=times)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    """Alice in a chat that shows pictures (as Telegram, Discord and the terminal do)."""
    return Chat(engine, RecordingReply(limits=IMAGES))


@pytest.mark.parametrize(
    "text",
    ["preview", "Preview please", "storyboard", "show me", "show me the plan", "预览", "看看效果", "预览一下",
     "/preview", "/storyboard"],
)
def test_preview_words_in_both_languages_ask_for_the_storyboard(text: str) -> None:
    assert classify(text).intent is Intent.PREVIEW


@pytest.mark.parametrize(
    "text",
    ["add a title that says preview sale", "show me how to add music", "make a storyboard-style video"],
)
def test_a_request_that_mentions_preview_is_a_chat_turn(text: str) -> None:
    assert classify(text).intent is Intent.CHAT


async def test_after_an_edit_the_storyboard_follows_the_final_answer(chat: Chat, fake_nemo: FakeNemo) -> None:
    body = jpeg()
    serve_storyboard(fake_nemo, body)
    await chat.send("make a promo for my bakery")
    reply = chat.reply
    (picture,) = reply.images()
    assert picture.image is not None and picture.image.data == body
    assert (picture.image.width, picture.image.height) == (1404, 535)
    assert picture.text == t("en", "preview.caption")
    answer = max(i for i, o in enumerate(reply.ops) if o.ok and o.op in ("send", "edit")
                 and "bakery" in (o.text or ""))
    image_at = next(i for i, o in enumerate(reply.ops) if o.op == "image")
    assert image_at > answer  # after the streamed text is final
    assert len(fake_nemo.requests_to(ROUTE)) == 1  # one picture per turn


async def test_asking_for_a_preview_shows_it_with_an_export_button_in_chinese(
    engine: Engine, fake_nemo: FakeNemo
) -> None:
    chat = Chat(engine, RecordingReply(limits=IMAGES), locale="zh-CN")
    body = jpeg((800, 400))
    serve_storyboard(fake_nemo, body, times=2)
    await chat.send("做一个面包店的宣传视频")
    await chat.send("看看效果")
    after_edit, shown = chat.reply.images()
    assert after_edit.buttons is None  # the answer above it carries the buttons
    assert shown.image is not None and shown.image.data == body
    assert shown.text == t("zh", "preview.caption")
    assert shown.buttons is not None and [b.action for b in shown.buttons] == ["/export"]


async def test_against_a_backend_without_storyboards_nothing_is_shown_and_nothing_said(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    answers = await chat.send("make a promo for my bakery")
    assert answers[-1] == fake_nemo.reply.format(message="make a promo for my bakery")
    assert answers[:-1] == [t("en", "greeting")]  # first contact; nothing after the answer
    assert chat.reply.images() == [] and chat.reply.failed() == []
    assert len(fake_nemo.requests_to(ROUTE)) == 1  # asked once, answered 404, skipped silently

    answers = await chat.send("preview")  # asked for: the plan in words instead
    assert chat.reply.images() == []
    assert len(fake_nemo.requests_to(ROUTE)) == 1  # a backend without the route is not asked again
    assert len(answers) == 1 and answers[0].startswith("📊 ")
    assert not any(word in answers[0].lower() for word in ("error", "wrong", "⚠️"))


async def test_the_studios_own_not_found_answers_do_not_stop_later_previews(
    chat: Chat, fake_nemo: FakeNemo
) -> None:
    fake_nemo.fail_next(ROUTE, status=404, code=4040)  # the studio: no draft yet
    await chat.send("make a promo for my bakery")
    serve_storyboard(fake_nemo, jpeg())
    await chat.send("preview")
    assert len(chat.reply.images()) == 1 and len(fake_nemo.requests_to(ROUTE)) == 2


async def test_a_preview_before_any_draft_says_there_is_nothing_yet(chat: Chat, fake_nemo: FakeNemo) -> None:
    answers = await chat.send("/preview")
    assert answers[-1] == t("en", "preview.nothing")
    assert chat.reply.images() == [] and fake_nemo.requests_to(ROUTE) == []


async def test_a_slow_storyboard_is_skipped_within_its_deadline_and_logged(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.engine.flows.preview")
    chat = Chat(engine_factory(storyboard_timeout_seconds=0.3), RecordingReply(limits=IMAGES))
    serve_storyboard(fake_nemo, jpeg(), delay=3.0)
    started = time.monotonic()
    await chat.send("make a promo for my bakery")
    took = time.monotonic() - started
    assert chat.reply.images() == [] and chat.reply.failed() == []
    assert chat.answers()[-1].startswith("Here is your draft")
    assert took < 2.5  # the turn did not wait for the 3-second answer
    assert "storyboard" in caplog.text and "skipped" in caplog.text


@pytest.mark.parametrize(
    "body", [b"<html>maintenance</html>", b"\xff\xd8\xff\xe0 truncated"], ids=["not-a-picture", "broken-jpeg"]
)
async def test_an_answer_that_is_not_a_picture_is_not_shown(
    chat: Chat, fake_nemo: FakeNemo, body: bytes
) -> None:
    serve_storyboard(fake_nemo, body)
    await chat.send("make a promo for my bakery")
    assert chat.reply.images() == [] and chat.reply.failed() == []


async def test_a_channel_without_pictures_is_never_sent_one(engine: Engine, fake_nemo: FakeNemo) -> None:
    chat = Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))  # max_image_bytes None
    serve_storyboard(fake_nemo, jpeg(), times=5)
    await chat.send("make a promo for my bakery")
    answers = await chat.send("preview")
    assert chat.reply.calls("image") == 0 and fake_nemo.requests_to(ROUTE) == []
    assert answers[-1].startswith("📊 ")


async def test_the_storyboard_after_edits_can_be_switched_off(
    engine_factory: Callable[..., Engine], fake_nemo: FakeNemo
) -> None:
    chat = Chat(engine_factory(storyboard_after_edit=False), RecordingReply(limits=IMAGES))
    serve_storyboard(fake_nemo, jpeg(), times=2)
    await chat.send("make a promo for my bakery")
    assert chat.reply.images() == []
    await chat.send("preview")  # still there when asked for
    assert len(chat.reply.images()) == 1
