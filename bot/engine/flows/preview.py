"""The storyboard: one picture of the draft's planned shots with their texts (issue 10, "Preview
before export"), made by the backend (docs/studio.md, "Storyboard") and shown with the Reply's
image operation where the channel shows images (`ChannelLimits.supports_images`).

    after_edit(turn)   after a turn that changed the draft (VIDEOBOT_STORYBOARD_AFTER_EDIT), once,
                       after the streamed answer is final; anything in the way (no route on this
                       backend, no draft, a failure, the deadline): nothing is shown, nothing said
    show(turn)         "preview" / "storyboard" / "预览" / /preview: the picture with an Export
                       button; no draft yet: say so; a backend or channel without pictures: the
                       timeline in words, as /status says it

The backend gets VIDEOBOT_STORYBOARD_TIMEOUT_SECONDS to answer; later, the picture is skipped
(logged), so the conversation never waits on it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.backend.models import Storyboard
from bot.channel.events import Button, ImageFile
from bot.engine.flows import info
from bot.engine.flows.context import Turn

log = logging.getLogger(__name__)

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


async def after_edit(turn: Turn) -> bool:
    """The storyboard after a turn that changed the draft; True when it was shown."""
    if not turn.settings.storyboard_after_edit or not turn.reply.limits.supports_images:
        return False
    return await _send(turn, turn.t("preview.caption"), buttons=None)


async def show(turn: Turn) -> None:
    """The user asked to see the plan."""
    draft = await turn.draft()
    await turn.tell_if_session_renewed()
    if draft is None or not draft.exportable:
        await turn.say("preview.nothing")
        return
    if turn.reply.limits.supports_images and await _send(
        turn, turn.t("preview.caption"), buttons=turn.export_button()
    ):
        return
    await info.status(turn)  # no picture here: the plan in words


async def fetch(turn: Turn) -> Storyboard | None:
    """The backend's storyboard within the deadline; None when there is none or it came too late."""
    limit = turn.settings.storyboard_timeout_seconds
    started = time.monotonic()
    try:
        async with asyncio.timeout(limit):
            board = await turn.nemo.storyboard(within=limit)
    except TimeoutError:
        log.info("storyboard for %s skipped: no answer within %.1f s", turn.user_key, limit)
        return None
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a preview is never worth an error
        log.info("storyboard for %s unavailable: %s", turn.user_key, type(exc).__name__)
        return None
    if board is not None:
        took = time.monotonic() - started
        log.info("storyboard for %s: %d bytes in %.2f s", turn.user_key, board.size, took)
    return board


async def _send(turn: Turn, caption: str, *, buttons: list[Button] | None) -> bool:
    board = await fetch(turn)
    if board is None:
        return False
    limit = turn.reply.limits.max_image_bytes
    if limit is not None and board.size > limit:
        log.info("storyboard for %s not shown: %d bytes, the chat takes %d", turn.user_key, board.size, limit)
        return False
    image = ImageFile(
        filename=f"storyboard.{_EXTENSIONS.get(board.mime, 'jpg')}",
        data=board.image,
        mime=board.mime,
        width=board.width,
        height=board.height,
    )
    if not turn.reply.limits.supports_buttons:
        buttons = None
    try:
        await turn.reply.send_image(image, caption, buttons=buttons)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.info("storyboard for %s not delivered: %s", turn.user_key, type(exc).__name__)
        return False
    return True
