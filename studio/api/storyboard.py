"""`GET /api/storyboard/nemo_agent/me/{sid}/latest`: a preview of the session's current draft.

The answer is one JPEG (`image/jpeg`): a contact sheet of the planned shots with their times and
texts (`studio.render.storyboard`), made in about two seconds without encoding video. Errors are
the studio's JSON envelopes: 1002 / HTTP 404 for an unknown session, 4040 / HTTP 404 while the
session has no draft yet, 422 when a file of the draft is gone or cannot be read.

Sheets are cached by the draft's render digest (the same key export reuse uses) under the media
folder, so asking twice for an unchanged draft costs nothing; at most two are made at once.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from studio.api import errors
from studio.api.renders import Renders, draft_ready, render_digest
from studio.api.sessions import Session
from studio.api.state import load_state

log = logging.getLogger(__name__)

_LIMITS: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def _limit() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _LIMITS:
        _LIMITS.clear()  # one studio runs one loop; tests start a new one per test
        _LIMITS[loop] = asyncio.Semaphore(2)
    return _LIMITS[loop]


def no_draft() -> errors.ApiError:
    return errors.ApiError(
        4040, "There is no video draft in this session yet: describe the video first.", status=404
    )


def _make(draft: dict[str, object], assets: dict[str, str], path: Path) -> bytes:
    from studio.render.render import RenderError
    from studio.render.storyboard import storyboard

    try:
        data = storyboard(draft, {k: Path(v) for k, v in assets.items()})
    except RenderError as exc:
        raise errors.invalid_request(f"The preview could not be made: {exc}.") from None
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


async def storyboard_jpeg(renders: Renders, session: Session) -> bytes:
    state = await load_state(renders.redis, session.session_id)
    draft = state.draft
    if draft is None or not draft_ready(draft):
        raise no_draft()
    assets, problem = await renders._assets(session.user_id, draft)
    if problem:
        raise errors.invalid_request(problem)
    digest = await asyncio.to_thread(render_digest, draft, assets)
    folder = renders.store.user_dir(session.user_id) / "storyboards"
    path = folder / f"{digest[:32]}.jpg"
    if await asyncio.to_thread(path.is_file):
        return await asyncio.to_thread(path.read_bytes)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    async with _limit():
        return await asyncio.to_thread(_make, draft, assets, path)
