"""Export: `POST /api/render/proxy/lambda`, its poll, and the authenticated download.

A render is a job hash in Redis (`studio:render:<user_id>:<render id>`, see `studio.keys`),
created once: submitting the same id again answers the existing job and renders nothing. The
job carries the draft, the asset map and the output path; `studio.jobs.dispatch` renders it off the
event loop and writes status and progress back. Export costs no credits.

The draft is checked against the limits first (`studio.api.limits`: size, segments, length); the
job carries its length (`duration_s`, for the estimate) and the wall-time limit of its render
(`limit_s`). The poll answer adds `elapsed_seconds` and `eta_seconds` (`studio.api.eta`) and, for a
failed render, `error_code`. `DELETE` on the poll URL cancels a render that has not ended (its
worker stops it, ffmpeg included).

Reuse: every job records the digest of what it renders (`render_digest`: the canonical draft, each
asset's identity and the renderer's version). Exporting a draft whose digest equals the session's
newest export, when that one completed and its file is still there, creates the new job already
completed with a hard link to the same MP4 (its own URL): nothing is rendered again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict, Field

from studio import keys
from studio.api import errors
from studio.api.eta import estimate
from studio.api.limits import DraftLimits, check_draft
from studio.api.sessions import Session
from studio.api.state import add_generated, load_state
from studio.jobs.dispatch import CANCELLED, JobDispatcher, fail_job
from studio.metrics import DEFAULT_PACE, render_pace
from studio.storage import MediaStore

log = logging.getLogger(__name__)

ASSET_SCHEME = "asset://"
PACE_CACHE_SECONDS = 1.0

_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""


async def _is_file(path: str) -> bool:
    return bool(path) and await asyncio.to_thread(os.path.isfile, path)


class RenderBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,80}$")
    session_id: str = Field(alias="sessionId", min_length=1, max_length=64)
    draft: dict[str, Any] | None = None
    output: dict[str, Any] | None = None


def asset_refs(node: Any) -> set[str]:
    """Every `asset://<id>` string anywhere in a draft."""
    if isinstance(node, str):
        return {node} if node.startswith(ASSET_SCHEME) else set()
    if isinstance(node, dict):
        return set().union(*(asset_refs(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(asset_refs(v) for v in node)) if node else set()
    return set()


def render_digest(draft: dict[str, Any], assets: dict[str, str]) -> str:
    """What a render's output depends on: the canonical draft (keys sorted), every asset's file
    identity (path, size, modification time) and the renderer's version."""
    from studio.render import RENDERER_VERSION

    files = {}
    for ref, path in sorted(assets.items()):
        try:
            st = os.stat(path)
            files[ref] = [path, st.st_size, st.st_mtime_ns]
        except OSError:
            files[ref] = [path, -1, -1]
    blob = json.dumps({"draft": draft, "assets": files, "renderer": RENDERER_VERSION}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        import shutil

        shutil.copyfile(source, target)


def draft_ready(draft: dict[str, Any] | None) -> bool:
    tracks = (draft or {}).get("t")
    return isinstance(tracks, list) and any(isinstance(t, dict) and t.get("sg") for t in tracks)


class Renders:
    def __init__(self, redis: aioredis.Redis, store: MediaStore, dispatcher: JobDispatcher, *,
                 limits: DraftLimits | None = None, render_timeout: float = 900.0,
                 keep_seconds: int = keys.RENDER_TTL) -> None:
        self.redis = redis
        self.store = store
        self.dispatcher = dispatcher
        self.limits = limits or DraftLimits(max_bytes=1024 * 1024, max_segments=400, max_seconds=300.0)
        self.render_timeout = render_timeout
        self.keep_seconds = keep_seconds
        self._pace = (DEFAULT_PACE, 0.0)  # (seconds per second, when read)

    async def pace(self) -> float:
        """The median pace of recent renders (read from Redis at most every few seconds)."""
        value, read = self._pace
        if time.monotonic() - read > PACE_CACHE_SECONDS:
            value = (await render_pace(self.redis))[0]
            self._pace = (value, time.monotonic())
        return value

    async def _assets(self, user_id: str, draft: dict[str, Any]) -> tuple[dict[str, str], str | None]:
        """The draft's asset map, and the first problem (a missing or foreign asset), if any."""
        mapping: dict[str, str] = {}
        for ref in sorted(asset_refs(draft)):
            asset_id = ref[len(ASSET_SCHEME):]
            raw = await self.redis.hgetall(keys.asset(asset_id)) if asset_id.isascii() else {}
            record = keys.text_hash(raw)
            if record.get("user_id") != user_id or not await _is_file(record.get("path", "")):
                return mapping, f"The file {asset_id} is no longer available. Please upload it again."
            mapping[ref] = record["path"]
        return mapping, None

    async def submit(self, session: Session, body: RenderBody, base_url: str) -> dict[str, Any]:
        job_id = keys.render_job_id(session.user_id, body.id)
        if await self.redis.exists(keys.render(job_id)):
            return await self.view(session.user_id, body.id, base_url)
        draft = body.draft
        if not draft_ready(draft):
            draft = (await load_state(self.redis, session.session_id)).draft
        if draft is None or not draft_ready(draft):
            raise errors.invalid_request("Nothing to render yet: the draft has no tracks.")
        duration = check_draft(draft, self.limits)
        assets, problem = await self._assets(session.user_id, draft)
        out_path = self.store.new_path(session.user_id, body.id, "mp4")
        now = f"{time.time():.3f}"
        digest = "" if problem else await asyncio.to_thread(render_digest, draft, assets)
        record: dict[str, Any] = {
            "render_id": body.id, "user_id": session.user_id, "session_id": session.session_id,
            "status": "failed" if problem else "pending", "progress": 0, "error": problem or "",
            "created": now, "updated": now, "draft": json.dumps(draft), "assets": json.dumps(assets),
            "out_path": str(out_path), "title": str((draft.get("m") or {}).get("title") or ""),
            "duration_s": f"{duration:.3f}", "limit_s": f"{self.render_timeout:g}",
            "digest": digest,
        }
        reused = await self._reusable(session, digest, out_path) if digest else None
        if reused is not None:
            record |= reused
        args = [self.keep_seconds, *[x for kv in record.items() for x in kv]]
        created = await self.redis.eval(_CREATE, 1, keys.render(job_id), *args)
        if created and not problem:
            await self.redis.set(keys.last_render(session.session_id), job_id, ex=self.keep_seconds)
        if not created and reused is not None:
            out_path.unlink(missing_ok=True)  # the same id was submitted twice at once
        elif created and reused is not None:
            log.info("render %s reuses %s (unchanged draft)", body.id, reused["reused_from"])
        elif created and not problem:
            log.info("render %s submitted for session %s", body.id, session.session_id)
            try:
                await self.dispatcher.submit(job_id)
            except Exception:
                log.exception("render %s could not be dispatched", body.id)
                await fail_job(self.redis, job_id, "The render could not be started. Please try again.",
                               errors.RENDER_FAILED)
        return await self.view(session.user_id, body.id, base_url)

    async def _reusable(self, session: Session, digest: str, out_path: Path) -> dict[str, Any] | None:
        """The fields of a job completed at once from the session's newest export, when that one
        rendered the same digest and its file is still there (a hard link gives it its own URL)."""
        last = await self.redis.get(keys.last_render(session.session_id))
        if not last:
            return None
        last_id = last.decode() if isinstance(last, bytes) else str(last)
        job = keys.text_hash(await self.redis.hgetall(keys.render(last_id)))
        same = job.get("digest") == digest and job.get("user_id") == session.user_id
        if job.get("status") != "completed" or not same:
            return None
        source = Path(job.get("out_path", ""))
        if not await _is_file(str(source)):
            return None
        try:
            await asyncio.to_thread(_link_or_copy, source, out_path)
        except OSError:
            log.warning("could not reuse %s", source.name)
            return None
        size = (await asyncio.to_thread(out_path.stat)).st_size
        return {"status": "completed", "progress": 100, "out_path": str(out_path), "size": size,
                "width": job.get("width", "0"), "height": job.get("height", "0"),
                "duration": job.get("duration", "0"), "reused_from": job.get("render_id", "")}

    async def _job(self, user_id: str, render_id: str) -> dict[str, str]:
        if not render_id or len(render_id) > 80:
            raise errors.not_found("Render not found.")
        raw = await self.redis.hgetall(keys.render(keys.render_job_id(user_id, render_id)))
        if not raw:
            raise errors.not_found("Render not found.")
        return keys.text_hash(raw)

    async def view(self, user_id: str, render_id: str, base_url: str) -> dict[str, Any]:
        """The poll answer: id, status, progress, and `output.url` once completed / `error` once failed."""
        job = await self._job(user_id, render_id)
        status = job.get("status") or "pending"
        progress = int(job.get("progress") or 0)
        answer: dict[str, Any] = {"id": render_id, "status": status, "progress": progress}
        if status == "completed":
            path = Path(job["out_path"])
            url = base_url + self.store.url_path(path)
            output = {"url": url, "format": "mp4", "width": int(job.get("width") or 0),
                      "height": int(job.get("height") or 0), "duration": float(job.get("duration") or 0),
                      "size": int(job.get("size") or 0)}
            answer["output"] = output
            if not job.get("recorded"):
                await add_generated(self.redis, job["session_id"], {
                    "id": render_id, "type": "video", "url": self.store.url_path(path),
                    **{k: output[k] for k in ("width", "height", "duration", "size")}})
                await self.redis.hset(keys.render(keys.render_job_id(user_id, render_id)), "recorded", "1")
        elif status == "failed":
            answer["error"] = job.get("error") or "The render failed."
            answer["error_code"] = int(job.get("error_code") or errors.RENDER_FAILED)
        return answer | estimate(job, await self.pace())

    async def cancel(self, user_id: str, render_id: str, base_url: str) -> dict[str, Any]:
        """Cancel a render that has not ended (its worker stops it); the poll answer after it."""
        await self._job(user_id, render_id)
        job_id = keys.render_job_id(user_id, render_id)
        if await fail_job(self.redis, job_id, CANCELLED, errors.RENDER_CANCELLED):
            log.info("render %s cancelled", render_id)
        return await self.view(user_id, render_id, base_url)

    async def output_file(self, user_id: str, render_id: str) -> tuple[Path, str]:
        """The finished MP4 of a render and a download name; 404 until it is completed."""
        job = await self._job(user_id, render_id)
        path = Path(job.get("out_path", ""))
        if job.get("status") != "completed" or not await _is_file(str(path)):
            raise errors.not_found("Render not found or not finished.")
        return path, f"{render_id}.mp4"
