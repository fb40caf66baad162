"""Render jobs in Redis: the job hashes, the active set, and the delivery lease.

A job is written before the submit call and after every poll, so a restarted bot finds it in
the active set and resumes it. `claim_job` hands the delivery of one job to exactly one process
at a time (renewable by that owner; expires with its lease if the owner dies).
"""

from __future__ import annotations

import time
from typing import Any

from bot.state import keys
from bot.state import lua as store_lua
from bot.state.errors import StoreBase, guarded, text
from bot.state.models import FINISHED_STATUSES, JobRecord, JobStatus, job_from_hash, job_to_hash

JOB_TTL = 7 * 86400


class JobStore(StoreBase):
    @guarded
    async def save_job(self, job: JobRecord) -> None:
        """Write the job (stamping `updated`): active unless delivered or cancelled."""
        job.updated = time.time()
        put, drop = job_to_hash(job)
        finished = job.status in FINISHED_STATUSES
        await self._hash_write(keys.job(job.render_id), put, drop, JOB_TTL * 1000 if finished else 0)
        if finished:
            await self.redis.srem(keys.JOBS_ACTIVE, job.render_id)
        else:
            await self.redis.sadd(keys.JOBS_ACTIVE, job.render_id)

    @guarded
    async def get_job(self, render_id: str) -> JobRecord | None:
        raw = await self.redis.hgetall(keys.job(render_id))
        return job_from_hash(render_id, raw) if raw else None

    async def update_job(self, render_id: str, **fields: Any) -> JobRecord | None:
        """Change some fields of a stored job and save it; None when there is no such job."""
        job = await self.get_job(render_id)
        if job is None:
            return None
        for name, value in fields.items():
            setattr(job, name, value)
        await self.save_job(job)
        return job

    @guarded
    async def finish_job(self, render_id: str, status: JobStatus = "delivered") -> None:
        """Record the final status and drop the job from the active set; it expires in 7 days."""
        key = keys.job(render_id)
        if await self.redis.exists(key):
            put = {"status": status, "updated": str(int(time.time()))}
            await self._hash_write(key, put, [], JOB_TTL * 1000)
        await self.redis.srem(keys.JOBS_ACTIVE, render_id)

    @guarded
    async def active_jobs(self) -> list[JobRecord]:
        """Jobs still to deliver, oldest first (ids whose hash vanished are dropped)."""
        members = await self.redis.smembers(keys.JOBS_ACTIVE)
        ids = sorted(text(m) for m in members)
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for render_id in ids:
            pipe.hgetall(keys.job(render_id))
        hashes = await pipe.execute()
        jobs: list[JobRecord] = []
        gone: list[str] = []
        for render_id, raw in zip(ids, hashes, strict=True):
            if raw:
                jobs.append(job_from_hash(render_id, raw))
            else:
                gone.append(render_id)
        if gone:
            await self.redis.srem(keys.JOBS_ACTIVE, *gone)
        return sorted(jobs, key=lambda j: j.created)

    @guarded
    async def claim_job(self, render_id: str, owner: str, lease_seconds: float) -> bool:
        """Take (or, for its owner, renew) the delivery lease: True for one owner at a time."""
        ms = max(int(lease_seconds * 1000), 1)
        return bool(await self._eval(store_lua.CLAIM, keys.delivery(render_id), owner, ms))

    @guarded
    async def release_job(self, render_id: str, owner: str) -> bool:
        """Give the delivery lease back; only its owner can (False otherwise)."""
        return bool(await self._eval(store_lua.COMPARE_DELETE, keys.delivery(render_id), owner))
