"""Every way a NemoVideo backend call can fail, as one exception tree.

    NemoError                      any backend failure; `.code` is the spec's numeric code
    ├── TokenInvalid       1001    token bad or expired (body code or HTTP 401)
    ├── SessionNotFound    1002    session gone (body code, HTTP 404 on a session path, ADK detail)
    ├── ClientProofRefused 1003    a known client id asked for a token without (valid) proof
    ├── OutOfCredits       2001
    ├── FileRefused               every file of an upload refused; `.rejected`: each one named, with
    │   │                         its code and message (the studio's `data.rejected`, else empty)
    │   ├── UnsupportedFile 4001  also raised by the client before sending (content sniffing)
    │   ├── FileTooLarge   4002   also raised by the client before sending (size check)
    │   └── (itself)       4003 damaged, 4004 too many pixels, 4005 too long, 4006 too many files,
    │                      4012 a URL download too slow
    ├── RequestTooLarge    4007    a request body over the backend's limit (a chat message, HTTP 413)
    ├── DraftRefused       4008 too large / too many segments, 4009 too long (the render submit)
    ├── ClientIdMissing     400    anonymous-token call without X-Client-Id
    ├── ExportNotAllowed    402    free plan cannot export
    ├── RateLimited         429    `.retry_after` seconds (None when the header was absent)
    ├── BackendUnavailable  5xx, 408, timeouts, connection errors (`.code` = HTTP status or 0;
    │                              `.request_sent` False when it surely never reached the server)
    ├── StreamBroken              an SSE stream ended abnormally (never re-sent)
    ├── RenderFailed              a render ended in `failed` (or gave no URL)
    └── ProtocolError             an answer we cannot read (`.code` = HTTP status or 0)

Foreign exceptions (httpx, json) are translated in exactly one place, `bot.backend.http.translate_httpx`,
and every answer is mapped to this tree in one function, `bot.backend.http.check_answer`; nothing from
httpx escapes the client. Messages never contain a token (see `redact`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.redact import redact

if TYPE_CHECKING:
    from bot.backend.models import RejectedFile


class NemoError(Exception):
    code: int = 0

    def __init__(self, message: str = "", *, code: int | None = None, status: int | None = None) -> None:
        message = redact(message or self.__class__.__name__)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.status = status


class TokenInvalid(NemoError):
    code = 1001


class SessionNotFound(NemoError):
    code = 1002


class ClientProofRefused(NemoError):
    """The studio's answer to a known client id asking for a token without its last token or
    client secret (HTTP 403). The cloud never sends it."""

    code = 1003


class OutOfCredits(NemoError):
    code = 2001


class FileRefused(NemoError):
    """The backend kept none of an upload's files; `rejected` names each one (may be empty)."""

    code = 4003

    def __init__(
        self, message: str = "", *, rejected: list[RejectedFile] | None = None, **kw: int | None
    ) -> None:
        super().__init__(message, **kw)
        self.rejected: list[RejectedFile] = list(rejected or [])


class UnsupportedFile(FileRefused):
    code = 4001


class FileTooLarge(FileRefused):
    code = 4002


class RequestTooLarge(NemoError):
    code = 4007


class DraftRefused(NemoError):
    """The render submit was refused for the draft's size (4008) or the video's length (4009)."""

    code = 4008


class ClientIdMissing(NemoError):
    code = 400


class ExportNotAllowed(NemoError):
    code = 402


class RateLimited(NemoError):
    code = 429

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kw: int | None) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class BackendUnavailable(NemoError):
    code = 503

    def __init__(self, message: str = "", *, request_sent: bool = True, **kw: int | None) -> None:
        super().__init__(message, **kw)
        self.request_sent = request_sent  # False: the request surely never reached the server


class StreamBroken(NemoError):
    code = 0


class RenderFailed(NemoError):
    code = 0


class ProtocolError(NemoError):
    code = 0


ERRORS_BY_CODE: dict[int, type[NemoError]] = {
    1001: TokenInvalid,
    1002: SessionNotFound,
    1003: ClientProofRefused,
    2001: OutOfCredits,
    4001: UnsupportedFile,
    4002: FileTooLarge,
    4003: FileRefused,
    4004: FileRefused,
    4005: FileRefused,
    4006: FileRefused,
    4007: RequestTooLarge,
    4008: DraftRefused,
    4009: DraftRefused,
    4012: FileRefused,
    400: ClientIdMissing,
    401: TokenInvalid,
    402: ExportNotAllowed,
    429: RateLimited,
}
