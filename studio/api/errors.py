"""The studio's API errors and JSON envelopes.

    ApiError                 any refusal; `.code` is the spec's numeric code, `.status` the HTTP status
    ├── token_invalid()      1001, HTTP 401
    ├── session_not_found()  1002, HTTP 404
    ├── out_of_credits()     2001, HTTP 200 (body code: the spec's first form)
    ├── unsupported_file()   4001, HTTP 200, connection closed (the body is not read further)
    ├── file_too_large()     4002, HTTP 200, connection closed
    ├── client_id_missing()   400, HTTP 400 (anonymous-token call only)
    ├── not_exportable()      402, HTTP 402 (render submit without attribution headers)
    └── invalid_request()     422, HTTP 422 (anything else the client sent wrong)

Every answer is JSON: `{"code": 0, "message": "success", "data": ...}` or
`{"code": <n>, "message": "<one readable line>", "data": null}`. Nothing else (no traceback, no
internal path, no token) ever appears in a body.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)

DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 3.0


class ApiError(Exception):
    def __init__(self, code: int, message: str, *, status: int = 200, close: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.close = close  # refused before the request body was read to its end

    def response(self) -> JSONResponse:
        body = {"code": self.code, "message": self.message, "data": None}
        if self.close:
            return RefusalResponse(body, status_code=self.status, headers={"Connection": "close"})
        return JSONResponse(body, status_code=self.status)


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


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def token_invalid() -> ApiError:
    return ApiError(1001, "Token invalid or expired; request a new anonymous token.", status=401)


def session_not_found() -> ApiError:
    return ApiError(1002, "Session not found.", status=404)


def out_of_credits(available: int, cost: int | None = None) -> ApiError:
    need = f"this needs {cost} credits, " if cost else ""
    return ApiError(2001, f"Out of credits: {need}{available} left.")


def unsupported_file(name: str) -> ApiError:
    return ApiError(
        4001,
        f"Unsupported file type: {name}. Accepted: mp4, mov, avi, webm, mkv, jpg, png, gif, webp, "
        "mp3, wav, m4a, aac.",
        close=True,
    )


def file_too_large(name: str, limit_mb: int) -> ApiError:
    return ApiError(4002, f"File too large: {name} is over the {limit_mb} MB limit.", close=True)


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
