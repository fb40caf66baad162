"""Users in Redis: one hash per user, the client id made once and kept for good, tokens encrypted.

Users are many and mostly idle, so the hash uses short field names and omits empty fields
(`bot.state.models`); the token and the client secret are encrypted before they are written
(`bot.state.crypto.TokenCipher`).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from bot.ids import UserKey
from bot.state import keys, lua
from bot.state.base import Part
from bot.state.connect import RedisClient
from bot.state.crypto import CipherError, TokenCipher
from bot.state.errors import guarded
from bot.state.models import (
    ENCRYPTED_USER_FIELDS,
    UserRecord,
    encode_user_fields,
    user_fields_from_hash,
    user_values,
)

log = logging.getLogger(__name__)


class Users(Part):
    def __init__(self, redis: RedisClient, cipher: TokenCipher) -> None:
        super().__init__(redis)
        self._cipher = cipher

    def _from_hash(self, user_key: UserKey, raw: dict[Any, Any]) -> UserRecord:
        fields: dict[str, Any] = user_fields_from_hash(raw)
        for name in ENCRYPTED_USER_FIELDS & fields.keys():
            try:
                fields[name] = self._cipher.decrypt(fields[name])
            except CipherError:
                log.warning("stored %s of %s cannot be decrypted (secret key changed?)", name, user_key)
                fields[name] = None
        return UserRecord.model_validate({**fields, "user_key": user_key})

    @guarded
    async def get(self, user_key: UserKey) -> UserRecord:
        """The user's record, created (with a new client id, kept for good) on first contact."""
        flat = await self._eval(lua.ENSURE_USER, keys.user(user_key), str(uuid.uuid4()), int(time.time()))
        return self._from_hash(user_key, dict(zip(flat[::2], flat[1::2], strict=True)))

    @guarded
    async def save(self, rec: UserRecord, fields: list[str] | None = None) -> None:
        """Write the record, or only the named `fields` of it."""
        put, drop = encode_user_fields(user_values(rec, fields), self._cipher.encrypt)
        await self._hash_write(keys.user(rec.user_key), put, drop)

    async def update(self, user_key: UserKey, **fields: Any) -> UserRecord:
        """Change some fields (validated like the model), write only those; the new record."""
        rec = await self.get(user_key)
        for name, value in fields.items():
            if name == "user_key" or name not in UserRecord.model_fields:
                raise ValueError(f"UserRecord has no field {name!r} to update")
            setattr(rec, name, value)
        await self.save(rec, list(fields))
        return rec

    @guarded
    async def first_tip(self, user_key: UserKey, name: str) -> bool:
        """True the first time the tip `name` is given to this user (kept for good), else False."""
        return bool(await self._redis.set(keys.tip(name, user_key), b"1", nx=True))
