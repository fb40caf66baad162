"""A submitted render until the user has the MP4: poll with backoff, keep the job record current in
Redis after every poll, download to `<data_dir>/out/`, probe, deliver once.

Used by the export flow and by the restart resume (`Engine.resume`), so a restarted bot picks up
exactly where the last one stopped. Transient poll errors re-poll the same id; a `failed` render is
reported to the caller (which retries once with a new id); the delivery lease taken when the job
was created is renewed on every poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Awaitable, Callable

from bot import metrics
from bot.backend.errors import BackendUnavailable, NemoError, ProtocolError, RateLimited, RenderFailed
from bot.channel.errors import DeliveryError
from bot.channel.events import MessageRef, VideoFile, quietly
from bot.channel.media import probe_video
from bot.channel.streaming import StreamingMessage
from bot.engine.flows import eta
from bot.engine.flows.context import Turn
from bot.engine.turns import cancelled_by_user
from bot.state.store import JobRecord, StoreError, StoreUnavailable
from common.urls import public_url

log = logging.getLogger(__name__)

TRANSIENT = (BackendUnavailable, RateLimited, ProtocolError)
BACKOFF = 1.5
OUTAGE_FIRST_WAIT = 0.5  # seconds before the first retry of a store call while Redis is away
OUTAGE_MAX_WAIT = 15.0  # the longest wait between two retries


class Patience:
    """Store calls of one followed job that wait out a Redis outage (see the module docstring)."""

    def __init__(self, turn: Turn, job: JobRecord) -> None:
        self.turn, self.job = turn, job
        self.told = False
        self.waited = 0.0  # seconds spent waiting for Redis (not counted against the render)

    async def __call__[T](self, call: Callable[[], Awaitable[T]]) -> T:
        wait, waited = OUTAGE_FIRST_WAIT, 0.0
        limit = self.turn.settings.render_timeout_seconds
        while True:
            try:
                return await call()
            except StoreUnavailable as exc:
                if waited >= limit:
                    raise
                if not self.told:
                    self.told = True
                    await quietly(self.turn.send(self.turn.t("export.memory_lost")))
                log.warning(
                    "Redis unreachable while following %s (%s); retrying in %.1f s",
                    self.job.render_id, str(exc)[:120], wait,
                )
                await asyncio.sleep(wait)
                waited += wait
                self.waited += wait
                wait = min(wait * 2, OUTAGE_MAX_WAIT)


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
    patience = Patience(turn, job)
    try:
        if not (job.status == "completed" and job.url):
            outcome = await _poll(turn, job, progress, patience)
            if outcome is not None:
                return outcome
        return await deliver(turn, job, progress, patience)
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


async def _poll(
    turn: Turn, job: JobRecord, progress: StreamingMessage, patience: Patience
) -> Outcome | None:
    settings, store, owner = turn.settings, turn.store, turn.services.owner
    interval = settings.render_poll_seconds
    deadline = time.monotonic() + settings.render_timeout_seconds
    shown = ""
    pace: float | None = None
    pace_read = False
    while True:
        left = deadline + patience.waited - time.monotonic()  # waiting for Redis does not count
        if left <= 0:
            log.warning("render %s timed out", job.render_id)
            job.error = "timeout"
            await patience(lambda: store.jobs.save(job))
            await patience(lambda: store.jobs.finish(job.render_id, "failed"))
            await progress.finish(turn.t("export.timeout"))
            return Outcome.GAVE_UP
        await asyncio.sleep(min(interval, left))
        interval = min(interval * BACKOFF, settings.render_poll_max_seconds)
        if not await patience(lambda: store.leases.claim(job.render_id, owner, turn.services.lease_seconds)):
            log.info("render %s is being delivered by another process", job.render_id)
            await progress.close()
            return Outcome.GAVE_UP
        try:
            state = await patience(lambda: turn.nemo.poll_render(job.render_id))
        except TRANSIENT as exc:
            log.info("poll of %s failed (%s); polling again", job.render_id, type(exc).__name__)
            continue
        except RenderFailed as exc:
            return await _failed(turn, job, str(exc), patience)
        job.progress = max(0, min(100, int(state.progress or 0)))
        if state.status == "failed":
            return await _failed(turn, job, state.error or "failed", patience)
        elapsed = state.elapsed_seconds if state.elapsed_seconds is not None else time.time() - job.created
        if state.status == "completed" and state.url:
            job.status, job.url, job.progress = "completed", state.url, 100
            await patience(lambda: store.jobs.save(job))
            await _learn_pace(turn, job, elapsed)
            return None
        job.status = "processing" if state.status == "processing" or job.progress > 0 else "pending"
        remember_message(job, progress)
        await patience(lambda: store.jobs.save(job))
        if state.eta_seconds is None and not pace_read:  # a backend without estimates: the learnt pace
            pace_read = True
            with contextlib.suppress(StoreError):
                pace = await store.paces.median()
        seconds_left = eta.estimate(progress=job.progress, elapsed=elapsed, backend_eta=state.eta_seconds,
                                    pace=pace, video_seconds=job.video_seconds)
        if job.progress > 0:
            text = eta.progress_text(turn.lang, job.progress, seconds_left)
        elif seconds_left is not None:
            text = turn.t("export.rendering_eta", eta=eta.say_eta(turn.lang, seconds_left))
        else:
            text = ""
        if text and text != shown:
            shown = text
            await progress.update(text)


async def _learn_pace(turn: Turn, job: JobRecord, elapsed: float) -> None:
    """Remember how long this render took per second of video (estimates for the next ones)."""
    if job.video_seconds and elapsed > 0:
        with contextlib.suppress(StoreError):
            await turn.store.paces.record(elapsed / job.video_seconds)


def remember_message(job: JobRecord, progress: StreamingMessage) -> None:
    """Keep the progress message's ref in the job, for a restarted bot to edit it."""
    refs = progress.refs
    if refs and job.message_id != refs[0].id:
        job.message_id, job.message_chat = refs[0].id, refs[0].chat_id


def saved_message(job: JobRecord) -> MessageRef | None:
    """The progress message a previous process sent for `job` (None: none was recorded)."""
    return MessageRef(id=job.message_id, chat_id=job.message_chat) if job.message_id else None


async def _failed(turn: Turn, job: JobRecord, error: str, patience: Patience) -> Outcome:
    log.warning("render %s failed: %s", job.render_id, error)
    job.status, job.error = "failed", error[:200]
    await patience(lambda: turn.store.jobs.save(job))
    await patience(lambda: turn.store.jobs.finish(job.render_id, "failed"))
    return Outcome.FAILED


def caption_for(turn: Turn, video: VideoFile, url: str | None) -> str:
    """"🎬 Your video (12s, 1920×1080)" and the link (a public one only), within the caption limit."""
    limit = turn.reply.limits.max_caption
    caption = turn.t(
        "export.caption", duration=f"{video.duration:.0f}", width=video.width, height=video.height
    )
    if url := public_url(url):
        with_link = f"{caption}\n{turn.t('export.caption_link', url=url)}"
        if len(with_link) <= limit:
            return with_link
    return caption[:limit]


async def deliver(
    turn: Turn, job: JobRecord, progress: StreamingMessage, patience: Patience | None = None
) -> Outcome:
    """Download, probe and send the finished MP4 (or a link when it is too large); once.

    "✅ Video ready!" is said only once the video is out: the progress message reads "📤 Sending
    the video…" meanwhile and becomes "✅ Video ready!" after the platform took the file. Every
    fallback (a link, the download failing) is written into that same message first; a new message
    is sent only when it cannot be edited. A link is shown only when it is public
    (`common.urls.public_url`): never the embedded studio's 127.0.0.1 address.
    """
    store, reply, owner = turn.store, turn.reply, turn.services.owner
    patience = patience or Patience(turn, job)
    out_dir = turn.services.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    assert job.url is not None
    await progress.update(turn.t("export.sending"))
    try:
        path = await turn.nemo.download(job.url, job.render_id, out_dir / f"{job.render_id}.mp4")
    except NemoError as exc:
        log.warning("download of %s failed: %s", job.render_id, exc)
        job.error = "download failed"
        await patience(lambda: store.jobs.save(job))
        await patience(lambda: store.jobs.finish(job.render_id, "failed"))
        await progress.finish(turn.t("export.download_failed"))
        return Outcome.GAVE_UP
    if not await patience(lambda: store.leases.claim(job.render_id, owner, turn.services.lease_seconds)):
        log.info("render %s was taken over by another process during the download", job.render_id)
        await progress.close()
        return Outcome.GAVE_UP
    url = public_url(job.url)
    size_mb = f"{path.stat().st_size / (1024 * 1024):.0f}"
    fallback = (
        turn.t("export.link", size=size_mb, url=url) if url else turn.t("export.too_large", size=size_mb)
    )
    limit = reply.limits.max_video_bytes
    try:
        video = (await probe_video(path, out_dir)).model_copy(update={"url": url})
    except Exception as exc:  # a file we cannot probe still reaches the user, as a link
        log.warning("probe of %s failed: %s", job.render_id, type(exc).__name__)
        await progress.finish(fallback)
    else:
        if limit is not None and video.size > limit:
            await progress.finish(fallback)
        else:
            try:
                async with turn.activity("upload_video"):  # "sending video…" only while it uploads
                    await reply.send_video(video, caption_for(turn, video, url), buttons=turn.quick_buttons())
            except DeliveryError as exc:
                log.warning("platform refused the video %s (%s); saying so", job.render_id, exc)
                refused = turn.t("export.not_sent", url=url) if url else turn.t("export.not_sent_no_link")
                await progress.finish(refused)
            else:
                await progress.finish(turn.t("export.ready"))
    await patience(lambda: store.jobs.finish(job.render_id, "delivered"))
    await patience(lambda: store.leases.release(job.render_id, owner))
    log.info("render %s delivered to %s", job.render_id, turn.user_key)
    return Outcome.DELIVERED
