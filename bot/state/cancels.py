"""The `/cancel` channel between bot processes (Redis pub/sub on `vb:cancel`): user keys whose
running turn should stop, wherever it runs. The engine's `CancelRelay` owns the reconnecting."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.ids import UserKey
from bot.state import keys
from bot.state.base import Part, text
from bot.state.errors import CAUGHT, guarded, translate


class Cancels(Part):
    @guarded
    async def publish(self, user_key: UserKey) -> int:
        """Ask every listening bot process to stop this user's turn; how many listened."""
        return int(await self._redis.publish(keys.CANCEL_CHANNEL, str(user_key)))

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[UserKey]]:
        """Subscribed for the block: the user keys published from now on. A connection that breaks
        ends the iteration with `StoreUnavailable`."""
        pubsub = self._redis.pubsub()
        try:
            try:
                await pubsub.subscribe(keys.CANCEL_CHANNEL)
            except CAUGHT as exc:
                raise translate(exc) from exc
            yield self._keys(pubsub.listen())
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # unannotated in redis-py

    @staticmethod
    async def _keys(messages: AsyncIterator[dict[str, object]]) -> AsyncIterator[UserKey]:
        try:
            async for message in messages:
                if message.get("type") == "message":
                    with contextlib.suppress(ValueError):
                        yield UserKey.parse(text(message.get("data")))
        except CAUGHT as exc:
            raise translate(exc) from exc
