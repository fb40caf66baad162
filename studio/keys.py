"""Every Redis key the studio uses, built in one place, with its lifetime.

| key | holds | TTL |
|---|---|---|
| `studio:token:{sha256(token)}` | hash: user_id, client_hash, expires_at (stored hashed) | 7 days |
| `studio:cid:{hmac(pepper, client_id)}` | hash: user_id, token_hash, secret_hash | 30 days, renewed |
| `studio:user:{user_id}` | hash: available, frozen, client_hash, created | 30 days, renewed |
| `studio:session:{sid}` | hash: user_id, task_id, language, task_name, created | 30 days, renewed |
| `studio:state:{sid}` | JSON of the session state (draft, assets, ...) | 30 days, renewed |
| `studio:history:{sid}` | JSON: the session's version log (labels, calls, undo/redo) | 30 days, renewed |
| `studio:versions:{sid}` | hash: version number → that version's draft (the last 50) | 30 days, renewed |
| `studio:turn:{sid}` | the lock that serialises the session's turns (a random token) | the turn's deadline |
| `studio:asset:{asset_id}` | hash: user_id, session_id, path, kind, name | 30 days |
| `studio:render:{user_id}:{render_id}` | hash: the render job (status, progress, draft, result) | 72 h (1) |
| `studio:lastrender:{sid}` | the session's newest export (reused when unchanged) | 72 h (1) |
| `studio:metrics:render_pace` | list: render seconds per video second, last 20 renders | none |
| `studio:migrated:client-ids` | marker: plain client ids were hashed (`studio.api.auth`) | none |
| `saq:studio-renders:*`, `saq:job:studio-renders:*` | the render queue (studio/jobs/queue.py) | SAQ sets |

(1) `VIDEOBOT_STUDIO_RENDER_KEEP_HOURS`; the draft is dropped from the hash once the render ends.

`studio:client:{client_id}` (client ids in plain text) is the layout before client ids were hashed;
the studio moves such records to `studio:cid:` at start-up.

A render job id is `{user_id}:{render_id}`: render ids are chosen by clients (`render_<unix ms>`),
so two users may pick the same one; scoping by user keeps them apart and makes another user's
render simply not exist for you.
"""

from __future__ import annotations

from typing import Any

DAY = 86400
TOKEN_TTL = 7 * DAY
ACCOUNT_TTL = 30 * DAY
RENDER_TTL = 3 * DAY  # the default of VIDEOBOT_STUDIO_RENDER_KEEP_HOURS
MIGRATED_CLIENT_IDS = "studio:migrated:client-ids"
LEGACY_CLIENT_PREFIX = "studio:client:"
LEGACY_CLIENT_PATTERN = LEGACY_CLIENT_PREFIX + "*"
USER_PATTERN = "studio:user:*"
TOKEN_PATTERN = "studio:token:*"


def token(token_hash: str) -> str:
    return f"studio:token:{token_hash}"


def client(client_hash: str) -> str:
    return f"studio:cid:{client_hash}"


def user(user_id: str) -> str:
    return f"studio:user:{user_id}"


def session(session_id: str) -> str:
    return f"studio:session:{session_id}"


def state(session_id: str) -> str:
    return f"studio:state:{session_id}"


def history(session_id: str) -> str:
    return f"studio:history:{session_id}"


def versions(session_id: str) -> str:
    return f"studio:versions:{session_id}"


def turn_lock(session_id: str) -> str:
    return f"studio:turn:{session_id}"


def asset(asset_id: str) -> str:
    return f"studio:asset:{asset_id}"


def render_job_id(user_id: str, render_id: str) -> str:
    return f"{user_id}:{render_id}"


def render(job_id: str) -> str:
    return f"studio:render:{job_id}"


def last_render(session_id: str) -> str:
    return f"studio:lastrender:{session_id}"


def text_hash(raw: dict[Any, Any]) -> dict[str, str]:
    """A Redis hash as `str -> str` (redis-py answers bytes)."""
    return {_s(k): _s(v) for k, v in raw.items()}


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
