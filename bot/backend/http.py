"""The wire under `NemoClient`: one `httpx.AsyncClient`, headers, retries, and the two translations.

- `translate_httpx(exc)` is the one place where an httpx exception becomes a `NemoError`.
- `check_answer(...)` is the one place where an answer (status, headers, body) becomes data or
  a `NemoError`: every error shape of the spec is mapped here.
- `Http._retrying` holds the retry policy: a 429 waits `Retry-After` (or `rate_limit_wait`) and
  is retried once; 5xx, 408, timeouts and network errors are retried with backoff only for
  idempotent calls, and for the others only when the request surely never left this machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from bot.backend.errors import (
    ERRORS_BY_CODE,
    BackendUnavailable,
    ClientIdMissing,
    ExportNotAllowed,
    FileRefused,
    FileTooLarge,
    NemoError,
    ProtocolError,
    RateLimited,
    SessionNotFound,
    StreamBroken,
    TokenInvalid,
    UnsupportedFile,
)
from bot.backend.models import RejectedFile
from common.filetype import sniff_path
from common.logs import request_id_var

log = logging.getLogger(__name__)

T = TypeVar("T")
BodyFactory = Callable[[], tuple[AsyncIterable[bytes], dict[str, str]]]
HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict)
MAX_RETRY_AFTER = 300.0  # a longer Retry-After is not waited for: the caller tells the user


def translate_httpx(exc: Exception, *, streaming: bool = False, what: str = "request") -> NemoError:
    """The NemoError for an httpx exception. `streaming`: it happened while reading an SSE body."""
    name = type(exc).__name__
    log.debug("%s: %s", what, name)
    never_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
    if isinstance(exc, never_sent):
        return BackendUnavailable(f"{what}: cannot reach the backend ({name})", code=0, request_sent=False)
    if isinstance(exc, (httpx.TransportError, httpx.DecodingError)):  # timeouts, resets, bad framing
        if streaming:
            return StreamBroken(f"{what}: the stream broke ({name})")
        return BackendUnavailable(f"{what}: backend trouble ({name})", code=0, request_sent=True)
    if isinstance(exc, httpx.TooManyRedirects):
        return ProtocolError(f"{what}: too many redirects")
    return ProtocolError(f"{what}: request failed ({name})")


def _retry_after(headers: httpx.Headers) -> float | None:
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _body_code(body: Any) -> int | None:
    if not isinstance(body, dict):
        return None
    for key in ("code", "errorCode", "error_code"):
        raw = body.get(key)
        if isinstance(raw, bool) or raw is None:
            continue
        try:
            code = int(raw)
        except (TypeError, ValueError):
            continue
        return code or None
    return None


def _message(body: Any, content: bytes) -> str:
    msg: Any = None
    if isinstance(body, dict):
        for key in ("message", "msg", "error", "detail", "errorMessage", "error_message"):
            msg = body.get(key)
            if isinstance(msg, dict):
                msg = msg.get("message") or msg.get("detail")
            if msg:
                break
    elif content:
        msg = content[:200].decode("utf-8", "replace").strip()
    return " ".join(str(msg).split())[:200] if msg else ""


def _rejected(body: Any) -> list[RejectedFile]:
    """The studio's `data.rejected` of a refused upload (each file named), else nothing."""
    data = body.get("data") if isinstance(body, dict) else None
    items = data.get("rejected") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    out: list[RejectedFile] = []
    for item in items:
        try:
            out.append(RejectedFile.model_validate(item))
        except ValidationError:
            continue
    return out


def check_answer(
    status: int,
    headers: httpx.Headers,
    content: bytes,
    *,
    what: str,
    session_path: bool = False,
    anonymous: bool = False,
    secret: str | None = None,
    secrets: tuple[str | None, ...] = (),
) -> dict[str, Any]:
    """The answer's JSON body when it is a success; else the matching NemoError is raised.

    `secret` (the token used) and `secrets` (any other credential sent) are masked in any text
    taken from the answer, whatever its form."""
    try:
        body: Any = json.loads(content) if content.strip() else None
    except ValueError:
        body = None
    ok = 200 <= status < 300
    msg = _message(body, content) or f"HTTP {status}"
    for sent in (secret, *secrets):
        if sent:
            msg = msg.replace(sent, "***")
    detail = f"{what}: {msg}"
    code = _body_code(body)
    if isinstance(body, dict) and "session not found" in str(body.get("detail", "")).lower():
        raise SessionNotFound(detail, status=status)
    if status == 429 or code == 429:
        raise RateLimited(detail, retry_after=_retry_after(headers), status=status)
    if status >= 500 or status == 408 or (code is not None and 500 <= code < 600):
        raise BackendUnavailable(detail, code=status if status >= 400 else code, status=status)
    if code is not None:
        if code == 400 and not anonymous:
            raise NemoError(detail, code=code, status=status)
        cls = ERRORS_BY_CODE.get(code, NemoError)
        if issubclass(cls, FileRefused):
            raise cls(detail, code=code, status=status, rejected=_rejected(body))
        raise cls(detail, code=code, status=status)
    if not ok:
        by_status: dict[int, type[NemoError]] = {401: TokenInvalid, 402: ExportNotAllowed, 413: FileTooLarge,
                                                 415: UnsupportedFile}
        if status == 404 and session_path:
            raise SessionNotFound(detail, status=status)
        if status == 400 and anonymous:
            raise ClientIdMissing(detail, status=status)
        by = by_status.get(status)
        if by is not None:
            raise by(detail, status=status)
        raise NemoError(detail, code=status, status=status)
    if not isinstance(body, dict):
        raise ProtocolError(f"{what}: unreadable answer (HTTP {status})", code=status, status=status)
    if body.get("success") is False:
        raise NemoError(detail, code=0, status=status)
    return body


@dataclass(frozen=True)
class BinaryAnswer:
    """What `Http.get_bytes` got: a 2xx with its body, or an error status with the envelope's code."""

    status: int
    content_type: str = ""
    body: bytes = field(default=b"", repr=False)
    code: int | None = None


class Http:
    """One httpx.AsyncClient with the attribution headers and the retry policy."""

    def __init__(
        self,
        base_url: str,
        *,
        attribution: dict[str, str],
        rate_limit_wait: float,
        retries: int,
        backoff: float,
        backoff_max: float,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None,
        max_connections: int = 100,
    ) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self.attribution = attribution
        self.rate_limit_wait = rate_limit_wait
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=50),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def url(self, path_or_url: str) -> httpx.URL:
        """An absolute URL as it is; a path relative to the base URL (keeping any base path)."""
        try:
            if path_or_url.startswith(("http://", "https://")):
                return httpx.URL(path_or_url)
            return self.base_url.join(path_or_url.lstrip("/"))
        except HTTPX_ERRORS as exc:
            raise translate_httpx(exc, what="url") from None

    def is_own(self, url: httpx.URL) -> bool:
        base = self.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    def headers(self, token: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = dict(self.attribution)
        if token:
            out["Authorization"] = f"Bearer {token}"
        if request_id := request_id_var.get():
            out["X-Request-Id"] = request_id  # the studio logs it with the turn's render
        out.update(extra or {})
        return out

    async def _retrying(self, what: str, idempotent: bool, op: Callable[[], Awaitable[T]]) -> T:
        attempt = 0
        rate_limited = False
        while True:
            try:
                return await op()
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else self.rate_limit_wait
                if rate_limited or wait > MAX_RETRY_AFTER:
                    raise
                rate_limited = True
                log.info("%s: rate limited, retrying once in %.1f s", what, wait)
                await asyncio.sleep(wait)
            except BackendUnavailable as exc:
                if attempt >= self.retries or (exc.request_sent and not idempotent):
                    raise
                attempt += 1
                delay = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
                log.warning("%s: %s; retry %d/%d in %.2f s", what, exc.message, attempt, self.retries, delay)
                await asyncio.sleep(delay)

    async def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        token: str | None,
        idempotent: bool,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: dict[str, str] | None = None,
        session_path: bool = False,
        anonymous: bool = False,
        read_timeout: float | None = None,
        secrets: tuple[str | None, ...] = (),
    ) -> dict[str, Any]:
        """One API call, retried per the policy; the checked JSON body. `secrets`: credentials sent
        in `headers`, masked in any error text like the token."""
        timeout = httpx.Timeout(self.timeout, read=read_timeout or self.timeout)

        async def once() -> dict[str, Any]:
            hdrs = self.headers(token, headers)
            content: AsyncIterable[bytes] | None = None
            if body is not None:
                content, body_headers = body()
                hdrs.update(body_headers)
            started = time.monotonic()
            try:
                resp = await self._client.request(method, self.url(path), headers=hdrs, json=json_body,
                                                  content=content, timeout=timeout)
            except HTTPX_ERRORS as exc:
                raise translate_httpx(exc, what=what) from None
            elapsed_ms = (time.monotonic() - started) * 1e3
            log.debug("%s %s -> %d (%.0f ms)", method, path, resp.status_code, elapsed_ms)
            return check_answer(resp.status_code, resp.headers, resp.content, what=what,
                                session_path=session_path, anonymous=anonymous, secret=token,
                                secrets=secrets)

        return await self._retrying(what, idempotent, once)

    async def stream(
        self,
        method: str,
        path: str,
        *,
        what: str,
        token: str | None,
        json_body: Any,
        headers: dict[str, str],
        session_path: bool,
        read_timeout: float,
    ) -> AsyncGenerator[bytes, None]:
        """The body of a streamed answer, chunk by chunk. Never re-sent once it may have arrived.

        A JSON answer (an error envelope, or events sent as one JSON document) is checked and then
        given back as a single SSE event, so the caller reads every answer the same way.
        """
        timeout = httpx.Timeout(self.timeout, read=read_timeout)

        async def open_() -> tuple[httpx.Response, bytes | None]:
            request = self._client.build_request(method, self.url(path), headers=self.headers(token, headers),
                                                 json=json_body, timeout=timeout)
            try:
                resp = await self._client.send(request, stream=True)
                ctype = resp.headers.get("content-type", "")
                if 200 <= resp.status_code < 300 and "json" not in ctype:
                    return resp, None
                try:
                    content = await resp.aread()
                finally:
                    await resp.aclose()
            except HTTPX_ERRORS as exc:
                raise translate_httpx(exc, what=what) from None
            body = check_answer(resp.status_code, resp.headers, content, what=what, session_path=session_path,
                                secret=token)
            return resp, json.dumps(body).encode()

        resp, prefetched = await self._retrying(what, False, open_)
        if prefetched is not None:
            yield b"data: " + prefetched + b"\n\n"
            return
        try:
            async for chunk in resp.aiter_bytes():
                yield chunk
        except HTTPX_ERRORS as exc:
            raise translate_httpx(exc, streaming=True, what=what) from None
        finally:
            await resp.aclose()

    async def get_bytes(
        self, path: str, *, what: str, token: str | None, within: float, limit: int = 20 * 1024 * 1024
    ) -> BinaryAnswer | None:
        """One GET of a binary answer, not retried, `within` seconds per phase: the status, type,
        body (a 2xx) or the envelope's code (an error); None when it failed on the way or the body
        is over `limit` bytes. Logged without the token."""
        url = self.url(path)
        try:
            async with self._client.stream(
                "GET", url, headers=self.headers(token), timeout=httpx.Timeout(within)
            ) as resp:
                ctype = resp.headers.get("content-type", "")
                if not 200 <= resp.status_code < 300:
                    body = await resp.aread()
                    try:
                        parsed = json.loads(body) if body.strip() else None
                    except ValueError:
                        parsed = None
                    code = _body_code(parsed)
                    log.info("%s: HTTP %d (code %s)", what, resp.status_code, code)
                    return BinaryAnswer(status=resp.status_code, content_type=ctype, code=code)
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        log.warning("%s: the answer is larger than %d bytes", what, limit)
                        return None
                    chunks.append(chunk)
                return BinaryAnswer(status=resp.status_code, content_type=ctype, body=b"".join(chunks))
        except HTTPX_ERRORS as exc:
            log.info("%s: %s", what, type(exc).__name__)
            return None

    async def fetch_to_file(self, url: httpx.URL, dest: Path, *, what: str, token: str | None) -> None:
        """Stream a video to `dest` (via a `.part` file). Headers go only to the API's own host."""
        own = self.is_own(url)
        part = dest.with_name(dest.name + ".part")

        async def once() -> None:
            hdrs = self.headers(token) if own else {}
            try:
                async with self._client.stream("GET", url, headers=hdrs, follow_redirects=True) as resp:
                    if not 200 <= resp.status_code < 300:
                        content = await resp.aread()
                        check_answer(resp.status_code, resp.headers, content, what=what, secret=token)
                        raise ProtocolError(f"{what}: HTTP {resp.status_code}", code=resp.status_code)
                    with part.open("wb") as fh:
                        async for chunk in resp.aiter_bytes():
                            fh.write(chunk)
            except HTTPX_ERRORS as exc:
                raise translate_httpx(exc, what=what) from None
            found = sniff_path(part)
            if found is None or found.kind != "video":
                raise ProtocolError(f"{what}: the answer is not a video")
            part.replace(dest)

        try:
            await self._retrying(what, True, once)
        finally:
            part.unlink(missing_ok=True)
