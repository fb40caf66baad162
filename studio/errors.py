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

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(self, code: int, message: str, *, status: int = 200, close: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.close = close  # close the connection: the request body was deliberately left unread

    def response(self) -> JSONResponse:
        headers = {"Connection": "close"} if self.close else None
        body = {"code": self.code, "message": self.message, "data": None}
        return JSONResponse(body, status_code=self.status, headers=headers)


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
