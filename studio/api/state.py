"""A session's state: the draft, the uploaded assets, and what was generated from them.

Stored as one JSON document per session (`studio:state:<sid>`), updated with optimistic
transactions so an upload and a chat turn finishing at the same moment both land. Served by
`GET /api/state/nemo_agent/me/<sid>/latest` as `{draft, video_infos, canvas_config,
generated_media, assets}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import redis.asyncio as aioredis
from pydantic import BaseModel, Field
from redis.exceptions import WatchError

from studio import keys

ASPECT_SIZES: dict[str, tuple[int, int]] = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}


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
