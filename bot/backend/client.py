"""`NemoClient`: every NemoVideo API call of shared/spec/nemo-api.md, with the token passed in.

Stateless apart from its one `httpx.AsyncClient` (shared by every user); `bot.backend.user.NemoUser`
adds the per-user credentials and recovery. Every failure is a `bot.backend.errors.NemoError`:
answers are checked in `bot.backend.http.check_answer`, httpx exceptions translated in
`bot.backend.http.translate_httpx`, and nothing from httpx escapes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bot import __version__
from bot.backend.errors import NemoError, ProtocolError
from bot.backend.http import Http
from bot.backend.models import (
    AnonymousToken,
    Credits,
    RenderJob,
    SessionInfo,
    StateSnapshot,
    Storyboard,
    TurnEvent,
    UploadResult,
)
from bot.backend.multipart import MultipartBody, prepare_uploads
from bot.backend.sse import SSEDecoder, parse_turn_event
from bot.settings import ConfigError, Settings
from common.imagecheck import header_of

log = logging.getLogger(__name__)

MIB = 1024 * 1024
SKILL_SOURCE = "video-generator-online"
APP_NAME = "nemo_agent"
STORYBOARD_CODES = (1002, 4040)  # the studio's own 404s: unknown session, no draft yet


def _data[M: BaseModel](body: dict[str, Any], model: type[M], what: str) -> M:
    """Validate the envelope's `data` (or the body itself when there is no `data`)."""
    data = body.get("data", body) if isinstance(body.get("data"), (dict, list)) else body
    try:
        return model.model_validate(data)
    except ValidationError:
        raise ProtocolError(f"{what}: unexpected answer") from None


class NemoClient:
    """The backend client. One instance per process; every method takes the user's token."""

    def __init__(
        self,
        base_url: str,
        *,
        skill_platform: str = "unknown",
        version: str = __version__,
        rate_limit_wait: float = 30.0,
        retries: int = 3,
        timeout: float = 30.0,
        max_upload_bytes: int = 200 * MIB,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.5,
        backoff_max: float = 8.0,
        stream_idle_timeout: float = 600.0,
        upload_timeout: float = 300.0,
        max_connections: int = 100,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_upload_bytes = max_upload_bytes
        self.stream_idle_timeout = stream_idle_timeout
        self.upload_timeout = upload_timeout
        self._storyboards = True  # False once the backend showed it has no storyboard route
        self._http = Http(
            self.base_url,
            attribution={"X-Skill-Source": SKILL_SOURCE, "X-Skill-Version": version,
                         "X-Skill-Platform": skill_platform},
            rate_limit_wait=rate_limit_wait, retries=retries, backoff=backoff, backoff_max=backoff_max,
            timeout=timeout, transport=transport, max_connections=max_connections,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> NemoClient:
        """The client for NEMO_API_URL (the embedded mode fills it with the studio's address)."""
        if not settings.nemo_api_url:
            raise ConfigError("NEMO_API_URL is unset and no embedded studio was started for this process")
        return cls(
            settings.nemo_api_url,
            skill_platform=settings.skill_platform,
            rate_limit_wait=settings.rate_limit_wait_seconds,
            retries=settings.http_retries,
            timeout=settings.http_timeout_seconds,
            max_upload_bytes=settings.max_upload_bytes,
            stream_idle_timeout=settings.sse_idle_timeout_seconds,
            transport=transport,
            # every concurrent turn holds one streaming connection; polls and downloads need more
            max_connections=settings.max_concurrent_turns + 50,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> NemoClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- account -------------------------------------------------------------------------------
    async def anonymous_token(
        self, client_id: str, *, last_token: str | None = None, client_secret: str | None = None
    ) -> AnonymousToken:
        """A token for `client_id`. A known client id proves it is that client with the last token
        it was given (`Authorization: Bearer`, expired is fine) and/or the client secret it got with
        its first token (`X-Client-Secret`); the studio answers 1003 without, the cloud ignores both."""
        headers = {"X-Client-Id": client_id}
        if client_secret:
            headers["X-Client-Secret"] = client_secret
        body = await self._http.call(
            "POST", "/api/auth/anonymous-token", what="anonymous token", token=last_token or None,
            idempotent=False, headers=headers, anonymous=True, secrets=(client_secret,),
        )
        return _data(body, AnonymousToken, "anonymous token")

    async def create_session(self, token: str, language: str = "en") -> SessionInfo:
        body = await self._http.call(
            "POST", f"/api/tasks/me/with-session/{APP_NAME}", what="new session", token=token,
            idempotent=False, json_body={"task_name": "project", "language": language},
        )
        return _data(body, SessionInfo, "new session")

    async def credits(self, token: str) -> Credits:
        body = await self._http.call("GET", "/api/credits/balance/simple", what="credits", token=token,
                                     idempotent=True)
        return _data(body, Credits, "credits")

    async def state(self, token: str, sid: str) -> StateSnapshot:
        body = await self._http.call(
            "GET", f"/api/state/{APP_NAME}/me/{quote(sid, safe='')}/latest", what="state", token=token,
            idempotent=True, session_path=True,
        )
        return _data(body, StateSnapshot, "state")

    async def storyboard(self, token: str, sid: str, *, within: float = 5.0) -> Storyboard | None:
        """The picture of the session's current draft (docs/studio.md, "Storyboard"), or None when
        there is none to show: no draft yet (4040), an unknown session (1002), any other error, no
        answer, or a body that is not a picture. Never raises for the backend's answer (a preview
        is never worth an error), is tried once (no retries within its budget), and never renews
        a session or a token. A backend without the route (the cloud: a 404 or 405 that is not
        the studio's 1002 / 4040) is not asked again by this client."""
        if not self._storyboards:
            return None
        path = f"/api/storyboard/{APP_NAME}/me/{quote(sid, safe='')}/latest"
        answer = await self._http.get_bytes(path, what="storyboard", token=token, within=within)
        if answer is None:
            return None
        if not 200 <= answer.status < 300:
            if answer.status in (404, 405) and answer.code not in STORYBOARD_CODES:
                log.info("the backend has no storyboard route: no previews from it in this process")
                self._storyboards = False
            return None
        header = header_of(answer.body)
        if header is None or header.format not in ("jpeg", "png", "webp"):
            log.info("storyboard: the answer is not a picture (%s)", answer.content_type or "no type")
            return None
        mime = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[header.format]
        return Storyboard(image=answer.body, mime=mime, width=header.width, height=header.height)

    # --- uploads -------------------------------------------------------------------------------
    async def upload_files(self, token: str, sid: str, paths: Iterable[Path | str]) -> UploadResult:
        """Upload files in one request. Type (by content) and size are checked before a byte is sent."""
        items = prepare_uploads(paths, self.max_upload_bytes)
        if not items:
            return UploadResult()

        def body() -> tuple[AsyncIterable[bytes], dict[str, str]]:
            mp = MultipartBody(items)
            return mp.stream(), mp.headers()

        answer = await self._http.call(
            "POST", self._upload_path(sid), what="upload", token=token, idempotent=False, body=body,
            session_path=True, read_timeout=self.upload_timeout,
        )
        return _data(answer, UploadResult, "upload")

    async def upload_urls(self, token: str, sid: str, urls: Iterable[str]) -> UploadResult:
        answer = await self._http.call(
            "POST", self._upload_path(sid), what="upload", token=token, idempotent=False,
            json_body={"urls": list(urls), "source_type": "url"}, session_path=True,
            read_timeout=self.upload_timeout,
        )
        return _data(answer, UploadResult, "upload")

    @staticmethod
    def _upload_path(sid: str) -> str:
        return f"/api/upload-video/{APP_NAME}/me/{quote(sid, safe='')}"

    # --- chat ----------------------------------------------------------------------------------
    async def chat(self, token: str, sid: str, text: str) -> AsyncGenerator[TurnEvent, None]:
        """One chat turn: its events as they arrive, heartbeats included.

        The message is sent once and never again. A stream that breaks (read error, reset,
        incomplete body, nothing at all for `stream_idle_timeout`) raises StreamBroken; the
        server closing the stream normally ends the turn.
        """
        payload = {"app_name": APP_NAME, "user_id": "me", "session_id": sid,
                   "new_message": {"parts": [{"text": text}]}}
        decoder = SSEDecoder()
        chunks = self._http.stream(
            "POST", "/run_sse", what="chat", token=token, json_body=payload,
            headers={"Accept": "text/event-stream"}, session_path=True, read_timeout=self.stream_idle_timeout,
        )
        async with contextlib.aclosing(chunks):
            async for chunk in chunks:
                for event_payload in decoder.feed(chunk):
                    for event in parse_turn_event(event_payload):
                        yield event
        for event_payload in decoder.finish():
            for event in parse_turn_event(event_payload):
                yield event

    # --- render --------------------------------------------------------------------------------
    async def submit_render(self, token: str, sid: str, draft: dict[str, Any], render_id: str) -> RenderJob:
        """Start an export. Never re-sent once it may have reached the server."""
        body = await self._http.call(
            "POST", "/api/render/proxy/lambda", what="export", token=token, idempotent=False,
            json_body={"id": render_id, "sessionId": sid, "draft": draft,
                       "output": {"format": "mp4", "quality": "high"}},
        )
        return RenderJob.from_answer(body, render_id)

    async def poll_render(self, token: str, render_id: str) -> RenderJob:
        body = await self._http.call(
            "GET", f"/api/render/proxy/lambda/{quote(render_id, safe='')}", what="render status",
            token=token, idempotent=True,
        )
        return RenderJob.from_answer(body, render_id)

    async def download(self, token: str, url: str | None, render_id: str, dest: Path | str) -> Path:
        """Save the rendered MP4 to `dest`: from `url`, else from the API's download proxy."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if url:
            try:
                await self._http.fetch_to_file(self._http.url(url), dest, what="download", token=token)
                return dest
            except NemoError as exc:
                log.warning("download: the render URL failed (%s: %s); trying the download proxy",
                            type(exc).__name__, exc.message)
        proxy = self._http.url(f"/api/render/proxy/{quote(render_id, safe='')}/download")
        await self._http.fetch_to_file(proxy, dest, what="download", token=token)
        return dest
