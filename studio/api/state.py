"""A session's state: the draft, the uploaded assets, what was generated, and every version of the draft.

Stored as one JSON document per session (`studio:state:<sid>`), updated with optimistic
transactions so an upload and a chat turn finishing at the same moment both land. Served by
`GET /api/state/nemo_agent/me/<sid>/latest` as `{draft, video_infos, canvas_config,
generated_media, assets}`.

Versions (`studio:history:<sid>`, `studio:versions:<sid>`): every turn that changes the draft adds
a version (its draft, its tool calls, a one-line label); undo, redo and "go back to version 3" move
between them (`studio.director.History` holds the rules). The last `History.LIMIT` (50) are kept.

Turns are serialised per session (`turn_lock`): an in-process asyncio lock keeps this process's
turns in arrival order, and a Redis lock (`studio:turn:<sid>`, a random token, released only by
its holder) keeps turns of other studio processes out. A turn that cannot get the lock in time is
refused as busy, never lost and never charged.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

import redis.asyncio as aioredis
from pydantic import BaseModel, Field
from redis.exceptions import WatchError

from studio import keys
from studio.director import History, HistoryMove, ToolCall
from studio.director.history import LIMIT
from studio.draft import CANVAS

ASPECT_SIZES: dict[str, tuple[int, int]] = dict(CANVAS)


class StateAsset(BaseModel):
    """An uploaded file as the state lists it (and as the director sees it)."""

    id: str
    kind: Literal["image", "video", "audio"]
    name: str
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None
    url: str = ""  # path of its cdn URL on the studio (`/media/...`)


class SessionState(BaseModel):
    draft: dict[str, Any] | None = None
    assets: list[StateAsset] = Field(default_factory=list)
    generated_media: list[dict[str, Any]] = Field(default_factory=list)

    def public(self, base_url: str) -> dict[str, Any]:
        """The state as the API answers it (URLs made absolute)."""
        assets = [a.model_dump() | {"url": base_url + a.url} for a in self.assets]
        videos = [
            {"id": a["id"], "name": a["name"], "url": a["url"], "width": a["width"], "height": a["height"],
             "duration": (a["duration_ms"] or 0) / 1000}
            for a in assets
            if a["kind"] == "video"
        ]
        media = [m | {"url": base_url + m["url"]} if "url" in m else m for m in self.generated_media]
        return {
            "draft": self.draft,
            "video_infos": videos,
            "canvas_config": canvas_config(self.draft),
            "generated_media": media,
            "assets": assets,
        }


def canvas_config(draft: dict[str, Any] | None) -> dict[str, Any]:
    meta = (draft or {}).get("m") or {}
    aspect = str(meta.get("aspect") or "16:9")
    if aspect not in ASPECT_SIZES:
        aspect = "16:9"
    width, height = ASPECT_SIZES[aspect]
    return {
        "width": int(meta.get("width") or width),
        "height": int(meta.get("height") or height),
        "aspect": aspect,
        "fps": int(meta.get("fps") or 30),
    }


async def load_state(redis: aioredis.Redis, session_id: str) -> SessionState:
    raw = await redis.get(keys.state(session_id))
    return SessionState.model_validate_json(raw) if raw else SessionState()


async def update_state(
    redis: aioredis.Redis, session_id: str, change: Callable[[SessionState], None]
) -> SessionState:
    """Apply `change` to the stored state atomically (retried when another writer got there first)."""
    key = keys.state(session_id)
    async with redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(key)
                raw = await pipe.get(key)
                state = SessionState.model_validate_json(raw) if raw else SessionState()
                change(state)
                pipe.multi()
                pipe.set(key, state.model_dump_json(), ex=keys.ACCOUNT_TTL)
                await pipe.execute()
                return state
            except WatchError:
                continue


async def add_assets(redis: aioredis.Redis, session_id: str, assets: list[StateAsset]) -> SessionState:
    def change(state: SessionState) -> None:
        state.assets.extend(assets)

    return await update_state(redis, session_id, change)


async def set_draft(redis: aioredis.Redis, session_id: str, draft: dict[str, Any] | None) -> SessionState:
    def change(state: SessionState) -> None:
        state.draft = draft

    return await update_state(redis, session_id, change)


async def add_generated(redis: aioredis.Redis, session_id: str, media: dict[str, Any]) -> SessionState:
    def change(state: SessionState) -> None:
        if not any(m.get("id") == media.get("id") for m in state.generated_media):
            state.generated_media.append(media)

    return await update_state(redis, session_id, change)


# --- versions --------------------------------------------------------------------------------------
async def load_history(redis: aioredis.Redis, session_id: str) -> History:
    raw = await redis.get(keys.history(session_id))
    return History.model_validate_json(raw) if raw else History()


async def _save_history(redis: aioredis.Redis, session_id: str, history: History,
                        drafts: dict[int, dict[str, Any]], dropped: list[int]) -> None:


    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(keys.history(session_id), history.model_dump_json(), ex=keys.ACCOUNT_TTL)
        if drafts:
            pipe.hset(keys.versions(session_id), mapping={str(n): json.dumps(d) for n, d in drafts.items()})
        if dropped:
            pipe.hdel(keys.versions(session_id), *[str(n) for n in dropped])
        pipe.expire(keys.versions(session_id), keys.ACCOUNT_TTL)
        await pipe.execute()


async def record_version(redis: aioredis.Redis, session_id: str, draft: dict[str, Any], label: str,
                         calls: list[ToolCall], *, before: dict[str, Any] | None = None) -> History:
    """Add the draft of an applied turn as the new current version (call under the turn lock).
    `before`: the draft the turn started from, kept as version 1 when the session has no versions
    yet (a draft made before versions existed can still be returned to)."""
    history = await load_history(redis, session_id)
    drafts: dict[int, dict[str, Any]] = {}
    if history.head is None and before is not None:
        n, _ = history.record("earlier draft", [])
        drafts[n] = before
    n, dropped = history.record(label, calls, LIMIT)
    drafts[n] = draft
    kept = {k: v for k, v in drafts.items() if k not in dropped}
    await _save_history(redis, session_id, history, kept, dropped)
    return history


async def move_version(redis: aioredis.Redis, session_id: str, move: HistoryMove) -> dict[str, Any] | None:
    """Undo, redo or restore (call under the turn lock): the version's draft, now current, or None
    when that version is gone."""


    raw = await redis.hget(keys.versions(session_id), str(move.to))
    if raw is None:
        return None
    history = await load_history(redis, session_id)
    history.move(move.kind, move.to)
    await _save_history(redis, session_id, history, {}, [])
    draft: dict[str, Any] = json.loads(raw)
    await set_draft(redis, session_id, draft)
    return draft


# --- one turn at a time per session ------------------------------------------------------------------
class Busy(Exception):
    """Another turn of the same session held the lock for longer than the caller would wait."""


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


@asynccontextmanager
async def turn_lock(
    redis: aioredis.Redis, session_id: str, *, wait: float, ttl: float
) -> AsyncIterator[None]:
    """Hold the session's turn lock (in this process, then across processes); raises `Busy` after
    `wait` seconds. `ttl` bounds a lock whose holder died."""
    local = _local.get(session_id)
    if local is None:
        local = asyncio.Lock()
        _local[session_id] = local
    deadline = time.monotonic() + wait
    try:
        await asyncio.wait_for(local.acquire(), max(0.0, wait))
    except TimeoutError:
        raise Busy(session_id) from None
    token = secrets.token_hex(16)
    key = keys.turn_lock(session_id)
    try:
        pause = 0.02
        while not await redis.set(key, token, nx=True, px=max(1000, int(ttl * 1000))):
            if time.monotonic() >= deadline:
                raise Busy(session_id)
            await asyncio.sleep(pause)
            pause = min(0.25, pause * 1.5)
        try:
            yield
        finally:
            await redis.eval(_RELEASE, 1, key, token)
    finally:
        local.release()
