"""The id contract: a user key or chat ref survives every trip it makes — text, pydantic, the job
hash in Redis, and back to the platform through the adapter's `reply_for(job)` — on every platform
(vercel/chat's thread-id contract test, for videobot's `UserKey` / `ChatRef`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from telegram import Bot

from adapters.discord.client import build_bot
from adapters.telegram.app import Lifecycle
from adapters.telegram.reply import TelegramReply
from bot.channel.events import Incoming
from bot.engine.host import BotHost
from bot.ids import ChatRef, UserKey
from bot.settings import Settings
from bot.state import keys
from bot.state.store import JobRecord, Store

CASES: list[tuple[str, str, str]] = [  # (platform, user id, chat id) as each platform gives them
    ("telegram", "9001", "9001"),  # a private chat: the chat id is the user id
    ("telegram", "9001", "-1001234567890"),  # a supergroup: negative
    ("telegram", "42", "-100500"),  # a small group
    ("discord", "1234567890123456789", "998877665544332211"),  # snowflakes, beyond 2**53
    ("discord", "80351110224678912", "80351110224678913"),
    ("console", "ann", "ann"),
    ("console", "ann:work", "ann:work"),  # a terminal user name with a colon
    ("console", "李雷", "李雷"),
]


@pytest.mark.parametrize(("platform", "user_id", "chat_id"), CASES)
def test_text_form_round_trips(platform: str, user_id: str, chat_id: str) -> None:
    user = UserKey.parse(f"{platform}:{user_id}")
    chat = ChatRef.parse(f"{platform}:{chat_id}")
    assert (user.platform, user.id, chat.platform, chat.id) == (platform, user_id, platform, chat_id)
    assert UserKey.parse(str(user)) == user and ChatRef.parse(str(chat)) == chat
    assert str(user) == f"{platform}:{user_id}"
    assert keys.user(user) == f"vb:u:{platform}:{user_id}"
    assert keys.lock(user) == f"vb:lock:{platform}:{user_id}"


@pytest.mark.parametrize(("platform", "user_id", "chat_id"), CASES)
def test_models_carry_them_as_text_and_back(platform: str, user_id: str, chat_id: str) -> None:
    class Carrier(BaseModel):
        user: UserKey
        chat: ChatRef

    carried = Carrier(user=f"{platform}:{user_id}", chat=f"{platform}:{chat_id}")  # type: ignore[arg-type]
    assert carried.model_dump() == {"user": f"{platform}:{user_id}", "chat": f"{platform}:{chat_id}"}
    assert Carrier.model_validate_json(carried.model_dump_json()) == carried
    incoming = Incoming(user=carried.user, chat=carried.chat, text="hi")
    assert incoming.platform == platform


@pytest.mark.parametrize(("platform", "user_id", "chat_id"), CASES)
async def test_a_job_record_keeps_its_user_and_chat_through_redis(
    store_a: Store, platform: str, user_id: str, chat_id: str
) -> None:
    user, chat = UserKey.parse(f"{platform}:{user_id}"), ChatRef.parse(f"{platform}:{chat_id}")
    await store_a.jobs.save(JobRecord(render_id="render_ids", user_key=user, chat=chat))
    (found,) = await store_a.jobs.active()
    assert (found.user_key, found.chat) == (user, chat)
    assert (await store_a.users.get(user)).user_key == user


def test_what_is_not_an_id_is_refused() -> None:
    for text in ("telegram", "telegram:", ":42", "slack:42", "Telegram:42", ""):
        with pytest.raises(ValueError):
            UserKey.parse(text)
    with pytest.raises(ValueError):
        UserKey("telegram", "")
    with pytest.raises(ValidationError):
        Incoming(user=UserKey("telegram", "1"), chat=ChatRef("discord", "1"))  # one platform per message
    assert UserKey("telegram", "1") != ChatRef("telegram", "1")  # a user is not a chat


def _job(chat: str, user: str) -> JobRecord:
    return JobRecord(render_id="render_1", user_key=UserKey.parse(user), chat=ChatRef.parse(chat))


async def test_telegram_answers_a_resumed_job_in_the_chat_it_came_from(tmp_path: Path) -> None:
    settings = Settings.model_validate({"data_dir": tmp_path})
    lifecycle = Lifecycle(BotHost(settings, platform="telegram"))
    reply_for = lifecycle._reply_for(Bot("123456:" + "A" * 35))
    group = await reply_for(_job("telegram:-1001234567890", "telegram:9001"))
    private = await reply_for(_job("telegram:9001", "telegram:9001"))
    assert isinstance(group, TelegramReply) and group.chat_id == -1001234567890
    assert group.limits.edit_interval == settings.telegram_group_edit_interval  # a group's throttle
    assert isinstance(private, TelegramReply) and private.chat_id == 9001
    assert await reply_for(_job("discord:998877665544332211", "discord:1")) is None


async def test_discord_answers_a_resumed_job_in_the_channel_it_came_from(tmp_path: Path) -> None:
    bot = build_bot(Settings.model_validate({"data_dir": tmp_path}))
    reply = await bot.reply_for_job(_job("discord:998877665544332211", "discord:1234567890123456789"))
    assert reply is not None
    assert reply._channel.channel is not None
    assert getattr(reply._channel.channel, "id", None) == 998877665544332211
    assert await bot.reply_for_job(_job("telegram:-100500", "telegram:42")) is None
