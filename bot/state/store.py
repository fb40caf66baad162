"""Redis state: everything a user owns, so any bot process can serve any user and a restart loses
nothing. A `Store` holds one small object per concern, all on one Redis client:

    store.users      UserRecord per user: client id (kept for good), encrypted token, session, ...
    store.jobs       render jobs and the set of jobs still to deliver
    store.leases     delivery leases: which process follows and delivers a job
    store.locks      the per-user turn lock (a lease of its own kind, renewed while held)
    store.updates    platform update de-duplication, albums collected across processes
    store.cancels    the /cancel pub/sub channel between processes
    store.quotas     exports per user per day (the operator's quotas), the numbers of /stats
    store.paces      the learnt render pace (for estimates when the backend sends none)
    store.credentials(user_key)   that user's backend credentials as a `CredentialStore`

Key names come from `bot.state.keys`, records are `bot.state.models`, errors `bot.state.errors`
(StoreError > StoreUnavailable, LockTimeout): Redis being unreachable surfaces as `StoreUnavailable`
from every call, and the same Store works again as soon as Redis answers. `bot.state.connect`
builds the client from REDIS_URL (Sentinel, Cluster, unix sockets).

Import the names callers need from here: `from bot.state.store import Store, JobRecord, ...`.
"""

from __future__ import annotations

import asyncio
import logging

from bot.ids import UserKey
from bot.settings import Settings
from bot.state.cancels import Cancels
from bot.state.connect import Connection, RedisClient, connect_url, safe_url
from bot.state.credentials import StoreCredentials
from bot.state.crypto import TokenCipher
from bot.state.errors import LockTimeout, StoreError, StoreUnavailable, guarded
from bot.state.jobs import JOB_TTL, Jobs
from bot.state.leases import delivery_leases
from bot.state.locks import Locks
from bot.state.models import JobRecord, JobStatus, UserRecord
from bot.state.paces import Paces
from bot.state.quotas import Quotas
from bot.state.updates import ALBUM_TTL, SEEN_TTL, Updates
from bot.state.users import Users
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
    "UserRecord",
]

log = logging.getLogger(__name__)


class Store:
    """Redis-backed state shared by every bot process (see the module docstring)."""

    def __init__(self, redis: RedisClient, cipher: TokenCipher) -> None:
        self.redis = redis  # the client itself: for tools that measure Redis (bench), not for flows
        self.users = Users(redis, cipher)
        self.jobs = Jobs(redis)
        self.leases = delivery_leases(redis)
        self.locks = Locks(redis)
        self.updates = Updates(redis)
        self.cancels = Cancels(redis)
        self.quotas = Quotas(redis)
        self.paces = Paces(redis)
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

    @guarded
    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    def credentials(self, user_key: UserKey | str) -> StoreCredentials:
        """The user's backend credentials as a `bot.backend.user.CredentialStore` (a user key's
        text form, "platform:id", is accepted too)."""
        key = user_key if isinstance(user_key, UserKey) else UserKey.parse(user_key)
        return StoreCredentials(self.users, key)
