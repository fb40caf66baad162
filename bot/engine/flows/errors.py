"""Every failure a turn can end with, as one friendly line (never a traceback, never a token)."""

from __future__ import annotations

import logging

from bot import metrics
from bot.backend.errors import (
    BackendUnavailable,
    ExportNotAllowed,
    FileTooLarge,
    NemoError,
    OutOfCredits,
    RateLimited,
    TokenInvalid,
    UnsupportedFile,
)
from bot.channel.uploads import too_large
from bot.engine.flows.context import Turn
from bot.engine.flows.upload import accepted_types
from bot.state.store import StoreUnavailable

log = logging.getLogger(__name__)


async def explain(turn: Turn, exc: BaseException) -> str:
    """The line to show for `exc` (logged here, with a traceback when unexpected)."""
    if isinstance(exc, StoreUnavailable):
        log.warning("store unavailable during a turn of %s: %s", turn.user_key, exc)
        return turn.t("memory")
    if isinstance(exc, NemoError):
        metrics.backend_error(exc)
        log.warning("backend error %s (%s) for %s: %s", type(exc).__name__, exc.code, turn.user_key, exc)
        return await _backend(turn, exc)
    log.error("unexpected error in a turn of %s", turn.user_key, exc_info=exc)
    return turn.t("error.generic")


async def _backend(turn: Turn, exc: NemoError) -> str:
    try:
        if isinstance(exc, TokenInvalid):
            rec = await turn.store.users.get(turn.user_key)
            return turn.t("token.refused" if rec.own_token else "token.refused_operator")
        if isinstance(exc, OutOfCredits):
            if await turn.uses_anonymous_token():
                return turn.t("credits.out_anon", url=await turn.registration_url())
            return turn.t("credits.out_registered", url=turn.settings.web_url)
        if isinstance(exc, ExportNotAllowed):
            return turn.t("export.not_allowed", url=await turn.registration_url())
    except StoreUnavailable:
        return turn.t("memory")
    if isinstance(exc, RateLimited):
        return turn.t("rate_limited")
    if isinstance(exc, BackendUnavailable):
        return turn.t("backend_down")
    if isinstance(exc, UnsupportedFile):
        return turn.t("upload.unsupported", name="?", types=accepted_types(turn))
    if isinstance(exc, FileTooLarge):
        return too_large(turn.lang, "?", None, turn.settings.max_upload_mb)
    return turn.t("error.generic")
