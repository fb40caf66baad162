"""Upload: every file verified before a byte is sent, an album as one upload call and one
acknowledgement, links (pasted in the text or as `Attachment.url`) as a URL upload.

"📥 Got 3 photos — uploading…" → "✅ 2 photos added to your project.\n⚠️ candle.jpg is damaged or
incomplete — …". A file is judged on its own, by content (`common.mediacheck`: type, the pixel
limit from the header before any decode, a decode in a child process, a probe of clips and audio),
against the size, pixel, length and per-message limits; the backend's own refusals (the studio's
`rejected` list, or an upload refused as a whole) are said the same way. A refused file never drops
the others, nor the words that came with it (the engine runs the prompt anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.backend.errors import FileRefused, FileTooLarge, NemoError
from bot.backend.models import RejectedFile, UploadResult
from bot.channel.events import Attachment, MessageRef
from bot.channel.media import MediaError, is_voice_note, voice_to_m4a
from bot.channel.uploads import backend_refusal, problem_refusal, size_refusal, too_large, too_many_files
from bot.engine.flows.context import Turn
from bot.i18n import count, joined
from common.filetype import MediaKind
from common.mediacheck import MediaLimits, verify_file

log = logging.getLogger(__name__)

URL_RE = re.compile(r"https?://[^\s<>\"'）】，。]+", re.IGNORECASE)
_NOUN = {"image": "photo", "video": "clip", "audio": "audio"}


def split_urls(text: str) -> tuple[list[str], str]:
    """The links in a message and the text without them."""
    urls = [u.rstrip(".,;:!?)]") for u in URL_RE.findall(text)]
    rest = URL_RE.sub(" ", text)
    return urls, " ".join(rest.split())


@dataclass
class Checked:
    """What one message's files and links came to after the bot's own checks."""

    paths: list[Path] = field(default_factory=list)  # to upload, in order
    names: list[str] = field(default_factory=list)  # as the user named them
    kinds: list[MediaKind] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # one line per file left out


def media_limits(turn: Turn) -> MediaLimits:
    settings = turn.settings
    return MediaLimits(max_pixels=settings.max_upload_pixels, max_seconds=settings.max_upload_seconds)


async def check_files(turn: Turn, attachments: list[Attachment], urls: list[str]) -> Checked:
    """Judge every file of one message on its own (concurrently), keep the per-message limit."""
    settings = turn.settings
    limit = settings.max_files_per_message
    files = [a for a in attachments if a.path is not None]
    items: list[Attachment | str] = [*files, *urls]
    kept_items, extra = items[:limit], items[limit:]
    out = Checked()
    verdicts = await asyncio.gather(
        *(_check_one(turn, a) for a in kept_items if isinstance(a, Attachment))
    )
    for att, (kind, refusal) in zip([a for a in kept_items if isinstance(a, Attachment)], verdicts,
                                    strict=True):
        if refusal is not None:
            out.refusals.append(refusal)
        elif kind is not None and att.path is not None:
            out.paths.append(Path(att.path))
            out.names.append(att.filename or Path(att.path).name)
            out.kinds.append(kind)
    out.urls = [u for u in kept_items if isinstance(u, str)]
    if extra:
        names = [x if isinstance(x, str) else (x.filename or "?") for x in extra]
        out.refusals.append(too_many_files(turn.lang, names, limit))
    return out


async def _check_one(turn: Turn, att: Attachment) -> tuple[MediaKind | None, str | None]:
    """(the file's kind, None) when usable, else (None, the line refusing it)."""
    assert att.path is not None
    name = att.filename or att.path.name
    path = Path(att.path)
    settings = turn.settings
    try:
        size = (await asyncio.to_thread(path.stat)).st_size
    except OSError:
        return None, turn.t("upload.missing", name=name)
    refusal = size_refusal(turn.lang, name, size, settings.max_upload_mb)
    if refusal is not None:
        return None, refusal
    limits = media_limits(turn)
    try:
        verdict = await verify_file(path, limits, turn.services.checker)
    except OSError:
        return None, turn.t("upload.missing", name=name)
    if verdict.ok:
        return verdict.kind, None
    assert verdict.problem is not None
    log.info("file refused before upload (%s)", verdict.problem.value)
    return None, problem_refusal(turn.lang, name, verdict.problem, width=verdict.width,
                                 height=verdict.height, duration=verdict.duration,
                                 limit_mp=limits.megapixels, limit_seconds=limits.max_seconds)


def describe(turn: Turn, kinds: Sequence[str], links: int) -> str:
    """"3 photos", "2 photos, 1 clip", "1 link"."""
    parts: list[str] = []
    for kind in ("image", "video", "audio"):
        n = kinds.count(kind)
        if n:
            parts.append(count(turn.lang, _NOUN[kind], n))
    if links:
        parts.append(count(turn.lang, "link", links))
    return joined(turn.lang, parts)


@dataclass
class _Kept:
    """What the backend kept of one upload call, and the lines for what it refused."""

    kinds: list[str] = field(default_factory=list)
    links: int = 0
    refusals: list[str] = field(default_factory=list)


async def upload(turn: Turn, attachments: list[Attachment], urls: list[str], *, prompt_follows: bool) -> bool:
    """Upload the usable files and links of one message and say what was added and what was not
    (one message); False when nothing was added."""
    attachments = await _convert_voice_notes(turn, attachments)
    try:
        checked = await check_files(turn, attachments, urls)
    except BaseException:
        discard(turn, attachments)
        raise
    if not checked.paths and not checked.urls:
        discard(turn, attachments)
        if checked.refusals:
            await turn.send("\n".join(checked.refusals))
        return False
    ack = await turn.send(turn.t("upload.receiving", what=describe(turn, checked.kinds, len(checked.urls))))
    kept = _Kept()
    files_done = False
    try:
        async with turn.activity("typing"):
            if checked.paths:
                _add(kept, turn, checked, await _upload_files(turn, checked), links=False)
                files_done = True
            if checked.urls:
                _add(kept, turn, checked, await _upload_urls(turn, checked.urls), links=True)
    except Exception:
        files = turn.t("upload.done", what=describe(turn, kept.kinds, 0)) if files_done and kept.kinds else ""
        # never leave "uploading…" standing; the cause follows as its own line
        await _edit(turn, ack, "\n".join(filter(None, [files or turn.t("upload.failed"), *kept.refusals])))
        raise
    finally:
        discard(turn, attachments)
    await turn.tell_if_session_renewed()
    added = bool(kept.kinds or kept.links)
    lines = [turn.t("upload.done", what=describe(turn, kept.kinds, kept.links))] if added else []
    lines += checked.refusals + kept.refusals
    if not lines:
        lines.append(turn.t("upload.none_added"))
    if added and not prompt_follows:
        lines.append(turn.t("upload.next"))
    await _edit(turn, ack, "\n".join(lines))
    return added


async def _upload_files(turn: Turn, checked: Checked) -> UploadResult | FileRefused:
    try:
        return await turn.nemo.upload_files(checked.paths)
    except FileRefused as exc:  # none kept: each one named when the backend said which
        return exc


async def _upload_urls(turn: Turn, urls: list[str]) -> UploadResult | FileRefused:
    try:
        return await turn.nemo.upload_urls(urls)
    except FileRefused as exc:
        return exc
    except NemoError as exc:
        if not _link_refused(exc):
            raise
        log.info("link upload refused for %s: %s", turn.user_key, exc)
        return FileRefused(exc.message, rejected=[RejectedFile(url=u, code=422) for u in urls])


def _add(
    kept: _Kept, turn: Turn, checked: Checked, answer: UploadResult | FileRefused, *, links: bool
) -> None:
    """Count what the backend kept of one call (files, or links) and word what it refused."""
    limit_mb = turn.settings.max_upload_mb
    if isinstance(answer, FileRefused):
        if answer.rejected:
            kept.refusals += [backend_refusal(turn.lang, r, limit_mb=limit_mb) for r in answer.rejected]
        else:  # the cloud names no file: every one of them was refused
            kept.refusals.append(_whole_refusal(turn, answer, checked.urls if links else checked.names))
        return
    kept.refusals += [backend_refusal(turn.lang, r, limit_mb=limit_mb) for r in answer.rejected]
    if links:
        kept.links += len(answer.files) if answer.files else max(0, len(checked.urls) - len(answer.rejected))
        return
    if answer.files:
        kept.kinds += [f.file_type or "image" for f in answer.files]
    else:  # a backend that answers without a file list: what was sent, minus what it named
        refused = {r.filename for r in answer.rejected}
        kept.kinds += [k for n, k in zip(checked.names, checked.kinds, strict=True) if n not in refused]


def _link_refused(exc: NemoError) -> bool:
    """The backend could not fetch a link (422 / 400: unreachable, not a file, not media)."""
    return type(exc) is NemoError and exc.status in (400, 404, 415, 422)


def _whole_refusal(turn: Turn, exc: FileRefused, names: list[str]) -> str:
    """The backend refused every file and named none (the cloud's 4001 / 4002)."""
    shown = ", ".join(names) or "?"
    if isinstance(exc, FileTooLarge):
        return too_large(turn.lang, shown, None, turn.settings.max_upload_mb)
    return backend_refusal(turn.lang, RejectedFile(filename=shown, code=exc.code),
                           limit_mb=turn.settings.max_upload_mb)


async def _edit(turn: Turn, ref: MessageRef, text: str) -> None:
    try:
        await turn.reply.edit_text(ref, text)
    except Exception as exc:  # the acknowledgement is gone or refused: say it anew
        log.debug("acknowledgement edit failed (%s); sending anew", type(exc).__name__)
        await turn.reply.send_text(text)


async def _convert_voice_notes(turn: Turn, attachments: list[Attachment]) -> list[Attachment]:
    """Voice notes arrive as Ogg, which the backend does not take: send them as AAC (.m4a)."""
    out: list[Attachment] = []
    for att in attachments:
        if att.path is not None and is_voice_note(Path(att.path)):
            try:
                m4a = await voice_to_m4a(Path(att.path), turn.settings.data_dir / "tmp" / "voice")
            except MediaError as exc:
                log.info("voice note not converted: %s", exc)
            else:
                discard(turn, [att])
                att = att.model_copy(update={"path": m4a, "filename": m4a.name, "kind": "audio",
                                             "size": m4a.stat().st_size})
        out.append(att)
    return out


def discard(turn: Turn, attachments: list[Attachment]) -> None:
    """Delete downloaded files the adapter handed over (only those under the data dir's scratch
    area, never the user's own files on a terminal, never outputs)."""
    root = turn.settings.data_dir.resolve()
    keep = (root / "out", root / "studio", root / "redis")
    for att in attachments:
        if att.path is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            path = Path(att.path).resolve()
            if path.is_relative_to(root) and not any(path.is_relative_to(k) for k in keep):
                path.unlink(missing_ok=True)
