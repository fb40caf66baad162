"""`POST /api/upload-video/nemo_agent/me/<sid>`: files in, assets out.

Multipart bodies are parsed as they stream in (python-multipart's push parser fed from
`request.stream()`), each `files` part going through a `FileSink`; memory stays flat whatever the
size. The first refused file (type, size) refuses the whole request and deletes what this
request had already stored. Accepted files are probed, recorded as assets
(`studio:asset:<id>`) and appended to the session state.
"""

from __future__ import annotations

import secrets
from typing import Any

import redis.asyncio as aioredis
from pydantic import BaseModel
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from studio import keys
from studio.api import errors
from studio.api.ingest import FileSink, SavedFile, discard_saved
from studio.api.probe import probe
from studio.api.sessions import Session
from studio.api.state import StateAsset, add_assets
from studio.api.urlfetch import UrlFetcher
from studio.storage import MediaStore

MAX_FILES = 20
FIELD = b"files"


class UrlUpload(BaseModel):
    urls: list[str]
    source_type: str = "url"


class _MultipartReader:
    """Callbacks for python-multipart that route each `files` part into a FileSink."""

    def __init__(self, store: MediaStore, user_id: str, max_bytes: int) -> None:
        self.store = store
        self.user_id = user_id
        self.max_bytes = max_bytes
        self.saved: list[SavedFile] = []
        self.sink: FileSink | None = None
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

    def _header_end(self) -> None:
        self._headers[bytes(self._field).strip().lower()] = bytes(self._value).strip()
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        filename = options.get(b"filename")
        if options.get(b"name") != FIELD or not filename:
            return  # other fields, and empty file inputs, are skipped
        if len(self.saved) >= MAX_FILES:
            raise errors.ApiError(422, f"At most {MAX_FILES} files per upload.", status=422, close=True)
        name = filename.decode("utf-8", "replace")
        self.sink = FileSink(self.store, self.user_id, name, max_bytes=self.max_bytes)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.sink is not None:
            self.sink.write(data[start:end])

    def _part_end(self) -> None:
        if self.sink is not None:
            self.saved.append(self.sink.finish())
            self.sink = None

    def _end(self) -> None:
        self.ended = True

    def abort(self) -> None:
        if self.sink is not None:
            self.sink.discard()
        discard_saved(self.saved)


async def read_multipart(
    request: Request, store: MediaStore, user_id: str, max_bytes: int
) -> list[SavedFile]:
    """Stream the `files` parts of a multipart body to disk; raises ApiError (body left unread)."""
    _, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if not boundary:
        raise errors.ApiError(422, "Expected multipart/form-data with a boundary.", status=422, close=True)
    reader = _MultipartReader(store, user_id, max_bytes)
    try:
        parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
        async for chunk in request.stream():
            if chunk:
                parser.write(chunk)
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
    if not reader.saved:
        raise errors.invalid_request("No files: send them in the multipart field 'files'.")
    return reader.saved


async def fetch_urls(
    fetcher: UrlFetcher, store: MediaStore, user_id: str, urls: list[str], max_bytes: int
) -> list[SavedFile]:
    """Download each URL through the guarded fetcher; all or nothing."""
    if not urls or len(urls) > MAX_FILES:
        raise errors.invalid_request(f"Send 1 to {MAX_FILES} URLs.")
    saved: list[SavedFile] = []

    def new_sink(name: str) -> FileSink:
        return FileSink(store, user_id, name, max_bytes=max_bytes)

    try:
        for url in urls:
            saved.append(await fetcher.fetch(url, new_sink))
    except BaseException:
        discard_saved(saved)
        raise
    return saved


async def register_files(
    redis: aioredis.Redis, store: MediaStore, session: Session, saved: list[SavedFile], base_url: str
) -> list[dict[str, Any]]:
    """Probe the stored files, record them as assets of the session; the API's `files` list."""
    assets: list[StateAsset] = []
    answer: list[dict[str, Any]] = []
    for f in saved:
        info = await probe(f.path, f.filetype.kind)
        asset = StateAsset(
            id="a_" + secrets.token_hex(8),
            kind=f.filetype.kind,
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
