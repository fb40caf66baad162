"""`NemoUser`: one user's view of the backend, with credentials kept in a `CredentialStore`.

Recovery rules (shared/spec/nemo-api.md, error table), each applied at most once per call:
- 1001 (token bad or expired): a new anonymous token for the SAME client id, saved, call retried.
  Not for an operator token or the user's own token: TokenInvalid is raised for the engine to say.
  The renewal proves the client id is ours (docs/studio.md, "Anonymous tokens"): the last token as
  `Authorization: Bearer` (expired is fine) and the client secret the studio gave with the first
  token as `X-Client-Secret`, both kept (encrypted) in the user's record. The same goes for the
  renewal a few minutes before the token expires. The cloud ignores both headers.
- 1003 (the studio refused that proof, or we lost it): a new client id once, hence a new anonymous
  user and project; `account_renewed` is set (the engine tells the user a fresh project was started).
- 1002 (session not found): a new session, saved, `session_renewed` set (the engine tells the
  user a fresh project was started and resets the flag), call retried.
- 400 on the anonymous-token call: a new client id, saved, retried.
For `chat` the recovery only applies to errors raised before the first event arrived: a message
that may have reached the agent is never sent again.

Token precedence: the user's own token, else the operator's `NEMO_TOKEN`, else the user's
anonymous token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, Field

from bot.backend.client import NemoClient
from bot.backend.errors import ClientIdMissing, ClientProofRefused, SessionNotFound, TokenInvalid
from bot.backend.models import Credits, RenderJob, StateSnapshot, Storyboard, TurnEvent, UploadResult

log = logging.getLogger(__name__)

T = TypeVar("T")
TOKEN_MARGIN = timedelta(minutes=5)  # an anonymous token this close to expiry is renewed first


def new_client_id() -> str:
    return str(uuid.uuid4())


class Credentials(BaseModel):
    """What a user needs to talk to the backend; kept for good by the store (the client id above all)."""

    client_id: str = Field(default_factory=new_client_id)
    client_secret: str | None = Field(default=None, repr=False)  # the studio's proof of the client id
    token: str | None = Field(default=None, repr=False)
    token_expires: datetime | None = None
    anon_user_id: str | None = None
    session_id: str | None = None
    task_id: str | None = None
    language: str = "en"
    own_token: bool = False


class CredentialStore(Protocol):
    async def load(self) -> Credentials: ...

    async def save(self, creds: Credentials) -> None: ...


class NemoUser:
    def __init__(self, client: NemoClient, creds: CredentialStore, operator_token: str | None = None) -> None:
        self.client = client
        self.store = creds
        self.operator_token = operator_token or None
        self.session_renewed = False
        self.account_renewed = False  # 1003: a new client id, so a new user and project
        self._creds: Credentials | None = None
        self._lock = asyncio.Lock()

    # --- what the engine may read ------------------------------------------------------------
    @property
    def credentials(self) -> Credentials | None:
        """The credentials as last loaded (None before the first call)."""
        return self._creds

    @property
    def token_kind(self) -> Literal["own", "operator", "anonymous"]:
        creds = self._creds
        if creds is not None and creds.own_token and creds.token:
            return "own"
        return "operator" if self.operator_token else "anonymous"

    # --- set-up ------------------------------------------------------------------------------
    async def ensure_ready(self) -> bool:
        """Make sure there is a token and a session. True when one had to be created just now."""
        async with self._lock:
            creds = self._creds = await self.store.load()
            created = False
            if self.token_kind == "anonymous" and not self._token_fresh(creds):
                await self._new_anonymous_token(creds)
                created = True
            if not creds.session_id:
                await self._new_session(creds)
                created = True
            return created

    async def new_session(self) -> str:
        """Start a fresh project (a new session); its id."""
        async with self._lock:
            creds = self._creds = await self.store.load()
            if self.token_kind == "anonymous" and not self._token_fresh(creds):
                await self._new_anonymous_token(creds)
            await self._new_session(creds)
            assert creds.session_id is not None
            return creds.session_id

    async def set_own_token(self, token: str | None) -> None:
        """Use the user's own token from now on (None: back to the anonymous/operator token).
        The token is checked first: a bad one raises TokenInvalid and nothing is saved."""
        if token:
            await self.client.credits(token)
        async with self._lock:
            creds = self._creds = await self.store.load()
            creds.token = token or None
            creds.own_token = bool(token)
            creds.token_expires = None
            creds.session_id = None  # the old session belongs to another account
            creds.task_id = None
            await self.store.save(creds)

    # --- calls -------------------------------------------------------------------------------
    async def credits(self) -> Credits:
        return await self._run(lambda tok, sid: self.client.credits(tok))

    async def state(self) -> StateSnapshot:
        return await self._run(lambda tok, sid: self.client.state(tok, sid))

    async def storyboard(self, *, within: float = 5.0) -> Storyboard | None:
        """The current draft's picture, or None when the backend has none to show (never raises
        for the backend's answer; see `NemoClient.storyboard`)."""
        return await self._run(lambda tok, sid: self.client.storyboard(tok, sid, within=within))

    async def upload_files(self, paths: Iterable[Path | str]) -> UploadResult:
        paths = list(paths)
        return await self._run(lambda tok, sid: self.client.upload_files(tok, sid, paths))

    async def upload_urls(self, urls: Iterable[str]) -> UploadResult:
        urls = list(urls)
        return await self._run(lambda tok, sid: self.client.upload_urls(tok, sid, urls))

    async def submit_render(self, draft: dict[str, Any], render_id: str) -> RenderJob:
        return await self._run(lambda tok, sid: self.client.submit_render(tok, sid, draft, render_id))

    async def poll_render(self, render_id: str) -> RenderJob:
        return await self._run(lambda tok, sid: self.client.poll_render(tok, render_id))

    async def download(self, url: str | None, render_id: str, dest: Path | str) -> Path:
        return await self._run(lambda tok, sid: self.client.download(tok, url, render_id, dest))

    async def chat(self, text: str) -> AsyncGenerator[TurnEvent, None]:
        """One chat turn's events. Errors before the first event are recovered; after it, never."""
        await self.ensure_ready()
        recovered: set[type[Exception]] = set()
        while True:
            creds = self._ready_creds()
            events = self.client.chat(self._token(creds), creds.session_id or "", text)
            try:
                first = await anext(events)
            except StopAsyncIteration:
                return
            except (TokenInvalid, SessionNotFound) as exc:
                await self._recover(exc, recovered)
                continue
            break
        async with contextlib.aclosing(events):
            yield first
            async for event in events:
                yield event

    # --- internals ---------------------------------------------------------------------------
    async def _run(self, op: Callable[[str, str], Awaitable[T]]) -> T:
        await self.ensure_ready()
        recovered: set[type[Exception]] = set()
        while True:
            creds = self._ready_creds()
            try:
                return await op(self._token(creds), creds.session_id or "")
            except (TokenInvalid, SessionNotFound) as exc:
                await self._recover(exc, recovered)

    async def _recover(self, exc: TokenInvalid | SessionNotFound, done: set[type[Exception]]) -> None:
        """Fix what `exc` says is wrong, once per kind per call; else raise it again."""
        kind = type(exc)
        if kind in done or (isinstance(exc, TokenInvalid) and self.token_kind != "anonymous"):
            raise exc
        done.add(kind)
        creds = self._ready_creds()
        async with self._lock:
            latest = await self.store.load()  # another process may have fixed it already
            if isinstance(exc, TokenInvalid):
                if latest.token and latest.token != creds.token and self._token_fresh(latest):
                    self._creds = latest
                    return
                log.info("backend token expired or invalid: getting a new anonymous token")
                self._creds = latest
                await self._new_anonymous_token(latest)
            else:
                if latest.session_id and latest.session_id != creds.session_id:
                    self._creds = latest
                    return
                log.info("backend session not found: starting a new one")
                self._creds = latest
                await self._new_session(latest)
                self.session_renewed = True

    def _ready_creds(self) -> Credentials:
        if self._creds is None:
            raise RuntimeError("NemoUser used before ensure_ready()")
        return self._creds

    def _token(self, creds: Credentials) -> str:
        if creds.own_token and creds.token:
            return creds.token
        if self.operator_token:
            return self.operator_token
        if not creds.token:
            raise TokenInvalid("no backend token")
        return creds.token

    @staticmethod
    def _token_fresh(creds: Credentials) -> bool:
        if not creds.token:
            return False
        if creds.token_expires is None:
            return True
        expires = creds.token_expires
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return expires - TOKEN_MARGIN > datetime.now(UTC)

    async def _new_anonymous_token(self, creds: Credentials) -> None:
        last = None if creds.own_token else creds.token
        try:
            answer = await self.client.anonymous_token(
                creds.client_id, last_token=last, client_secret=creds.client_secret
            )
        except ClientIdMissing:
            log.info("backend refused the client id: generating a new one")
            await self._fresh_client(creds)
            answer = await self.client.anonymous_token(creds.client_id)
        except ClientProofRefused:
            log.warning("backend refused the proof of this user's client id: starting a new one")
            await self._fresh_client(creds)
            self.account_renewed = True
            answer = await self.client.anonymous_token(creds.client_id)
        if creds.anon_user_id and answer.user_id and answer.user_id != creds.anon_user_id:
            creds.session_id = creds.task_id = None  # another user's sessions are not ours
        if answer.client_secret:
            creds.client_secret = answer.client_secret  # given once: kept for good, like the id
        creds.token = answer.token
        creds.token_expires = answer.expires_at
        creds.anon_user_id = answer.user_id or creds.anon_user_id
        creds.own_token = False
        await self.store.save(creds)

    async def _fresh_client(self, creds: Credentials) -> None:
        """A new client id: a new anonymous user, so nothing of the old one's is kept."""
        creds.client_id = new_client_id()
        creds.client_secret = creds.token = creds.token_expires = None
        creds.anon_user_id = creds.session_id = creds.task_id = None
        await self.store.save(creds)

    async def _new_session(self, creds: Credentials) -> None:
        try:
            info = await self.client.create_session(self._token(creds), creds.language)
        except TokenInvalid:
            if self.token_kind != "anonymous":
                raise
            await self._new_anonymous_token(creds)
            info = await self.client.create_session(self._token(creds), creds.language)
        creds.session_id = info.session_id
        creds.task_id = info.task_id
        await self.store.save(creds)
