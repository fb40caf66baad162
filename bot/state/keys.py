"""The one place Redis key names are built. Every key videobot writes starts with `vb:`.

    vb:u:{platform}:{user}                 user hash (client id, encrypted token, session, ...)
    vb:job:{render_id}                     render job hash
    vb:jobs:active                         set of render ids still to deliver
    vb:lock:{platform}:{user}              turn lock (owner token, with a lease)
    vb:seen:{platform}:{update}            platform update de-duplication (24 h)
    vb:album:{platform}:{chat}:{group}     attachments of one album being collected (1 min)
    vb:delivery:{render_id}                delivery lease: which process resumes/delivers a job
    vb:tip:{name}:{platform}:{user}        a once-per-user tip already given
    vb:cancel                              pub/sub channel: user keys whose running turn should stop
    vb:quota:{day}:{platform}:{user}       exports a user started that UTC day (2 days)
    vb:stats:renders:{day}                 exports started that day by everybody (8 days)
    vb:stats:users:{day}                   HyperLogLog of the users who wrote that day (8 days)
    vb:metrics:render_pace                 the last render paces (seconds of render per second of video)

Users and chats are the typed ids of `bot.ids` (`UserKey`, `ChatRef`): their text form
`"{platform}:{id}"` is what the keys carry.
"""

from __future__ import annotations

from bot.ids import ChatRef, Platform, UserKey

PREFIX = "vb:"
JOBS_ACTIVE = f"{PREFIX}jobs:active"
CANCEL_CHANNEL = f"{PREFIX}cancel"


def _part(value: str | int) -> str:
    text = str(value)
    if not text:
        raise ValueError("empty key component")
    return text


def user(key: UserKey) -> str:
    """A user's hash."""
    return f"{PREFIX}u:{key}"


def job(render_id: str) -> str:
    return f"{PREFIX}job:{_part(render_id)}"


def lock(key: UserKey) -> str:
    """A user's turn lock."""
    return f"{PREFIX}lock:{key}"


def tip(name: str, key: UserKey) -> str:
    """A once-per-user tip already given, e.g. `tip("long", key)`."""
    return f"{PREFIX}tip:{_part(name)}:{key}"


def seen(platform: Platform, update_id: str | int) -> str:
    return f"{PREFIX}seen:{_part(platform)}:{_part(update_id)}"


def album(chat: ChatRef, group: str | int) -> str:
    return f"{PREFIX}album:{chat}:{_part(group)}"


def delivery(render_id: str) -> str:
    return f"{PREFIX}delivery:{_part(render_id)}"


def quota(day: str, key: UserKey) -> str:
    return f"{PREFIX}quota:{_part(day)}:{key}"


def stats_renders(day: str) -> str:
    return f"{PREFIX}stats:renders:{_part(day)}"


def stats_users(day: str) -> str:
    return f"{PREFIX}stats:users:{_part(day)}"


RENDER_PACE = f"{PREFIX}metrics:render_pace"
