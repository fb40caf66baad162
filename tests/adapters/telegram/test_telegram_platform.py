"""Rows of the platform facts checked on the whole Telegram bot (tg-auto-test peer, real Redis)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures_telegram import TgBot, calls, message_update

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")


async def test_typing_is_shown_again_every_four_seconds_while_the_answer_is_slow(
    tg_bot: TgBot, fake_nemo: Any
) -> None:
    await tg_bot.feed(message_update(tg_bot.app.bot, 1, 1, text="hello"))  # greeting out of the way
    before = len(calls(tg_bot.client, "sendChatAction"))
    fake_nemo.reply = "Done."
    fake_nemo.turn_pause = 1.7  # about 5 s before the answer (three pauses)

    await tg_bot.feed(message_update(tg_bot.app.bot, 2, 2, text="make it slower"))

    assert "Done." in tg_bot.texts()
    actions = [c.parameters["action"] for c in calls(tg_bot.client, "sendChatAction")[before:]]
    assert actions[:2] == ["typing", "typing"]  # a chat action lasts ~5 s: renewed before it fades
