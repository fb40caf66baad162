"""The records kept in Redis (`UserRecord`, `JobRecord`) and their Redis-hash encoding.

Users are many and mostly idle, so a user hash uses short field names and omits empty fields
(an idle user is a client id and a creation time). The token and the client secret are encrypted
by the store before they are written (`bot.state.crypto.TokenCipher`); these models hold them in
clear, as `SecretStr`s so they never show in a repr or a log line. Jobs are few and use their field
names as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from bot.ids import ChatRef, UserKey

JobStatus = Literal["submitting", "pending", "processing", "completed", "failed", "delivered", "cancelled"]
FINISHED_STATUSES: frozenset[str] = frozenset({"delivered", "cancelled"})
"""Statuses after which nothing is left to tell the user: such a job leaves the active set."""

# UserRecord field → hash field. `user_key` is the key itself; the ENCRYPTED ones are stored encrypted.
USER_FIELDS: dict[str, str] = {
    "client_id": "cid",
    "client_secret": "cs",
    "token": "tok",
    "token_expires": "tex",
    "anon_user_id": "aid",
    "session_id": "sid",
    "task_id": "tid",
    "language": "lg",
    "last_draft_digest": "dg",
    "own_token": "own",
    "created": "at",
}
HASH_TO_USER: dict[str, str] = {v: k for k, v in USER_FIELDS.items()}
ENCRYPTED_USER_FIELDS: frozenset[str] = frozenset({"token", "client_secret"})


def _now() -> float:
    return time.time()


def _epoch(v: object) -> object:
    if isinstance(v, datetime):
        return v.timestamp()
    return v


class UserRecord(BaseModel):
    """Everything kept about one user."""

    model_config = ConfigDict(validate_assignment=True)

    user_key: UserKey
    client_id: str
    client_secret: SecretStr | None = None  # the studio's proof of the client id (given once)
    token: SecretStr | None = None
    token_expires: float | None = None  # unix seconds
    anon_user_id: str | None = None
    session_id: str | None = None
    task_id: str | None = None
    language: str | None = None
    last_draft_digest: str | None = None
    own_token: bool = False  # the user gave their own token (never replaced by an anonymous one)
    created: float = Field(default_factory=_now)

    @field_validator("token_expires", "created", mode="before")
    @classmethod
    def _epoch_fields(cls, v: object) -> object:
        return _epoch(v)

    @field_validator("token", "client_secret", mode="before")
    @classmethod
    def _empty_secret(cls, v: object) -> object:
        return None if v == "" else v

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token is not None else None


class JobRecord(BaseModel):
    """One render job, written before the submit call and after every poll: whose (`user_key`)
    and where the video goes (`chat`, the chat the export was asked in)."""

    model_config = ConfigDict(validate_assignment=True)

    render_id: str
    user_key: UserKey
    chat: ChatRef
    session_id: str | None = None
    status: JobStatus = "submitting"
    progress: int = 0
    url: str | None = None
    attempts: int = 0
    error: str | None = None
    language: str | None = None
    # the "⏳ Rendering…" message (an adapter's `MessageRef`: id, chat id): a restarted bot edits
    # it rather than leaving it behind
    message_id: str | None = None
    message_chat: str | None = None
    video_seconds: float | None = None  # the draft's length: what the learnt pace estimates from
    created: float = Field(default_factory=_now)
    updated: float = Field(default_factory=_now)

    @field_validator("created", "updated", mode="before")
    @classmethod
    def _epoch_fields(cls, v: object) -> object:
        return _epoch(v)


def _text(v: object) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _decode(v: object) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def encode_user_fields(
    values: Mapping[str, Any], encrypt: Callable[[str], str]
) -> tuple[dict[str, str], list[str]]:
    """UserRecord field values → (hash fields to set, hash fields to delete).

    Empty values (None, "", own_token False) are deleted rather than stored; the token and the
    client secret are encrypted with `encrypt`.
    """
    put: dict[str, str] = {}
    drop: list[str] = []
    for name, value in values.items():
        short = USER_FIELDS.get(name)
        if short is None:
            raise ValueError(f"UserRecord has no stored field {name!r}")
        v = value.get_secret_value() if isinstance(value, SecretStr) else value
        if v is None or v == "" or (name == "own_token" and not v):
            drop.append(short)
        elif name in ENCRYPTED_USER_FIELDS:
            put[short] = encrypt(str(v))
        else:
            put[short] = _text(v)
    return put, drop


def user_values(rec: UserRecord, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored fields of `rec` (all, or only `names`), ready for `encode_user_fields`."""
    wanted = USER_FIELDS.keys() if names is None else [n for n in names if n in USER_FIELDS]
    return {name: getattr(rec, name) for name in wanted}


def user_fields_from_hash(raw: dict[Any, Any]) -> dict[str, str]:
    """Hash (bytes or str) → UserRecord field names with text values; `tok` and `cs` still encrypted."""
    out: dict[str, str] = {}
    for k, v in raw.items():
        name = HASH_TO_USER.get(_decode(k))
        if name is not None:
            out[name] = _decode(v)
    return out


# A job hash keeps the chat as two fields, `platform` and `chat_id` (as it always has, so jobs written
# by an older bot still resume); the other fields are the model's own.
_JOB_HASH_FIELDS = frozenset(JobRecord.model_fields) - {"render_id", "chat"} | {"platform", "chat_id"}


def job_to_hash(job: JobRecord) -> tuple[dict[str, str], list[str]]:
    put: dict[str, str] = {"platform": job.chat.platform, "chat_id": job.chat.id}
    drop: list[str] = []
    for name, v in job.model_dump(exclude={"render_id", "chat"}).items():
        if v is None:
            drop.append(name)
        else:
            put[name] = _text(v)
    return put, drop


def job_from_hash(render_id: str, raw: dict[Any, Any]) -> JobRecord:
    fields = {_decode(k): _decode(v) for k, v in raw.items()}
    fields = {k: v for k, v in fields.items() if k in _JOB_HASH_FIELDS}
    chat = ChatRef.parse(f"{fields.pop('platform', '')}:{fields.pop('chat_id', '')}")
    return JobRecord.model_validate({**fields, "render_id": render_id, "chat": chat})
