"""A submitted render until the user has the MP4: poll with backoff, keep the job record current in
Redis after every poll, download to `<data_dir>/out/`, probe, deliver once.

Used by the export flow and by the restart resume (`Engine.resume`), so a restarted bot picks up
exactly where the last one stopped. Transient poll errors re-poll the same id; a `failed` render is
reported to the caller (which retries once with a new id); the delivery lease taken when the job
was created is renewed on every poll.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time

from bot import metrics
from bot.backend.errors import BackendUnavailable, NemoError, ProtocolError, RateLimited, RenderFailed
from bot.channel.errors import DeliveryError
from bot.channel.events import VideoFile
from bot.channel.media import probe_video
from bot.channel.streaming import StreamingMessage
from bot.engine.flows.context import Turn
from bot.engine.turns import cancelled_by_user
from bot.state.store import JobRecord

log = logging.getLogger(__name__)

TRANSIENT = (BackendUnavailable, RateLimited, ProtocolError)
BACKOFF = 1.5


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    FAILED = "failed"  # the backend says the render failed: worth one retry with a new id
    GAVE_UP = "gave_up"  # timed out, could not download, or another process took the job


async def follow(turn: Turn, job: JobRecord, progress: StreamingMessage) -> Outcome:
    """Poll `job` to the end and deliver it; the job leaves the active set when this returns."""
    following = turn.services.following
    following.add(job.render_id)
    with metrics.following() as box:
        try:
            outcome = await _follow(turn, job, progress)
        finally:
            following.discard(job.render_id)
        box["outcome"] = outcome.value
        return outcome


async def _follow(turn: Turn, job: JobRecord, progress: StreamingMessage) -> Outcome:
    try:
        if not (job.status == "completed" and job.url):
            outcome = await _poll(turn, job, progress)
            if outcome is not None:
                return outcome
        return await deliver(turn, job, progress)
    except asyncio.CancelledError:
        if cancelled_by_user():  # /cancel: stop waiting for good; the backend's work is not cancelled
            await asyncio.shield(turn.store.jobs.finish(job.render_id, "cancelled"))
        else:  # a shutdown leaves the job in Redis for the next start, free to be claimed at once
            await asyncio.shield(_release(turn, job))
        raise


async def _release(turn: Turn, job: JobRecord) -> None:
    try:
        await turn.store.leases.release(job.render_id, turn.services.owner)
    except Exception as exc:  # the lease will expire on its own
        log.info("could not release the delivery lease of %s: %s", job.render_id, type(exc).__name__)


async def _poll(turn: Turn, job: JobRecord, progress: StreamingMessage) -> Outcome | None:
    settings, store = turn.settings, turn.store
    interval = settings.render_poll_seconds
    deadline = time.monotonic() + settings.render_timeout_seconds
    shown = -1
    while True:
        if time.monotonic() >= deadline:
            log.warning("render %s timed out", job.render_id)
            job.error = "timeout"
            await store.jobs.save(job)
            await store.jobs.finish(job.render_id, "failed")
            await progress.finish(turn.t("export.timeout"))
            return Outcome.GAVE_UP
        await asyncio.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        interval = min(interval * BACKOFF, settings.render_poll_max_seconds)
        if not await store.leases.claim(job.render_id, turn.services.owner, turn.services.lease_seconds):
            log.info("render %s is being delivered by another process", job.render_id)
            await progress.close()
            return Outcome.GAVE_UP
        try:
            state = await turn.nemo.poll_render(job.render_id)
        except TRANSIENT as exc:
            log.info("poll of %s failed (%s); polling again", job.render_id, type(exc).__name__)
            continue
        except RenderFailed as exc:
            return await _failed(turn, job, str(exc))
        job.progress = max(0, min(100, int(state.progress or 0)))
        if state.status == "failed":
            return await _failed(turn, job, state.error or "failed")
        if state.status == "completed" and state.url:
            job.status, job.url, job.progress = "completed", state.url, 100
            await store.jobs.save(job)
            return None
        job.status = "processing" if state.status == "processing" or job.progress > 0 else "pending"
        await store.jobs.save(job)
        if job.progress > 0 and job.progress != shown:
            shown = job.progress
            await progress.update(turn.t("export.progress", percent=job.progress))


async def _failed(turn: Turn, job: JobRecord, error: str) -> Outcome:
    log.warning("render %s failed: %s", job.render_id, error)
    job.status, job.error = "failed", error[:200]
    await turn.store.jobs.save(job)
    await turn.store.jobs.finish(job.render_id, "failed")
    return Outcome.FAILED


def caption_for(turn: Turn, video: VideoFile, url: str | None) -> str:
    """"🎬 Your video (12s, 1920×1080)" and the link, within the channel's caption limit."""
    limit = turn.reply.limits.max_caption
    caption = turn.t(
        "export.caption", duration=f"{video.duration:.0f}", width=video.width, height=video.height
    )
    if url:
        with_link = f"{caption}\n{turn.t('export.caption_link', url=url)}"
        if len(with_link) <= limit:
            return with_link
    return caption[:limit]


async def deliver(turn: Turn, job: JobRecord, progress: StreamingMessage) -> Outcome:
    """Download, probe and send the finished MP4 (or a link when it is too large); once."""
    store, reply = turn.store, turn.reply
    out_dir = turn.services.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    assert job.url is not None
    await progress.finish(turn.t("export.ready"))
    try:
        path = await turn.nemo.download(job.url, job.render_id, out_dir / f"{job.render_id}.mp4")
    except NemoError as exc:
        log.warning("download of %s failed: %s", job.render_id, exc)
        job.error = "download failed"
        await store.jobs.save(job)
        await store.jobs.finish(job.render_id, "failed")
        await turn.say("export.download_failed")
        return Outcome.GAVE_UP
    if not await store.leases.claim(job.render_id, turn.services.owner, turn.services.lease_seconds):
        log.info("render %s was taken over by another process during the download", job.render_id)
        return Outcome.GAVE_UP
    link = turn.t("export.link", size=f"{path.stat().st_size / (1024 * 1024):.0f}", url=job.url)
    limit = reply.limits.max_video_bytes
    try:
        video = (await probe_video(path, out_dir)).model_copy(update={"url": job.url})
    except Exception as exc:  # a file we cannot probe still reaches the user, as a link
        log.warning("probe of %s failed: %s", job.render_id, type(exc).__name__)
        await turn.send(link)
    else:
        if limit is not None and video.size > limit:
            await turn.send(link)
        else:
            try:
                await reply.send_video(video, caption_for(turn, video, job.url), buttons=turn.quick_buttons())
            except DeliveryError as exc:
                log.warning("platform refused the video %s (%s); sending the link", job.render_id, exc)
                await turn.send(link)
    await store.jobs.finish(job.render_id, "delivered")
    await store.leases.release(job.render_id, turn.services.owner)
    log.info("render %s delivered to %s", job.render_id, turn.user_key)
    return Outcome.DELIVERED
