"""Anonymous tokens and bearer authentication.

A token is `nmv_usr_` + 40 url-safe characters. Only its sha256 is stored (`studio:token:<hash>`),
so a copy of Redis gives nobody a usable token. A token lasts 7 days.

One client id is one anonymous user. Asking again with the same `X-Client-Id` returns a FRESH
token for the SAME user (same user id, same credits, same sessions) and invalidates the previous
token. That is the bot's recovery path for 1001 (token expired or lost: new token, same client
id), and it cannot be used to farm credits: the 100 credits are granted once per user.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from pydantic import BaseModel
from redis.exceptions import WatchError

from studio import keys
from studio.api import errors

TOKEN_PREFIX = "nmv_usr_"
INITIAL_CREDITS = 100
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
_TOKEN_RE = re.compile(r"^nmv_usr_[A-Za-z0-9_\-]{20,100}$")


class Principal(BaseModel):
    """Who is calling: resolved from the bearer token."""

    user_id: str
    client_id: str


class IssuedToken(BaseModel):
    token: str
    user_id: str
    expires_at: str
    credits: int


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(30)  # 30 bytes -> 40 url-safe characters


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_client_id(client_id: str | None) -> str:
    if not client_id:
        raise errors.client_id_missing()
    if not _CLIENT_ID_RE.match(client_id):
        raise errors.client_id_missing("X-Client-Id must be 1-64 letters, digits, '.', '_', ':' or '-'")
    return client_id


async def issue_anonymous_token(redis: aioredis.Redis, client_id: str) -> IssuedToken:
    """A new token for this client id's user (created with 100 credits on first contact)."""
    token = new_token()
    token_hash = hash_token(token)
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=keys.TOKEN_TTL)
    expires_at = expires.isoformat(timespec="seconds").replace("+00:00", "Z")
    client_key = keys.client(client_id)
    async with redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(client_key)
                record = await pipe.hgetall(client_key)
                user_id = _text(record.get(b"user_id")) or "anon_" + secrets.token_hex(12)
                old_hash = _text(record.get(b"token_hash"))
                user_key = keys.user(user_id)
                pipe.multi()
                if old_hash:
                    pipe.delete(keys.token(old_hash))
                pipe.hset(client_key, mapping={"user_id": user_id, "token_hash": token_hash})
                pipe.expire(client_key, keys.ACCOUNT_TTL)
                pipe.hsetnx(user_key, "available", INITIAL_CREDITS)
                pipe.hsetnx(user_key, "frozen", 0)
                pipe.hsetnx(user_key, "created", now.isoformat(timespec="seconds"))
                pipe.hset(user_key, "client_id", client_id)
                pipe.expire(user_key, keys.ACCOUNT_TTL)
                pipe.hset(
                    keys.token(token_hash),
                    mapping={"user_id": user_id, "client_id": client_id, "expires_at": expires_at},
                )
                pipe.expire(keys.token(token_hash), keys.TOKEN_TTL)
                pipe.hget(user_key, "available")
                results = await pipe.execute()
                break
            except WatchError:
                continue
    credits = int(results[-1] or 0)
    return IssuedToken(token=token, user_id=user_id, expires_at=expires_at, credits=credits)


async def authenticate(redis: aioredis.Redis, authorization: str | None) -> Principal:
    """The caller of a request from its `Authorization: Bearer` header; 1001 when bad or expired."""
    if not authorization:
        raise errors.token_invalid()
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN_RE.match(token):
        raise errors.token_invalid()
    record = await redis.hgetall(keys.token(hash_token(token)))
    user_id = _text(record.get(b"user_id"))
    if not user_id or not await redis.exists(keys.user(user_id)):
        raise errors.token_invalid()
    return Principal(user_id=user_id, client_id=_text(record.get(b"client_id")) or "")


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value
