"""`POST /api/upload-video/nemo_agent/me/<sid>`: files in, assets out.

Multipart bodies are parsed as they stream in (python-multipart's push parser fed from
`request.stream()`), each `files` part going through a `FileSink`; memory stays flat whatever the
size. Each file is judged on its own: a refused one (type 4001 and size 4002 while it streams;
damaged 4003, too many pixels 4004, too long 4005 once it is complete, `studio.api.probe.verify`)
is deleted and named in the answer's `rejected` list, and the others are kept. The bytes of a
refused part are skipped, up to `DISCARD_BYTES`; a refused part longer than that stops the reading
there (the answer goes out at once and the connection is closed), so nobody can make the studio
read a gigabyte it has refused. Only when no file is kept is the whole request an error. More
files than `max_files_per_upload` refuse the whole request (4006). Accepted files are recorded as
assets (`studio:asset:<id>`) and appended to the session state.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import redis.asyncio as aioredis
from pydantic import BaseModel
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from common.imagecheck import ImageChecker
from studio import keys
from studio.api import errors
from studio.api.errors import FileRejection
from studio.api.ingest import FileSink, SavedFile, discard_saved
from studio.api.probe import Limits, MediaInfo, verify
from studio.api.sessions import Session
from studio.api.state import StateAsset, add_assets
from studio.api.urlfetch import UrlFetcher
from studio.storage import MediaStore, display_name

FIELD = b"files"
DISCARD_BYTES = errors.DRAIN_BYTES  # bytes of one refused part skipped to reach the next part


class UrlUpload(BaseModel):
    urls: list[str]
    source_type: str = "url"


@dataclass
class Received:
    """What an upload request brought: files stored, files refused, and whether the body was read
    to its end (else the answer closes the connection)."""

    saved: list[SavedFile] = field(default_factory=list)
    rejected: list[FileRejection] = field(default_factory=list)
    complete: bool = True


class _StopReading(Exception):
    """A refused part went on past DISCARD_BYTES: answer with what is in hand."""


class _MultipartReader:
    """Callbacks for python-multipart that route each `files` part into a FileSink."""

    def __init__(self, store: MediaStore, user_id: str, max_bytes: int, max_files: int) -> None:
        self.store = store
        self.user_id = user_id
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.got = Received()
        self.sink: FileSink | None = None
        self.position = -1  # of the current `files` part
        self.skipping = False  # the current part was refused: its bytes are thrown away
        self.discarded = 0
        self.ended = False
        self._headers: dict[bytes, bytes] = {}
        self._field = bytearray()
        self._value = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._headers = {}
        self.sink = None
        self.skipping = False
        self.discarded = 0

    def _header_end(self) -> None:
        self._headers[bytes(self._field).strip().lower()] = bytes(self._value).strip()
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        filename = options.get(b"filename")
        if options.get(b"name") != FIELD or not filename:
            return  # other fields, and empty file inputs, are skipped
        if len(self.got.saved) + len(self.got.rejected) >= self.max_files:
            raise errors.too_many_files(self.max_files)
        name = filename.decode("utf-8", "replace")
        self.position += 1
        self.sink = FileSink(self.store, self.user_id, name, max_bytes=self.max_bytes)

    def _refuse(self, sink: FileSink, exc: errors.ApiError) -> None:
        self.got.rejected.append(errors.rejection(sink.name, exc, position=self.position))
        self.sink = None
        self.skipping = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.skipping:
            self.discarded += end - start
            if self.discarded > DISCARD_BYTES:
                raise _StopReading
        elif self.sink is not None:
            try:
                self.sink.write(data[start:end])
            except errors.ApiError as exc:  # wrong type or too large: this file only
                self._refuse(self.sink, exc)

    def _part_end(self) -> None:
        if self.sink is not None:
            try:
                self.got.saved.append(self.sink.finish().model_copy(update={"position": self.position}))
            except errors.ApiError as exc:  # too short to be any accepted type
                self._refuse(self.sink, exc)
        self.sink = None
        self.skipping = False

    def _end(self) -> None:
        self.ended = True

    def abort(self) -> None:
        if self.sink is not None:
            self.sink.discard()
        discard_saved(self.got.saved)


async def read_multipart(
    request: Request, store: MediaStore, user_id: str, max_bytes: int, max_files: int
) -> Received:
    """Stream the `files` parts of a multipart body to disk; raises ApiError (body left unread)."""
    _, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if not boundary:
        raise errors.ApiError(422, "Expected multipart/form-data with a boundary.", status=422, close=True)
    reader = _MultipartReader(store, user_id, max_bytes, max_files)
    try:
        parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
        async for chunk in request.stream():
            if chunk:
                parser.write(chunk)
    except _StopReading:
        reader.got.complete = False
        return reader.got
    except errors.ApiError:
        reader.abort()
        raise
    except ClientDisconnect:
        reader.abort()
        raise
    except Exception:  # a malformed body: nothing of this request is kept
        reader.abort()
        raise errors.ApiError(422, "Malformed multipart body.", status=422, close=True) from None
    if not reader.ended:
        reader.abort()
        raise errors.invalid_request("Malformed multipart body (no closing boundary).")
    if not reader.got.saved and not reader.got.rejected:
        raise errors.invalid_request("No files: send them in the multipart field 'files'.")
    return reader.got


def url_name(url: str) -> str:
    """A display name for a URL before anything was downloaded: its path's last part, or its host."""
    try:
        parts = urlsplit(url)
        last = unquote(parts.path.rsplit("/", 1)[-1])
        return display_name(last or parts.hostname or url[:60], fallback="download")
    except ValueError:
        return display_name(url[:60], fallback="download")


async def fetch_urls(
    fetcher: UrlFetcher, store: MediaStore, user_id: str, urls: list[str], max_bytes: int, max_files: int
) -> Received:
    """Download each URL through the guarded fetcher; a URL that fails is named in `rejected`."""
    if not urls:
        raise errors.invalid_request("Send at least one URL.")
    if len(urls) > max_files:
        raise errors.too_many_files(max_files)
    got = Received()

    def new_sink(name: str) -> FileSink:
        return FileSink(store, user_id, name, max_bytes=max_bytes)

    try:
        for n, url in enumerate(urls):
            try:
                got.saved.append((await fetcher.fetch(url, new_sink)).model_copy(update={"position": n}))
            except errors.ApiError as exc:
                got.rejected.append(errors.rejection(url_name(url), exc, url=url, position=n))
    except BaseException:
        discard_saved(got.saved)
        raise
    return got


async def verify_files(
    saved: list[SavedFile], limits: Limits, checker: ImageChecker
) -> tuple[list[tuple[SavedFile, MediaInfo]], list[FileRejection]]:
    """Each stored file verified (`studio.api.probe.verify`); the refused ones are deleted."""
    kept: list[tuple[SavedFile, MediaInfo]] = []
    refused: list[FileRejection] = []
    try:
        for f in saved:
            try:
                kept.append((f, await verify(f.path, f.filetype.kind, f.name, limits, checker)))
            except errors.ApiError as exc:
                f.path.unlink(missing_ok=True)
                refused.append(errors.rejection(f.name, exc, position=f.position))
    except BaseException:  # cancelled (the client went away): nothing of this request is kept
        discard_saved(saved)
        raise
    return kept, refused


async def register_files(
    redis: aioredis.Redis, store: MediaStore, session: Session, files: list[tuple[SavedFile, MediaInfo]],
    base_url: str,
) -> list[dict[str, Any]]:
    """Record verified files as assets of the session; the API's `files` list."""
    assets: list[StateAsset] = []
    answer: list[dict[str, Any]] = []
    for f, info in files:
        asset = StateAsset(
            id="a_" + secrets.token_hex(8),
            kind=info.kind,
            name=f.name,
            width=info.width,
            height=info.height,
            duration_ms=info.duration_ms,
            url=store.url_path(f.path),
        )
        await redis.hset(keys.asset(asset.id), mapping={
            "user_id": session.user_id, "session_id": session.session_id, "path": str(f.path),
            "kind": asset.kind, "name": asset.name, "size": f.size,
        })
        await redis.expire(keys.asset(asset.id), keys.ACCOUNT_TTL)
        assets.append(asset)
        item: dict[str, Any] = {"filename": f.name, "file_type": asset.kind, "cdn_url": base_url + asset.url,
                                "asset_id": asset.id}
        if info.duration is not None:
            item["duration"] = info.duration
        if info.width is not None and info.height is not None:
            item["width"], item["height"] = info.width, info.height
        answer.append(item)
    await add_assets(redis, session.session_id, assets)
    return answer
