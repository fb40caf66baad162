"""Native streaming in Telegram private chats (sendMessageDraft, Bot API 9.3+), through the real PTB
Application on the tg-auto-test peer. The peer's fake Bot API has no sendMessageDraft, so the
fixture's transport answers it as Telegram does and records it (tests/fixtures_telegram.py); every
other call is the peer's."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from bot.i18n import t
from tests.fixtures_telegram import USER_ID, TgBot, calls, chat_dict, message_update

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

REPLY = "Here is your draft for {message}: " + "a bright upbeat montage " * 12


def answer(fake_nemo: Any, prompt: str) -> str:
    return str(fake_nemo.reply.format(message=prompt)).strip()


async def test_a_private_answer_streams_as_one_animated_draft_then_arrives_as_a_message(
    tg_bot: TgBot, fake_nemo: Any
) -> None:
    fake_nemo.reply = REPLY
    fake_nemo.turn_pause = 0.2  # silent at first (two heartbeats), then three deltas well apart
    prompt = "make a promo for my bakery"
    await tg_bot.feed(message_update(tg_bot.app.bot, 7001, 7001, text=prompt))

    drafts = tg_bot.faults.drafts
    texts = [d["text"] for d in drafts]
    assert texts[0] == t("en", "chat.thinking")  # while the backend is silent
    growing = list(dict.fromkeys(x for x in texts[1:] if x != texts[0]))
    assert len(growing) >= 2  # the answer grew in the draft
    assert all(later.startswith(earlier.rstrip()) for earlier, later in itertools.pairwise(growing))
    assert {d["draft_id"] for d in drafts} == {drafts[0]["draft_id"]} and drafts[0]["draft_id"] != "0"
    assert {d["chat_id"] for d in drafts} == {str(USER_ID)}

    edits = calls(tg_bot.client, "editMessageText")
    assert not any("bakery" in str(e.parameters["text"]) for e in edits)  # no post-then-edit
    final = calls(tg_bot.client, "sendMessage")[-1]
    assert str(final.parameters["text"]).strip() == answer(fake_nemo, prompt)
    markup = json.loads(final.parameters["reply_markup"])
    actions = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    assert actions == ["/export", "/status", "/credits", "/new"]
    methods = tg_bot.faults.methods
    last_draft = max(i for i, m in enumerate(methods) if m == "sendMessageDraft")
    assert methods.index("sendMessage", last_draft) > last_draft  # the real message comes last


@pytest.mark.parametrize(
    ("status", "description"),
    [(400, "Bad Request: TEXTDRAFT_PEER_INVALID"), (404, "Not Found")],  # refused / an older Bot API
    ids=["refused", "unknown-method"],
)
async def test_a_refused_draft_falls_back_to_edits_for_that_chat_from_then_on(
    tg_bot: TgBot, fake_nemo: Any, status: int, description: str
) -> None:
    fake_nemo.reply = REPLY
    fake_nemo.turn_pause = 0.2
    tg_bot.faults.fail("sendMessageDraft", description, status=status, times=5)
    prompt = "make a promo for my bakery"
    await tg_bot.feed(message_update(tg_bot.app.bot, 7101, 7101, text=prompt))

    assert [h.method for h in tg_bot.faults.hits] == ["sendMessageDraft"]  # tried once, then edits
    assert tg_bot.faults.drafts == []
    edits = calls(tg_bot.client, "editMessageText")
    assert any("bakery" in str(e.parameters["text"]) for e in edits)  # grew in place, as before drafts
    assert tg_bot.texts()[-1].strip() == answer(fake_nemo, prompt)

    await tg_bot.feed(message_update(tg_bot.app.bot, 7102, 7102, text="and a second one"))
    assert [h.method for h in tg_bot.faults.hits] == ["sendMessageDraft"]  # remembered for the chat
    assert tg_bot.texts()[-1].strip() == answer(fake_nemo, "and a second one")


async def test_groups_keep_the_edit_based_stream(tg_bot: TgBot, fake_nemo: Any) -> None:
    fake_nemo.reply = REPLY
    fake_nemo.turn_pause = 0.2
    group = chat_dict(-100700, group=True)
    prompt = "make a promo for my bakery"
    await tg_bot.feed(message_update(tg_bot.app.bot, 7201, 7201, text=prompt, chat=group, reply_to_bot=True))
    assert tg_bot.faults.drafts == [] and "sendMessageDraft" not in tg_bot.faults.methods
    assert any("bakery" in str(e.parameters["text"]) for e in calls(tg_bot.client, "editMessageText"))
    assert tg_bot.texts()[-1].strip() == answer(fake_nemo, prompt)
