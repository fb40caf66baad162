"""Export: draft → render job (in Redis BEFORE the submit call) → poll → MP4 delivered.

"⏳ Rendering..." → "⏳ 50%" → "✅ Video ready!" + the file. One export at a time per session; a
failed render is retried once with a new id; 402 → the free plan cannot export (registration
link). `resume_job` finishes a job a previous process left behind, never submitting it again
when its render id may have reached the backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time

from bot.backend.errors import ExportNotAllowed, NemoError
from bot.channel.streaming import StreamingMessage
from bot.draft.models import Draft
from bot.engine.flows import delivery
from bot.engine.flows.context import Turn
from bot.engine.flows.delivery import TRANSIENT, Outcome
from bot.engine.turns import cancelled_by_user
from bot.state.quotas import seconds_to_midnight
from bot.state.store import JobRecord, StoreError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2


def new_render_id() -> str:
    """`render_<unix ms>_<random>`: the idempotency key of one render, unique across bot processes
    (many users export in the same millisecond on a busy deployment; the job key is the id)."""
    return f"render_{int(time.time() * 1000)}_{secrets.token_hex(3)}"


async def export(turn: Turn) -> None:
    snapshot = await turn.nemo.state()
    await turn.tell_if_session_renewed()
    draft = Draft.read(snapshot.draft)
    if draft is None or not draft.exportable:
        await turn.say("export.not_ready")
        return
    session_id = snapshot.session_id
    if not session_id:
        session_id = (await turn.store.users.get(turn.user_key)).session_id
    if await _export_running(turn, session_id):
        await turn.say("export.busy")
        return
    if not await _within_quota(turn):
        return
    progress = StreamingMessage(turn.reply)
    await progress.update(turn.t("export.rendering"))
    # no chat action while it renders (the progress message says how it goes); "sending video…"
    # only while the file is uploaded (delivery.deliver)
    await render(turn, draft, session_id, progress, attempt=1)


async def _within_quota(turn: Turn) -> bool:
    """The operator's per-user limits (admins have none); False when one was hit (and said)."""
    settings = turn.settings
    if turn.services.access.is_admin(turn.user_key):
        return True
    fresh_after = time.time() - settings.render_timeout_seconds
    running = sum(1 for job in await turn.store.jobs.active()
                  if job.user_key == turn.user_key and job.updated >= fresh_after)
    if running >= settings.concurrent_renders:
        await turn.say("quota.concurrent", running=running)
        return False
    limit = settings.renders_per_day
    if limit and await turn.store.quotas.renders_today(turn.user_key) >= limit:
        hours = max(1, round(seconds_to_midnight() / 3600))
        await turn.say("quota.daily", limit=limit, hours=hours)
        return False
    return True


async def _export_running(turn: Turn, session_id: str | None) -> bool:
    """Another export of this session is still being followed (by any process)."""
    fresh_after = time.time() - turn.settings.render_timeout_seconds
    for job in await turn.store.jobs.active():
        if job.user_key == turn.user_key and job.session_id == session_id and job.updated >= fresh_after:
            return True
    return False


async def render(
    turn: Turn, draft: Draft, session_id: str | None, progress: StreamingMessage, *, attempt: int
) -> bool:
    """Submit and follow renders of `draft` (a failed one retried once with a new id)."""
    while True:
        job = JobRecord(
            render_id=new_render_id(),
            user_key=turn.user_key,
            chat=turn.chat,
            session_id=session_id,
            status="submitting",
            attempts=attempt,
            language=turn.lang,
            video_seconds=draft.total / 1000 if draft.total else None,
        )
        await turn.store.leases.claim(job.render_id, turn.services.owner, turn.services.lease_seconds)
        await turn.store.jobs.save(job)  # before the submit call: a crash now is resumable
        if not await _submit(turn, job, draft, progress):
            return False
        outcome = await delivery.follow(turn, job, progress)
        if outcome is Outcome.DELIVERED:
            return True
        if outcome is Outcome.GAVE_UP:
            return False
        if attempt >= MAX_ATTEMPTS:
            await progress.finish(turn.t("export.failed"))
            return False
        attempt += 1
        await progress.update(turn.t("export.retrying"))


async def _submit(turn: Turn, job: JobRecord, draft: Draft, progress: StreamingMessage) -> bool:
    try:
        await turn.nemo.submit_render(draft.wire, job.render_id)  # the draft as the backend sent it
    except ExportNotAllowed:
        await turn.store.jobs.finish(job.render_id, "failed")
        await progress.finish(turn.t("export.not_allowed", url=await turn.registration_url()))
        return False
    except asyncio.CancelledError:
        if cancelled_by_user():
            await asyncio.shield(turn.store.jobs.finish(job.render_id, "cancelled"))
        raise  # shutdown: the job stays "submitting" and the next start checks it once
    except BaseException:
        await progress.close()
        await turn.store.jobs.finish(job.render_id, "failed")
        raise
    job.status = "pending"
    await turn.store.jobs.save(job)
    if job.attempts == 1:  # the export counts once, its retry with a new id does not
        with contextlib.suppress(StoreError):  # a count lost to an outage is not worth the render
            await turn.store.quotas.count_render(turn.user_key)
    return True


async def resume_job(turn: Turn, job: JobRecord) -> bool:
    """Finish a job left by a previous process; True when the video was delivered."""
    # the "⏳ Rendering…" message the stopped process sent is edited on (a new one if it cannot be)
    progress = StreamingMessage(turn.reply, existing=delivery.saved_message(job))
    await progress.update(turn.t("export.resumed"))
    if job.status == "submitting":  # a crash between the write and the submit: ask the backend once
        try:
            await turn.nemo.poll_render(job.render_id)
        except TRANSIENT as exc:
            log.info("cannot check render %s now (%s); left for later", job.render_id, type(exc).__name__)
            await progress.finish(turn.t("backend_down"))
            return False
        except NemoError:
            log.info("render %s never reached the backend", job.render_id)
            await turn.store.jobs.finish(job.render_id, "failed")
            await progress.finish(turn.t("export.resume_lost"), buttons=turn.export_button())
            return False
    outcome = await delivery.follow(turn, job, progress)
    if outcome is not Outcome.FAILED:
        return outcome is Outcome.DELIVERED
    if job.attempts >= MAX_ATTEMPTS:
        await progress.finish(turn.t("export.failed"))
        return False
    draft = await turn.draft()
    if draft is None or not draft.exportable:
        await progress.finish(turn.t("export.failed"))
        return False
    await progress.update(turn.t("export.retrying"))
    return await render(turn, draft, job.session_id, progress, attempt=job.attempts + 1)
