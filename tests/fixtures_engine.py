"""Fixtures of the engine area: an `Engine` on the real test Redis and the fake NemoVideo server,
with test-sized waits, and `chat` — one user talking to it through a recording Reply
(nonebot2-style: "user sends X → bot sends/edits Y")."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.backend.client import NemoClient
from bot.channel.events import Attachment, ChannelLimits, Incoming
from bot.engine.engine import Engine
from bot.ids import ChatRef, Platform, UserKey
from bot.settings import Settings
from bot.state.connect import connect_url
from bot.state.crypto import TokenCipher
from bot.state.store import Store
from bot.testing.fakenemo import FakeNemo
from bot.testing.reply import RecordingReply

FAST: dict[str, Any] = {
    "still_working_seconds": 0.4,
    "sse_idle_timeout_seconds": 3.0,
    "sse_total_timeout_seconds": 6.0,
    "recovery_poll_seconds": 0.05,
    "recovery_max_polls": 5,
    "render_poll_seconds": 0.02,
    "render_poll_max_seconds": 0.1,
    "render_timeout_seconds": 10.0,
    "rate_limit_wait_seconds": 0.05,
    "lock_lease_seconds": 5.0,
    "http_retries": 2,
    "http_timeout_seconds": 5.0,
    "skill_platform": "tests",
}


def engine_settings(url: str, redis_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        **FAST,
        "nemo_api_url": url,
        "nemo_web_url": "https://web.example",
        "redis_url": redis_url,
        "data_dir": data_dir,
        "nemo_token": None,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Chat:
    """One user in one chat with the engine; `send` returns when the turn is done."""

    engine: Engine
    reply: RecordingReply
    user_id: str = "alice"
    locale: str | None = "en"
    platform: Platform = "telegram"
    _mark: int = 0

    @property
    def user(self) -> UserKey:
        return UserKey(self.platform, self.user_id)

    def incoming(
        self,
        text: str = "",
        *,
        files: list[Path] | tuple[Path, ...] = (),
        urls: list[str] | tuple[str, ...] = (),
        update_id: str | None = None,
    ) -> Incoming:
        attachments = [Attachment(filename=p.name, path=p) for p in files]
        attachments += [Attachment(filename=u.rsplit("/", 1)[-1], url=u) for u in urls]
        return Incoming(
            user=self.user,
            chat=ChatRef(self.platform, f"chat-{self.user_id}"),
            text=text,
            attachments=attachments,
            locale=self.locale,
            update_id=update_id if update_id is not None else uuid.uuid4().hex,
        )

    async def send(self, text: str = "", **kw: Any) -> list[str]:
        """The user sends a message; returns the texts of messages the bot sent or edited for it."""
        self._mark = len(self.reply.ops)
        await self.engine.handle(self.incoming(text, **kw), self.reply)
        return self.answers()

    def answers(self) -> list[str]:
        """Final texts (as the user sees them now) of messages touched since the last `send`."""
        ids = list(dict.fromkeys(o.id for o in self.reply.ops[self._mark :] if o.ok and o.id))
        return [self.reply.messages[i].text for i in ids if not self.reply.messages[i].deleted]

    def all_text(self) -> str:
        return "\n".join(self.reply.visible_texts())


@pytest.fixture
async def engine_factory(
    fake_nemo: FakeNemo, redis: aioredis.Redis, redis_url: str, data_dir: Path
) -> AsyncIterator[Callable[..., Engine]]:
    """Make engines (several make "processes" sharing Redis and the backend); all closed afterwards."""
    made: list[tuple[Engine, Store, NemoClient]] = []
    cipher = TokenCipher.generate()

    def make(**overrides: Any) -> Engine:
        settings = engine_settings(fake_nemo.url, redis_url, data_dir, **overrides)
        store = Store(connect_url(redis_url).client, cipher)
        client = NemoClient.from_settings(settings)
        engine = Engine(settings, store, client)
        made.append((engine, store, client))
        return engine

    yield make
    for engine, store, client in made:
        await engine.aclose()
        await client.aclose()
        await store.aclose()


@pytest.fixture
def engine(engine_factory: Callable[..., Engine]) -> Engine:
    return engine_factory()


@pytest.fixture
def chat(engine: Engine) -> Chat:
    """Alice on Telegram in English, with buttons and a 50 MB video limit."""
    return Chat(engine, RecordingReply(limits=ChannelLimits(edit_interval=0.02)))


async def until(condition: Callable[[], object], within: float = 10.0) -> None:
    """Wait (polling) until `condition()` is true; fail the test after `within` seconds."""
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
