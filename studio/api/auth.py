"""Anonymous tokens, the proof a known client needs for a new one, and bearer authentication.

A token is `nmv_usr_` + 40 url-safe characters. Only its sha256 is stored (`studio:token:<hash>`),
so a copy of Redis gives nobody a usable token. A token lasts 7 days.

One client id is one anonymous user. Client ids are stored only as HMAC-SHA256 under a server
pepper (`VIDEOBOT_STUDIO_PEPPER`, else `<data_dir>/studio/pepper.key`, generated once), in
`studio:cid:<hmac>`: a copy of Redis reveals none, not even a guessable one such as a platform
user id.

The protocol of `POST /api/auth/anonymous-token` (`X-Client-Id: <id>`):

- **A new client id**: a new user with 100 credits. The answer's data carries, this once, a
  `client_secret` (`vbcs_` + 43 characters) bound to the client id; the client keeps it with the
  client id.
- **A known client id**: a fresh token for the SAME user (same credits, same sessions), and the
  previous token stops working, but only with proof of being that client, either
  `Authorization: Bearer <the last token issued for this client id>` (even when it has expired)
  or `X-Client-Secret: <the client secret>`. Without proof: HTTP 403, code 1003, nothing changes.
  A client id bound before secrets existed gets its `client_secret` in the first answer that
  proves it with its last token.

That is the bot's recovery path for 1001 (token expired: new token, same client id, old token as
proof), and it cannot be used to farm credits (the 100 are granted once per user) or to take
over someone's projects by knowing their client id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis
from pydantic import BaseModel
from redis.exceptions import WatchError

from studio import keys
from studio.api import errors
from studio.settings import ConfigError, StudioSettings
from studio.storage import private_dir

log = logging.getLogger(__name__)

TOKEN_PREFIX = "nmv_usr_"
SECRET_PREFIX = "vbcs_"
INITIAL_CREDITS = 100
PEPPER_FILE = "pepper.key"
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
_TOKEN_RE = re.compile(r"^nmv_usr_[A-Za-z0-9_\-]{20,100}$")
_SECRET_RE = re.compile(r"^vbcs_[A-Za-z0-9_\-]{20,100}$")


class Principal(BaseModel):
    """Who is calling: resolved from the bearer token."""

    user_id: str
    client_hash: str


class IssuedToken(BaseModel):
    token: str
    user_id: str
    expires_at: str
    credits: int
    client_secret: str | None = None  # only in the answer that binds it

    def public(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(30)  # 30 bytes -> 40 url-safe characters


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)  # 32 bytes -> 43 url-safe characters


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_hash(pepper: bytes, client_id: str) -> str:
    return hmac.new(pepper, client_id.encode(), hashlib.sha256).hexdigest()


def load_pepper(settings: StudioSettings) -> bytes:
    """The client-id pepper: the setting, else `<data_dir>/studio/pepper.key` (created 0600 once,
    race-free: written aside and linked into place, so a reader never sees it half-written)."""
    if settings.client_pepper is not None and settings.client_pepper.get_secret_value().strip():
        return settings.client_pepper.get_secret_value().strip().encode()
    folder = private_dir(Path(settings.data_dir) / "studio")
    path = folder / PEPPER_FILE
    if not path.exists():
        aside = folder / f".{PEPPER_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(aside, path)
            log.info("generated the client-id pepper in %s", path)
        except FileExistsError:
            pass  # another studio process made it first
        finally:
            aside.unlink(missing_ok=True)
    pepper = path.read_text().strip()
    if not pepper:
        raise ConfigError(f"invalid setting VIDEOBOT_DATA_DIR: {path} is empty")
    return pepper.encode()


def check_client_id(client_id: str | None) -> str:
    if not client_id:
        raise errors.client_id_missing()
    if not _CLIENT_ID_RE.match(client_id):
        raise errors.client_id_missing("X-Client-Id must be 1-64 letters, digits, '.', '_', ':' or '-'")
    return client_id


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and _TOKEN_RE.match(token) else None


def _proved(record: dict[str, str], authorization: str | None, secret: str | None) -> bool:
    token = _bearer(authorization)
    if token and record.get("token_hash") and hmac.compare_digest(hash_token(token), record["token_hash"]):
        return True
    secret = (secret or "").strip()
    if secret and _SECRET_RE.match(secret) and record.get("secret_hash"):
        return hmac.compare_digest(hash_token(secret), record["secret_hash"])
    return False


async def issue_anonymous_token(
    redis: aioredis.Redis, pepper: bytes, client_id: str, *,
    authorization: str | None = None, client_secret: str | None = None,
) -> IssuedToken:
    """A new token for this client id's user: created with 100 credits (and a client secret) on
    first contact; later only with proof (module docstring), else ApiError 1003."""
    token = new_token()
    token_hash = hash_token(token)
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=keys.TOKEN_TTL)
    expires_at = expires.isoformat(timespec="seconds").replace("+00:00", "Z")
    cid = client_hash(pepper, client_id)
    client_key = keys.client(cid)
    async with redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(client_key)
                record = keys.text_hash(await pipe.hgetall(client_key))
                known = bool(record.get("user_id"))
                if known and not _proved(record, authorization, client_secret):
                    log.warning("anonymous token refused: a known client id without proof")
                    raise errors.client_proof_required()
                user_id = record.get("user_id") or "anon_" + secrets.token_hex(12)
                secret = None if record.get("secret_hash") else new_secret()
                user_key = keys.user(user_id)
                pipe.multi()
                if record.get("token_hash"):
                    pipe.delete(keys.token(record["token_hash"]))
                pipe.hset(client_key, mapping={"user_id": user_id, "token_hash": token_hash})
                if secret is not None:
                    pipe.hset(client_key, "secret_hash", hash_token(secret))
                pipe.expire(client_key, keys.ACCOUNT_TTL)
                pipe.hsetnx(user_key, "available", INITIAL_CREDITS)
                pipe.hsetnx(user_key, "frozen", 0)
                pipe.hsetnx(user_key, "created", now.isoformat(timespec="seconds"))
                pipe.hset(user_key, "client_hash", cid)
                pipe.expire(user_key, keys.ACCOUNT_TTL)
                pipe.hset(keys.token(token_hash),
                          mapping={"user_id": user_id, "client_hash": cid, "expires_at": expires_at})
                pipe.expire(keys.token(token_hash), keys.TOKEN_TTL)
                pipe.hget(user_key, "available")
                results = await pipe.execute()
                break
            except WatchError:
                continue
    credits = int(results[-1] or 0)
    return IssuedToken(token=token, user_id=user_id, expires_at=expires_at, credits=credits,
                       client_secret=secret)


async def authenticate(redis: aioredis.Redis, authorization: str | None) -> Principal:
    """The caller of a request from its `Authorization: Bearer` header; 1001 when bad or expired."""
    token = _bearer(authorization)
    if token is None:
        raise errors.token_invalid()
    record = keys.text_hash(await redis.hgetall(keys.token(hash_token(token))))
    user_id = record.get("user_id")
    if not user_id or not await redis.exists(keys.user(user_id)):
        raise errors.token_invalid()
    return Principal(user_id=user_id, client_hash=record.get("client_hash", ""))


# --- migration of plain client ids (records written before client ids were hashed) ----------------

_MOVE_CLIENT = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  local fields = redis.call('HGETALL', KEYS[1])
  if #fields > 0 then
    redis.call('HSET', KEYS[2], unpack(fields))
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
  end
end
redis.call('DEL', KEYS[1])
return 1
"""


async def migrate_plain_client_ids(redis: aioredis.Redis, pepper: bytes) -> int:
    """Move `studio:client:<plain id>` records to `studio:cid:<hmac>` and drop plain `client_id`
    fields from user and token records. Idempotent; returns how many client records moved."""
    moved = 0
    started = time.monotonic()
    async for raw in redis.scan_iter(match=keys.LEGACY_CLIENT_PATTERN, count=500):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        plain = key[len(keys.LEGACY_CLIENT_PREFIX):]
        cid = client_hash(pepper, plain)
        await redis.eval(_MOVE_CLIENT, 2, key, keys.client(cid))
        moved += 1
    if moved or not await redis.exists(keys.MIGRATED_CLIENT_IDS):
        for pattern, _ in ((keys.USER_PATTERN, "user"), (keys.TOKEN_PATTERN, "token")):
            async for raw in redis.scan_iter(match=pattern, count=500):
                plain_raw = await redis.hget(raw, "client_id")
                if plain_raw is None:
                    continue
                plain = plain_raw.decode() if isinstance(plain_raw, bytes) else str(plain_raw)
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.hset(raw, "client_hash", client_hash(pepper, plain))
                    pipe.hdel(raw, "client_id")
                    await pipe.execute()
        await redis.set(keys.MIGRATED_CLIENT_IDS, "1")
    if moved:
        log.info("hashed %d plain client ids in %.1f s", moved, time.monotonic() - started)
    return moved
