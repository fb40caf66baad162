"""Render jobs in Redis: the job hashes and the set of jobs still to deliver.

A job is written before the submit call and after every poll, so a restarted bot finds it in
the active set and resumes it. Who delivers it is the delivery lease's (`bot.state.leases`).
"""

from __future__ import annotations

import time

from bot.state import keys
from bot.state.base import Part, text
from bot.state.errors import guarded
from bot.state.models import FINISHED_STATUSES, JobRecord, JobStatus, job_from_hash, job_to_hash

JOB_TTL = 7 * 86400


class Jobs(Part):
    @guarded
    async def save(self, job: JobRecord) -> None:
        """Write the job (stamping `updated`): active unless delivered or cancelled."""
        job.updated = time.time()
        put, drop = job_to_hash(job)
        finished = job.status in FINISHED_STATUSES
        await self._hash_write(keys.job(job.render_id), put, drop, JOB_TTL * 1000 if finished else 0)
        if finished:
            await self._redis.srem(keys.JOBS_ACTIVE, job.render_id)
        else:
            await self._redis.sadd(keys.JOBS_ACTIVE, job.render_id)

    @guarded
    async def get(self, render_id: str) -> JobRecord | None:
        raw = await self._redis.hgetall(keys.job(render_id))
        return job_from_hash(render_id, raw) if raw else None

    @guarded
    async def is_active(self, render_id: str) -> bool:
        """Still to deliver (not yet delivered, cancelled, or given up)."""
        return bool(await self._redis.sismember(keys.JOBS_ACTIVE, render_id))

    @guarded
    async def finish(self, render_id: str, status: JobStatus = "delivered") -> None:
        """Record the final status and drop the job from the active set; it expires in 7 days."""
        key = keys.job(render_id)
        if await self._redis.exists(key):
            put = {"status": status, "updated": str(int(time.time()))}
            await self._hash_write(key, put, [], JOB_TTL * 1000)
        await self._redis.srem(keys.JOBS_ACTIVE, render_id)

    @guarded
    async def active(self) -> list[JobRecord]:
        """Jobs still to deliver, oldest first (ids whose hash vanished are dropped)."""
        members = await self._redis.smembers(keys.JOBS_ACTIVE)
        ids = sorted(text(m) for m in members)
        if not ids:
            return []
        pipe = self._redis.pipeline(transaction=False)
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
            await self._redis.srem(keys.JOBS_ACTIVE, *gone)
        return sorted(jobs, key=lambda j: j.created)
