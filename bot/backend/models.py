"""Pydantic models of every NemoVideo answer, tolerant of extra keys and of the spec's variants.

The client unwraps the envelope (`{"code": 0, "data": ...}` or `{"success": true, "data": ...}`)
and validates `data` with these models; render answers are read whole by `RenderJob`, because
their status and URL may sit at the top level or inside `data`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

log = logging.getLogger(__name__)


class Answer(BaseModel):
    """Base of every answer model: unknown keys ignored, numbers accepted where strings are expected."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, populate_by_name=True)


class AnonymousToken(Answer):
    token: str = Field(repr=False)
    user_id: str | None = None
    expires_at: datetime | None = None
    credits: float | None = None
    client_secret: str | None = Field(default=None, repr=False)  # the studio's, once, at first issue

    @field_validator("expires_at", mode="before")
    @classmethod
    def _lenient_time(cls, v: object) -> object:
        if isinstance(v, str) and not v.strip():
            return None
        if isinstance(v, (int, float)) and v > 1e11:  # milliseconds since the epoch
            return v / 1000
        return v


class SessionInfo(Answer):
    session_id: str
    task_id: str | None = None
    user_id: str | None = None


class UploadedFile(Answer):
    filename: str = ""
    file_type: str | None = None  # "video" | "image" | "audio"
    cdn_url: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None


class RejectedFile(Answer):
    """One file (or URL) of an upload the backend refused while keeping the others: the studio's
    `rejected` list (docs/studio.md; the cloud sends none). `code`: 4001-4005, 4012, 422 (URL)."""

    filename: str = ""
    code: int = 0
    message: str = ""
    url: str | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, v: object) -> object:
        try:
            return int(v)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return 0


class UploadResult(Answer):
    files: list[UploadedFile] = Field(default_factory=list)
    session_state_applied: bool | None = None
    rejected: list[RejectedFile] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, v: object) -> object:
        return {"files": v} if isinstance(v, list) else v


class Credits(Answer):
    available: float
    frozen: float = 0
    total: float = 0

    @field_validator("available", "frozen", "total", mode="after")
    @classmethod
    def _whole(cls, v: float) -> float:
        return int(v) if float(v).is_integer() else v


class StateSnapshot(Answer):
    session_id: str | None = None
    task_id: str | None = None
    state: dict[str, Any] | None = None

    @field_validator("state", mode="before")
    @classmethod
    def _decode_state(cls, v: object) -> object:
        return _json_object(v)

    @property
    def draft(self) -> dict[str, Any] | None:
        """The `state.draft` dict, or None when there is no draft (yet)."""
        if not self.state:
            return None
        draft = _json_object(self.state.get("draft"))
        return draft if isinstance(draft, dict) else None


def _json_object(v: object) -> object:
    """Some backends send nested objects as JSON strings: decode them, leave anything else alone."""
    if isinstance(v, str):
        try:
            return json.loads(v) if v.strip() else None
        except ValueError:
            return None
    return v


RenderStatus = Literal["pending", "processing", "completed", "failed"]

_STATUS_ALIASES: dict[str, RenderStatus] = {
    "pending": "pending", "queued": "pending", "waiting": "pending", "submitted": "pending",
    "created": "pending",
    "processing": "processing", "running": "processing", "rendering": "processing",
    "in_progress": "processing", "progress": "processing", "started": "processing",
    "completed": "completed", "complete": "completed", "done": "completed", "succeeded": "completed",
    "success": "completed", "finished": "completed",
    "failed": "failed", "failure": "failed", "error": "failed", "cancelled": "failed", "canceled": "failed",
}


def _first(*values: object) -> Any:
    for v in values:
        if v not in (None, ""):
            return v
    return None


class RenderJob(BaseModel):
    """A render's state, built from every tolerated answer shape (see `from_answer`)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    status: RenderStatus = "pending"
    progress: int = 0
    url: str | None = None
    error: str | None = None
    eta_seconds: float | None = None  # the backend's estimate of the time left (the studio's; optional)
    elapsed_seconds: float | None = None  # since submit (the studio's; optional)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed")

    @classmethod
    def from_answer(cls, body: dict[str, Any], render_id: str) -> RenderJob:
        """Status and URL at the top level or inside `data`; URL as `output.url` or `outputUrl`;
        "completed" counts only with a URL in hand (else the render is still processing)."""
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        assert isinstance(data, dict)

        def pick(*keys: str) -> Any:
            return _first(*(d.get(k) for d in (data, body) for k in keys))

        output = pick("output")
        url = _first(
            output.get("url") if isinstance(output, dict) else None,
            output if isinstance(output, str) and output.startswith("http") else None,
            pick("outputUrl", "output_url", "url", "downloadUrl", "download_url", "videoUrl", "video_url"),
        )
        raw_status = str(pick("status", "state") or "pending").strip().lower()
        status = _STATUS_ALIASES.get(raw_status)
        if status is None:
            log.debug("unknown render status %r, treated as processing", raw_status)
            status = "processing"
        progress = _progress(pick("progress", "percent"))
        if status == "completed":
            progress = 100
            if not url:
                status = "processing"
        error = None
        if status == "failed":
            err = pick("error", "errorMessage", "error_message", "message", "reason")
            if isinstance(err, dict):
                err = err.get("message") or json.dumps(err)
            error = str(err) if err else "render failed"
        return cls(id=str(pick("id", "renderId", "render_id") or render_id), status=status,
                   progress=progress, url=str(url) if url else None, error=error,
                   eta_seconds=_seconds(pick("eta_seconds", "etaSeconds")),
                   elapsed_seconds=_seconds(pick("elapsed_seconds", "elapsedSeconds")))


def _seconds(v: object) -> float | None:
    """A non-negative finite number of seconds, else None (the field is optional everywhere)."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        return None
    try:
        n = float(v)
    except ValueError:
        return None
    return n if 0 <= n < 1e7 else None


def _progress(v: object) -> int:
    try:
        p = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    if 0 < p < 1:
        p *= 100
    return max(0, min(100, round(p)))


TurnEventKind = Literal["text", "tool_call", "tool_result", "heartbeat", "error"]


class TurnEvent(BaseModel):
    """One thing that happened in a chat turn, whatever the wire form was."""

    model_config = ConfigDict(frozen=True)

    kind: TurnEventKind
    text: str = ""
    partial: bool = False
    name: str | None = None
    args: dict[str, Any] | None = None
    code: int | None = None  # error events: the backend's numeric code when it gave one (e.g. 2001)


class Storyboard(Answer):
    """The preview of a session's current draft (the studio's storyboard route): one picture."""

    image: bytes = Field(repr=False)
    mime: str = "image/jpeg"
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.image)
