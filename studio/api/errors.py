"""The studio's API errors and JSON envelopes.

    ApiError                   any refusal; `.code` is the spec's numeric code, `.status` the HTTP status
    ├── token_invalid()        1001, HTTP 401
    ├── session_not_found()    1002, HTTP 404
    ├── client_proof_required() 1003, HTTP 403 (a known client id asked for a token without proof)
    ├── out_of_credits()       2001, HTTP 200 (body code: the spec's first form)
    ├── unsupported_file()     4001, HTTP 200 ┐
    ├── file_too_large()       4002, HTTP 200 │ one file refused: an entry of `rejected` when other
    ├── file_damaged()         4003, HTTP 200 │ files of the upload were kept, the whole answer
    ├── too_many_pixels()      4004, HTTP 200 │ when none was (see `upload_refused`)
    ├── media_too_long()       4005, HTTP 200 │
    ├── download_too_slow()    4012, HTTP 200 ┘
    ├── too_many_files()       4006, HTTP 200 (the whole upload)
    ├── body_too_large()       4007, HTTP 413 (a JSON body over its limit; not read further)
    ├── draft_too_large()      4008, HTTP 413 / 422 (render body over its size, too many segments)
    ├── video_too_long()       4009, HTTP 422 (a segment or the whole video over the length limit)
    ├── client_id_missing()     400, HTTP 400 (anonymous-token call only)
    ├── not_exportable()        402, HTTP 402 (render submit without attribution headers)
    └── invalid_request()       422, HTTP 422 (anything else the client sent wrong)

A failed render's poll answer carries `error_code` too (`RENDER_TIMEOUT` 4010, `RENDER_CANCELLED`
4011, `RENDER_FAILED` 5000).

Every answer is JSON: `{"code": 0, "message": "success", "data": ...}` or
`{"code": <n>, "message": "<one readable line>", "data": null}` (an upload refused as a whole
carries `data: {"files": [], "rejected": [...]}`). Nothing else (no traceback, no internal path,
no token) ever appears in a body.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import BaseModel
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)

DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 3.0

# the studio's codes beyond the cloud's (docs/studio.md, "Codes and statuses")
CLIENT_PROOF = 1003
UNSUPPORTED_FILE = 4001
FILE_TOO_LARGE = 4002
FILE_DAMAGED = 4003
TOO_MANY_PIXELS = 4004
MEDIA_TOO_LONG = 4005
TOO_MANY_FILES = 4006
BODY_TOO_LARGE = 4007
DRAFT_TOO_LARGE = 4008
VIDEO_TOO_LONG = 4009
RENDER_TIMEOUT = 4010
RENDER_CANCELLED = 4011
DOWNLOAD_TOO_SLOW = 4012
RENDER_FAILED = 5000


class ApiError(Exception):
    def __init__(self, code: int, message: str, *, status: int = 200, close: bool = False,
                 data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.close = close  # refused before the request body was read to its end
        self.data = data

    def response(self) -> JSONResponse:
        body = {"code": self.code, "message": self.message, "data": self.data}
        if self.close:
            return RefusalResponse(body, status_code=self.status, headers={"Connection": "close"})
        return JSONResponse(body, status_code=self.status)


class FileRejection(BaseModel):
    """One file of an upload that was not kept: an entry of the answer's `rejected` list."""

    filename: str
    code: int
    message: str
    url: str | None = None  # URL uploads: the URL it came from
    position: int = 0  # its place in the upload (not sent)

    def public(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"position"})


def rejection(name: str, exc: ApiError, url: str | None = None, position: int = 0) -> FileRejection:
    return FileRejection(filename=name, code=exc.code, message=exc.message, url=url, position=position)


def upload_refused(rejected: list[FileRejection], *, close: bool = False) -> ApiError:
    """Every file of an upload was refused: the first refusal's code, every file named."""
    first = rejected[0]
    if len(rejected) == 1:
        message = first.message
    else:
        named = " ".join(r.message for r in rejected)
        message = f"None of the {len(rejected)} files could be added. {named}"
    status = 422 if first.code == 422 else 200
    return ApiError(first.code, message, status=status, close=close,
                    data={"files": [], "rejected": [r.public() for r in rejected]})


class RefusalResponse(JSONResponse):
    """An answer given while the request body is still arriving (a refused upload).

    The whole answer goes out at once; the server then stops using the body: it reads and throws
    away at most DRAIN_BYTES more (for DRAIN_SECONDS at most) and closes the connection. Clients
    that read while sending (curl, browsers) see the answer at once and stop; clients that read
    only after sending (httpx) still see it when the rest of their body fits in the drain, and a
    reset otherwise: no server keeps reading a gigabyte it has refused. Closing a socket with unread
    input makes the kernel reset it, which can destroy the answer before the client reads it; the
    short drain is what lets it arrive (like nginx's lingering close).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": True})
        await _drain(receive)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _drain(receive: Receive) -> None:
    drained = 0
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while drained < DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except TimeoutError:
        return


def ok(data: Any, *, close: bool = False) -> JSONResponse:
    """The success envelope; `close`: answered before the request body was read to its end."""
    body = {"code": 0, "message": "success", "data": data}
    if close:
        return RefusalResponse(body, headers={"Connection": "close"})
    return JSONResponse(body)


def token_invalid() -> ApiError:
    return ApiError(1001, "Token invalid or expired; request a new anonymous token.", status=401)


def session_not_found() -> ApiError:
    return ApiError(1002, "Session not found.", status=404)


def out_of_credits(available: int, cost: int | None = None) -> ApiError:
    need = f"this needs {cost} credits, " if cost else ""
    return ApiError(2001, f"Out of credits: {need}{available} left.")


def client_proof_required() -> ApiError:
    return ApiError(
        CLIENT_PROOF,
        "This client id already has an account: send its last token (Authorization: Bearer) or its "
        "client secret (X-Client-Secret) to get a new token.",
        status=403,
    )


def unsupported_file(name: str) -> ApiError:
    return ApiError(
        UNSUPPORTED_FILE,
        f"Unsupported file type: {name}. Accepted: mp4, mov, avi, webm, mkv, jpg, png, gif, webp, "
        "mp3, wav, m4a, aac.",
        close=True,
    )


def file_too_large(name: str, limit_mb: int) -> ApiError:
    return ApiError(FILE_TOO_LARGE, f"File too large: {name} is over the {limit_mb} MB limit.", close=True)


def file_damaged(name: str) -> ApiError:
    return ApiError(FILE_DAMAGED, f"{name} is damaged or incomplete.")


def too_many_pixels(name: str, width: int, height: int, limit_mp: float) -> ApiError:
    return ApiError(TOO_MANY_PIXELS, f"{name} is too large: {width}x{height} pixels "
                                     f"({width * height / 1e6:.0f} megapixels); the limit is {limit_mp:g}.")


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def media_too_long(name: str, seconds: float, limit: float) -> ApiError:
    return ApiError(MEDIA_TOO_LONG, f"{name} is too long: {_clock(seconds)}; the limit is {_clock(limit)}.")


def download_too_slow(name: str, limit: float) -> ApiError:
    return ApiError(DOWNLOAD_TOO_SLOW, f"Downloading {name} took too long (the limit is {limit:g} s).")


def too_many_files(limit: int) -> ApiError:
    return ApiError(TOO_MANY_FILES, f"Too many files: at most {limit} per upload.", close=True)


def body_too_large(limit_kb: int) -> ApiError:
    return ApiError(BODY_TOO_LARGE, f"Request too large: the limit is {limit_kb} KB.", status=413, close=True)


def draft_too_large(message: str, *, status: int = 422, close: bool = False) -> ApiError:
    return ApiError(DRAFT_TOO_LARGE, message, status=status, close=close)


def video_too_long(message: str) -> ApiError:
    return ApiError(VIDEO_TOO_LONG, message, status=422)


def client_id_missing(reason: str = "X-Client-Id header is required") -> ApiError:
    return ApiError(400, reason, status=400)


def not_exportable(reason: str) -> ApiError:
    return ApiError(402, reason, status=402)


def invalid_request(message: str) -> ApiError:
    return ApiError(422, message, status=422)


def not_found(message: str = "Not found.") -> ApiError:
    return ApiError(404, message, status=404)


# --- exception handlers: every failure leaves as JSON ---------------------------------------------
async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"code": exc.status_code, "message": str(exc.detail), "data": None},
                        status_code=exc.status_code, headers=exc.headers)


async def _redis_down(request: Request, exc: Exception) -> Response:
    log.error("redis error on %s: %s", request.url.path, type(exc).__name__)
    return JSONResponse({"code": 503, "message": "Storage unavailable, try again shortly.", "data": None},
                        status_code=503)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"code": 500, "message": "Internal error.", "data": None}, status_code=500)


HANDLERS: dict[Any, Any] = {ApiError: _api_error, HTTPException: _http_error, RedisError: _redis_down,
                            Exception: _crash}
"""Starlette `exception_handlers`: API errors, routing errors, Redis outages, and bugs."""
