"""The fake backend's in-memory state and its scripting API (see the package docstring)."""

from __future__ import annotations

import copy
import dataclasses
import fnmatch
import hashlib
import itertools
import secrets
import threading
import time
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.testing.fakenemo.events import default_turn, silent_turn


class _Break:
    def __repr__(self) -> str:
        return "BREAK"


BREAK: Any = _Break()
"""In a turn script: drop the connection abruptly (the client sees an incomplete chunked body)."""

TOKEN_TTL = timedelta(days=7)
DEFAULT_RENDER_STEPS: list[Any] = [("pending", 0), ("processing", 50), ("completed", 100)]


@dataclass
class RecordedFile:
    field: str
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes | None  # None above FakeNemo.keep_upload_bytes (large streaming tests)
    head: bytes = dataclasses.field(default=b"", repr=False)  # the first bytes, for content sniffing


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)


@dataclass
class Fault:
    pattern: str
    method: str | None
    status: int
    code: int | None
    body: Any
    headers: dict[str, str]
    times: int
    delay: float


@dataclass
class TurnScript:
    """One chat turn's raw SSE: a list (bytes written as they are, a float sleeps, BREAK drops the
    connection) or an async iterable of bytes made while it streams; `draft` is set on the session
    when the turn ends (or breaks)."""

    chunks: list[Any] | AsyncIterable[bytes]
    draft: dict[str, Any] | None = None


@dataclass
class TokenRecord:
    token: str
    user_id: str
    client_id: str | None
    expires_at: datetime


@dataclass
class Session:
    id: str
    task_id: str
    user_id: str
    language: str
    draft: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class Render:
    id: str
    session_id: str | None
    draft: Any
    steps: list[Any]
    mp4: bytes
    polls: int = 0


TurnFactory = Callable[["Session", str], TurnScript]
"""`factory(session, message)`: the turn the agent streams for a message (see `FakeNemo.turn_factory`)."""


class FakeNemo:
    """State plus scripting of one fake NemoVideo backend. Thread-safe: the server runs in its own thread."""

    BREAK = BREAK

    def __init__(self, mp4_bytes: bytes) -> None:
        self.default_mp4 = mp4_bytes
        self.url = ""  # set by the server once it listens
        self._lock = threading.RLock()
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self.tokens: dict[str, TokenRecord] = {}
            self.sessions: dict[str, Session] = {}
            self.credits: dict[str, tuple[float, float, float]] = {}
            self.renders: dict[str, Render] = {}
            self.uploads: dict[str, tuple[str, str, bytes]] = {}  # file id -> (name, mime, bytes)
            self.faults: list[Fault] = []
            self.turns: list[TurnScript] = []
            self.reply = "Here is your draft: {message}"
            self.turn_pause = 0.01
            self.max_upload_bytes = 200 * 1024 * 1024
            self.keep_upload_bytes = 16 * 1024 * 1024
            self.default_credits: tuple[float, float, float] = (100, 0, 100)
            self.turn_factory: TurnFactory | None = None  # makes every unscripted turn (benchmarks)
            self._plan_steps: list[Any] = list(DEFAULT_RENDER_STEPS)
            self._plan_fail_first = False
            self._plan_mp4: bytes | None = None
            self._ids = itertools.count(1)

    # --- scripting ---------------------------------------------------------------------------
    def fail_next(
        self,
        path_glob: str,
        *,
        status: int | None = None,
        code: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        method: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next `times` requests whose path matches `path_glob` get this answer instead.

        body: a dict/list (sent as JSON), str/bytes (sent raw), or None: then `{"code": code, ...}`
        when `code` is given, else a plain-text error. status defaults to 200 with a code, else 500.
        `delay` seconds are waited before answering (client timeouts).
        """
        if status is None:
            status = 200 if code is not None and body is None else 500
        with self._lock:
            self.faults.append(
                Fault(path_glob, method.upper() if method else None, status, code, body, dict(headers or {}),
                      times, delay)
            )

    def script_turn(self, chunks: list[Any], *, draft: dict[str, Any] | None = None) -> None:
        """Queue the raw SSE of the next chat turn: bytes are written as they are, a float sleeps
        that many seconds, BREAK drops the connection. `draft`: set on the session after the turn."""
        with self._lock:
            self.turns.append(TurnScript(list(chunks), copy.deepcopy(draft)))

    def on_turn_set_draft(self, draft: dict[str, Any]) -> None:
        """Queue a silent turn (tool events only, no text) that changes the session's draft."""
        self.script_turn(silent_turn(pause=self.turn_pause), draft=draft)

    def set_draft(self, session_id: str, draft: dict[str, Any] | None) -> None:
        with self._lock:
            self.sessions[session_id].draft = copy.deepcopy(draft)

    def render_plan(
        self, statuses: list[Any] | None = None, *, fail_first: bool = False, mp4_bytes: bytes | None = None
    ) -> None:
        """How the next renders go. Each poll answers the next step (the last one repeats).

        A step is a status string, a `(status, progress)` tuple (completed gets a URL served by the
        fake), a `(status, progress, eta_seconds)` tuple (the studio's estimate), or a dict: the
        whole answer body, sent verbatim (for envelope/URL variants).
        fail_first: the next render submitted ends in `failed`; the ones after follow `statuses`.
        """
        with self._lock:
            self._plan_steps = list(statuses) if statuses is not None else list(DEFAULT_RENDER_STEPS)
            self._plan_fail_first = fail_first
            self._plan_mp4 = mp4_bytes

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (calls answer 1001)."""
        with self._lock:
            past = datetime.now(UTC) - timedelta(seconds=1)
            for rec in self.tokens.values():
                rec.expires_at = past

    def drop_sessions(self) -> None:
        """Forget every session (calls on them answer 1002 / ADK 404)."""
        with self._lock:
            self.sessions.clear()

    def add_token(self, token: str, user_id: str = "usr_operator") -> None:
        """Accept a token issued elsewhere (an operator's NEMO_TOKEN or a user's own token)."""
        with self._lock:
            self.tokens[token] = TokenRecord(token, user_id, None, datetime.now(UTC) + TOKEN_TTL)

    def set_credits(
        self, user_id: str, available: float, frozen: float = 0.0, total: float | None = None
    ) -> None:
        with self._lock:
            self.credits[user_id] = (available, frozen, total if total is not None else available + frozen)

    # --- inspection --------------------------------------------------------------------------
    def requests_to(self, path_glob: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [
                r for r in self.requests
                if fnmatch.fnmatchcase(r.path, path_glob) and (method is None or r.method == method.upper())
            ]

    def draft(self, session_id: str) -> dict[str, Any] | None:
        with self._lock:
            s = self.sessions.get(session_id)
            return copy.deepcopy(s.draft) if s else None

    @property
    def messages(self) -> list[str]:
        """Every chat message the agent received, in order."""
        with self._lock:
            return [r.json["new_message"]["parts"][0]["text"] for r in self.requests
                    if r.path == "/run_sse" and isinstance(r.json, dict) and "new_message" in r.json]

    # --- used by the app ---------------------------------------------------------------------
    def record(self, req: RecordedRequest) -> Fault | None:
        with self._lock:
            self.requests.append(req)
            for fault in self.faults:
                if fault.times > 0 and fnmatch.fnmatchcase(req.path, fault.pattern) and (
                    fault.method is None or fault.method == req.method
                ):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def issue_token(self, client_id: str) -> TokenRecord:
        with self._lock:
            now = datetime.now(UTC)
            for rec in self.tokens.values():
                if rec.client_id == client_id and rec.expires_at > now:
                    return rec
            user_id = "anon_" + hashlib.sha1(client_id.encode()).hexdigest()[:16]
            token = "nmv_usr_" + secrets.token_urlsafe(30)
            rec = TokenRecord(token, user_id, client_id, now + TOKEN_TTL)
            self.tokens[token] = rec
            return rec

    def user_for(self, token: str | None) -> str | None:
        with self._lock:
            rec = self.tokens.get(token or "")
            if rec is None or rec.expires_at <= datetime.now(UTC):
                return None
            return rec.user_id

    def credits_of(self, user_id: str) -> tuple[float, float, float]:
        with self._lock:
            return self.credits.get(user_id, self.default_credits)

    def new_session(self, user_id: str, language: str) -> Session:
        with self._lock:
            n = self.next_id()
            sid = str(7_300_000_000_000_000_000 + n * 7919)
            s = Session(sid, f"task_{n}", user_id, language)
            self.sessions[sid] = s
            return s

    def session_of(self, sid: str, user_id: str) -> Session | None:
        with self._lock:
            s = self.sessions.get(sid)
            return s if s is not None and s.user_id == user_id else None

    def next_turn(self, session: Session, message: str) -> TurnScript:
        with self._lock:
            session.messages.append(message)
            if self.turns:
                return self.turns.pop(0)
            if self.turn_factory is not None:
                return self.turn_factory(session, message)
            reply = self.reply.format(message=message)
            return TurnScript(default_turn(reply, pause=self.turn_pause), default_draft(session, message))

    def apply_turn_draft(self, session: Session, draft: dict[str, Any] | None) -> None:
        if draft is not None:
            with self._lock:
                session.draft = copy.deepcopy(draft)

    def start_render(self, render_id: str, session_id: str | None, draft: Any) -> Render:
        with self._lock:
            if self._plan_fail_first:
                self._plan_fail_first = False
                steps: list[Any] = [("pending", 0), ("failed", 0)]
            else:
                steps = list(self._plan_steps)
            r = Render(render_id, session_id, copy.deepcopy(draft), steps, self._plan_mp4 or self.default_mp4)
            self.renders[render_id] = r
            return r

    def poll_step(self, render_id: str) -> Any:
        with self._lock:
            r = self.renders[render_id]
            step = r.steps[min(r.polls, len(r.steps) - 1)]
            r.polls += 1
            return step


def default_draft(session: Session, message: str) -> dict[str, Any]:
    """A small draft in the studio's form: the session's uploads (or one placeholder) and a title."""
    segments: list[dict[str, Any]] = []
    files = session.files or [{"filename": "placeholder.mp4", "file_type": "video", "cdn_url": ""}]
    for i, f in enumerate(files):
        segments.append({
            "id": f"v{i + 1}", "st": i * 3000, "d": 3000,
            "m": {"src": f.get("cdn_url", ""), "kind": f.get("file_type", "video"), "name": f["filename"]},
        })
    total = 3000 * len(segments)
    title = " ".join(message.split()[:4]) or "Draft"
    return {
        "d": total,
        "m": {"title": title, "width": 1080, "height": 1920, "fps": 30, "aspect": "9:16",
              "updated": time.time()},
        "t": [
            {"tt": 0, "sg": segments},
            {"tt": 7, "sg": [{"id": "x1", "st": 0, "d": min(3000, total),
                              "m": {"text": title, "role": "title", "pos": "center"}}]},
        ],
    }
