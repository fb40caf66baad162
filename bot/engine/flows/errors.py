"""Every failure a turn can end with, as one friendly line (never a traceback, never a token)."""

from __future__ import annotations

import logging
import re

from bot import metrics
from bot.backend.errors import (
    BackendUnavailable,
    DraftRefused,
    ExportNotAllowed,
    FileRefused,
    FileTooLarge,
    NemoError,
    OutOfCredits,
    RateLimited,
    RequestTooLarge,
    TokenInvalid,
)
from bot.backend.models import RejectedFile
from bot.channel.uploads import backend_refusal, too_large
from bot.engine.flows.context import Turn
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
    if isinstance(exc, FileTooLarge):
        return too_large(turn.lang, "?", None, turn.settings.max_upload_mb)
    if isinstance(exc, FileRefused):
        first = exc.rejected[0] if exc.rejected else RejectedFile(filename="?", code=exc.code)
        return backend_refusal(turn.lang, first, limit_mb=turn.settings.max_upload_mb)
    if isinstance(exc, RequestTooLarge):
        return turn.t("chat.too_long", length="?", limit=turn.settings.max_message_chars)
    if isinstance(exc, DraftRefused):
        return draft_refusal(turn, exc)
    return turn.t("error.generic")


def draft_refusal(turn: Turn, exc: DraftRefused) -> str:
    """4008 (too large) / 4009 (too long, with the studio's limit when it names one)."""
    if exc.code == 4009:
        limit = re.search(r"limit is (\d+:\d\d)", exc.message)
        return turn.t("export.video_too_long", limit=limit.group(1) if limit else "5:00")
    return turn.t("export.draft_too_large")
