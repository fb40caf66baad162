"""Projects ("sessions"): one per `POST /api/tasks/me/with-session/nemo_agent`, owned by one user.

Session and task ids are long numeric strings like the cloud's. A session that does not exist
and a session of another user look the same to the caller: 1002 / HTTP 404.
"""

from __future__ import annotations

import secrets
import time

import redis.asyncio as aioredis
from pydantic import BaseModel

from studio import keys
from studio.api import errors


class Session(BaseModel):
    session_id: str
    task_id: str
    user_id: str
    language: str = "en"
    task_name: str = "project"
    created: float = 0.0


class NewSession(BaseModel):
    """Body of the create call; unknown keys ignored."""

    task_name: str = "project"
    language: str = "en"


def _numeric_id() -> str:
    return str(10**18 + secrets.randbelow(9 * 10**18))


async def create_session(redis: aioredis.Redis, user_id: str, body: NewSession) -> Session:
    language = body.language.strip()[:16] or "en"
    session = Session(
        session_id=_numeric_id(),
        task_id=_numeric_id(),
        user_id=user_id,
        language=language,
        task_name=body.task_name.strip()[:100] or "project",
        created=time.time(),
    )
    key = keys.session(session.session_id)
    await redis.hset(key, mapping={k: str(v) for k, v in session.model_dump().items()})
    await redis.expire(key, keys.ACCOUNT_TTL)
    return session


async def find_session(redis: aioredis.Redis, user_id: str, session_id: str) -> Session | None:
    """The session if it exists AND belongs to `user_id`; else None."""
    if not session_id or len(session_id) > 64:
        return None
    raw = await redis.hgetall(keys.session(session_id))
    if not raw:
        return None
    data = keys.text_hash(raw)
    if data.get("user_id") != user_id:
        return None
    await redis.expire(keys.session(session_id), keys.ACCOUNT_TTL)
    return Session.model_validate(data)


async def get_session(redis: aioredis.Redis, user_id: str, session_id: str) -> Session:
    """Like find_session, but a missing or foreign session raises 1002 / HTTP 404."""
    session = await find_session(redis, user_id, session_id)
    if session is None:
        raise errors.session_not_found()
    return session
