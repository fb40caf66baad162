"""Upload: files checked by content and size before a byte is sent, an album as one upload call and
one acknowledgement, links (pasted in the text or as `Attachment.url`) as a URL upload.

"📥 Got 3 photos — uploading…" → "✅ 3 photos added to your project."
"""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path

from bot.backend.errors import FileTooLarge, NemoError, UnsupportedFile
from bot.channel.events import Attachment, MessageRef
from bot.channel.media import MediaError, is_voice_note, voice_to_m4a
from bot.channel.uploads import size_refusal, too_large
from bot.engine.flows.context import Turn
from bot.i18n import count, joined
from common.filetype import ACCEPTED_EXTENSIONS, sniff_path

log = logging.getLogger(__name__)

URL_RE = re.compile(r"https?://[^\s<>\"'）】，。]+", re.IGNORECASE)
_NOUN = {"image": "photo", "video": "clip", "audio": "audio"}


def split_urls(text: str) -> tuple[list[str], str]:
    """The links in a message and the text without them."""
    urls = [u.rstrip(".,;:!?)]") for u in URL_RE.findall(text)]
    rest = URL_RE.sub(" ", text)
    return urls, " ".join(rest.split())


def accepted_types(turn: Turn) -> str:
    """"mp4, mov, …" ("mp4、mov、…" in Chinese)."""
    return joined(turn.lang, list(ACCEPTED_EXTENSIONS))


def check_files(turn: Turn, attachments: list[Attachment]) -> tuple[list[Path], list[str], list[str]]:
    """(paths to upload, their kinds, one friendly line per file that cannot be sent)."""
    paths: list[Path] = []
    kinds: list[str] = []
    problems: list[str] = []
    types = accepted_types(turn)
    for att in attachments:
        if att.path is None:
            continue
        name = att.filename or att.path.name
        path = Path(att.path)
        if not path.is_file():
            problems.append(turn.t("upload.missing", name=name))
            continue
        refusal = size_refusal(turn.lang, name, path.stat().st_size, turn.settings.max_upload_mb)
        if refusal is not None:
            problems.append(refusal)
            continue
        kind = sniff_path(path)
        if kind is None:
            problems.append(turn.t("upload.unsupported", name=name, types=types))
            continue
        paths.append(path)
        kinds.append(kind.kind)
    return paths, kinds, problems


def describe(turn: Turn, kinds: list[str], links: int) -> str:
    """"3 photos", "2 photos, 1 clip", "1 link"."""
    parts: list[str] = []
    for kind in ("image", "video", "audio"):
        n = kinds.count(kind)
        if n:
            parts.append(count(turn.lang, _NOUN[kind], n))
    if links:
        parts.append(count(turn.lang, "link", links))
    return joined(turn.lang, parts)


async def upload(turn: Turn, attachments: list[Attachment], urls: list[str], *, prompt_follows: bool) -> bool:
    """Upload the files and links of one message; False when nothing was uploaded."""
    attachments = await _convert_voice_notes(turn, attachments)
    paths, kinds, problems = check_files(turn, attachments)
    if problems:
        await turn.send("\n".join(problems))
        discard(turn, attachments)
        return False
    urls = [a.url for a in attachments if a.url and a.path is None] + urls
    if not paths and not urls:
        return False
    what = describe(turn, kinds, len(urls))
    ack = await turn.send(turn.t("upload.receiving", what=what))
    files_done = False
    try:
        async with turn.activity("typing"):
            if paths:
                await turn.nemo.upload_files(paths)
                files_done = True
            if urls:
                await turn.nemo.upload_urls(urls)
    except (UnsupportedFile, FileTooLarge) as exc:
        await _edit(turn, ack, _refusal(turn, exc, attachments))
        return False
    except Exception as exc:
        files = turn.t("upload.done", what=describe(turn, kinds, 0)) if files_done else ""
        if isinstance(exc, NemoError) and urls and _link_refused(exc):
            log.info("link upload refused for %s: %s", turn.user_key, exc)
            link = turn.t("upload.link_failed", url=", ".join(urls))
            await _edit(turn, ack, f"{files}\n{link}" if files else link)
            return files_done
        # never leave "uploading…" standing; the cause follows as its own line
        await _edit(turn, ack, files or turn.t("upload.failed"))
        raise
    finally:
        discard(turn, attachments)
    await turn.tell_if_session_renewed()
    done = turn.t("upload.done", what=what)
    if not prompt_follows:
        done = f"{done}\n{turn.t('upload.next')}"
    await _edit(turn, ack, done)
    return True


def _link_refused(exc: NemoError) -> bool:
    """The backend could not fetch a link (422 / 400: unreachable, not a file, not media)."""
    return type(exc) is NemoError and exc.status in (400, 404, 415, 422)


def _refusal(turn: Turn, exc: Exception, attachments: list[Attachment]) -> str:
    """The backend refused a file the local checks let through (4001 / 4002)."""
    names = ", ".join(a.filename for a in attachments if a.filename) or "?"
    if isinstance(exc, FileTooLarge):
        return too_large(turn.lang, names, None, turn.settings.max_upload_mb)
    return turn.t("upload.unsupported", name=names, types=accepted_types(turn))


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
