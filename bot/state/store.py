"""Redis state: users, render jobs, the per-user turn lock, update de-duplication, albums.

Everything a user owns lives here, so any bot process can serve any user and a restart loses
nothing. Key names come from `bot.state.keys`; records are `bot.state.models`; tokens are encrypted at
rest with `bot.state.crypto.TokenCipher`. The `Store` is assembled from parts, each in its own module:

    bot.state.errors    errors (StoreError > StoreUnavailable, LockTimeout), redis-py error translation
    bot.state.jobs    render jobs, the active set, delivery leases
    bot.state.locks    the turn lock (owner token + lease, renewed while held)
    bot.state.credentials   the user's backend credentials as a `CredentialStore`
    bot.state.connect building the client from REDIS_URL (Sentinel, Cluster, unix sockets)

Import everything from here: `from bot.state.store import Store, StoreUnavailable, UserRecord, ...`.
Redis being unreachable surfaces as `StoreUnavailable` from every method; the same Store object
works again as soon as Redis answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from bot.state import keys
from bot.state import lua as store_lua
from bot.state.connect import Connection, RedisClient, connect_url, safe_url
from bot.state.credentials import StoreCredentials
from bot.state.crypto import CipherError, TokenCipher
from bot.state.errors import LockTimeout, StoreError, StoreUnavailable, guarded, text
from bot.state.jobs import JOB_TTL, JobStore
from bot.state.locks import LockStore, TurnLock
from bot.state.models import (
    JobRecord,
    JobStatus,
    UserRecord,
    encode_user_fields,
    user_fields_from_hash,
    user_values,
)

if TYPE_CHECKING:
    from bot.settings import Settings
    from common.embedded_redis import EmbeddedRedis

__all__ = [
    "ALBUM_TTL",
    "JOB_TTL",
    "SEEN_TTL",
    "JobRecord",
    "JobStatus",
    "LockTimeout",
    "Store",
    "StoreCredentials",
    "StoreError",
    "StoreUnavailable",
    "TurnLock",
    "UserRecord",
]

log = logging.getLogger(__name__)

SEEN_TTL = 86400
ALBUM_TTL = 60


class Store(JobStore, LockStore):
    """Redis-backed state shared by every bot process (see the module docstring)."""

    def __init__(self, redis: RedisClient, cipher: TokenCipher) -> None:
        super().__init__(redis, cipher)
        self._connection: Connection | None = None
        self._embedded: EmbeddedRedis | None = None

    @classmethod
    async def connect(cls, settings: Settings) -> Store:
        """A store on `settings.redis_url`; with none set, on the embedded Redis under the data dir.

        Nothing is contacted yet: an unreachable Redis shows on first use (`ping()` to check).
        """
        cipher = TokenCipher.from_settings(settings)
        embedded = None
        url = settings.redis_url
        if url is None:
            from common.embedded_redis import EmbeddedRedis

            embedded = EmbeddedRedis(settings.data_dir)
            url = await asyncio.to_thread(embedded.start)
        connection = connect_url(url, max_connections=2 * settings.max_concurrent_turns + 50)
        store = cls(connection.client, cipher)
        store._connection, store._embedded = connection, embedded
        log.info("store on %s", safe_url(url))
        return store

    async def aclose(self) -> None:
        """Close the connections (and leave the embedded Redis if `connect` started it)."""
        if self._connection is not None:
            await self._connection.aclose()
        else:
            await self.redis.aclose()
        if self._embedded is not None:
            await asyncio.to_thread(self._embedded.stop)
            self._embedded = None

    # --- users ---------------------------------------------------------------------------
    def _user_from_hash(self, user_key: str, raw: dict[Any, Any]) -> UserRecord:
        fields: dict[str, Any] = user_fields_from_hash(raw)
        if "token" in fields:
            try:
                fields["token"] = self.cipher.decrypt(fields["token"])
            except CipherError:
                log.warning("stored token of %s cannot be decrypted (secret key changed?)", user_key)
                fields["token"] = None
        return UserRecord.model_validate({**fields, "user_key": user_key})

    @guarded
    async def get_user(self, user_key: str) -> UserRecord:
        """The user's record, created (with a new client id, kept for good) on first contact."""
        key = keys.user_hash(user_key)
        flat = await self._eval(store_lua.ENSURE_USER, key, str(uuid.uuid4()), int(time.time()))
        return self._user_from_hash(user_key, dict(zip(flat[::2], flat[1::2], strict=True)))

    @guarded
    async def save_user(self, rec: UserRecord, fields: list[str] | None = None) -> None:
        """Write the record, or only the named `fields` of it."""
        put, drop = encode_user_fields(user_values(rec, fields), self.cipher.encrypt)
        await self._hash_write(keys.user_hash(rec.user_key), put, drop)

    async def update_user(self, user_key: str, **fields: Any) -> UserRecord:
        """Change some fields (validated like the model), write only those; the new record."""
        rec = await self.get_user(user_key)
        for name, value in fields.items():
            if name == "user_key" or name not in UserRecord.model_fields:
                raise ValueError(f"UserRecord has no field {name!r} to update")
            setattr(rec, name, value)
        await self.save_user(rec, list(fields))
        return rec

    def credentials(self, user_key: str) -> StoreCredentials:
        """The user's backend credentials as a `bot.backend.user.CredentialStore`."""
        return StoreCredentials(self, user_key)

    # --- platform updates and albums -----------------------------------------------------
    @guarded
    async def claim_update(self, platform: str, update_id: str | int) -> bool:
        """True the first time an update is seen (within 24 h), False for a repeat."""
        return bool(await self.redis.set(keys.seen(platform, update_id), b"1", nx=True, ex=SEEN_TTL))

    @guarded
    async def album_add(self, platform: str, chat: str | int, group: str | int, item_json: str) -> int:
        """Add one item to an album being collected (kept 60 s); how many it holds now."""
        key = keys.album(platform, chat, group)
        return int(await self._eval(store_lua.LIST_PUSH, key, ALBUM_TTL * 1000, item_json))

    @guarded
    async def album_take(self, platform: str, chat: str | int, group: str | int) -> list[str]:
        """All items of the album in arrival order, removing it (exactly one taker gets them)."""
        items = await self._eval(store_lua.LIST_TAKE, keys.album(platform, chat, group))
        return [text(i) for i in items]

    # --- measurement ---------------------------------------------------------------------
    @guarded
    async def memory_per_user(self, sample: int = 200, *, with_token: bool = False) -> float:
        """Average `MEMORY USAGE` bytes of one user's hash, over `sample` throwaway users.

        For the bench, not the tests: creates the users (idle, or holding a token), measures,
        deletes them.
        """
        platform = f"membench{uuid.uuid4().hex[:8]}"
        names = [keys.user_key(platform, 100_000_000 + i) for i in range(sample)]
        total = 0
        try:
            for user_key in names:
                await self.get_user(user_key)
                if with_token:
                    await self.update_user(user_key, token=f"nmv_usr_{uuid.uuid4().hex}{uuid.uuid4().hex}")
                total += int(await self.redis.memory_usage(keys.user_hash(user_key), samples=0) or 0)
        finally:
            for user_key in names:
                await self.redis.delete(keys.user_hash(user_key))
        return total / sample if sample else 0.0
