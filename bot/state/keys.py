"""The one place Redis key names are built. Every key videobot writes starts with `vb:`.

    vb:u:{platform}:{user}                 user hash (client id, encrypted token, session, ...)
    vb:job:{render_id}                     render job hash
    vb:jobs:active                         set of render ids still to deliver
    vb:lock:{platform}:{user}              turn lock (owner token, with a lease)
    vb:queue:{platform}:{user}             waiting turns of one user (for engines that queue)
    vb:seen:{platform}:{update}            platform update de-duplication (24 h)
    vb:album:{platform}:{chat}:{group}     attachments of one album being collected (1 min)
    vb:delivery:{render_id}                delivery lease: which process resumes/delivers a job

A *user key* is the platform-qualified user id `"{platform}:{user_id}"` (what
`bot.channel.events.Incoming.user_key` gives); the store's methods take user keys, this module turns
them into Redis keys.
"""

from __future__ import annotations

PREFIX = "vb:"
JOBS_ACTIVE = f"{PREFIX}jobs:active"
CANCEL_CHANNEL = f"{PREFIX}cancel"  # pub/sub: user keys whose running turn should stop


def _part(value: str | int) -> str:
    text = str(value)
    if not text:
        raise ValueError("empty key component")
    return text


def user_key(platform: str, user_id: str | int) -> str:
    """The platform-qualified user id, e.g. `"telegram:42"`."""
    platform = _part(platform)
    if ":" in platform:
        raise ValueError(f"platform name may not contain ':': {platform!r}")
    return f"{platform}:{_part(user_id)}"


def split_user_key(key: str) -> tuple[str, str]:
    """`"telegram:42"` → `("telegram", "42")` (user ids may themselves contain ':')."""
    platform, sep, user_id = key.partition(":")
    if not sep or not platform or not user_id:
        raise ValueError(f"not a user key (expected 'platform:user_id'): {key!r}")
    return platform, user_id


def user(platform: str, user_id: str | int) -> str:
    """Redis key of a user's hash."""
    return user_hash(user_key(platform, user_id))


def user_hash(key: str) -> str:
    """Redis key of a user's hash, from a user key."""
    split_user_key(key)
    return f"{PREFIX}u:{key}"


def job(render_id: str) -> str:
    return f"{PREFIX}job:{_part(render_id)}"


def lock(key: str) -> str:
    """Turn lock of one user (from a user key)."""
    split_user_key(key)
    return f"{PREFIX}lock:{key}"


def tip(name: str, key: str) -> str:
    """A once-per-user tip already given (from a user key), e.g. `tip("long", key)`."""
    split_user_key(key)
    return f"{PREFIX}tip:{_part(name)}:{key}"


def queue(key: str) -> str:
    """Waiting turns of one user (from a user key)."""
    split_user_key(key)
    return f"{PREFIX}queue:{key}"


def seen(platform: str, update_id: str | int) -> str:
    return f"{PREFIX}seen:{_part(platform)}:{_part(update_id)}"


def album(platform: str, chat: str | int, group: str | int) -> str:
    return f"{PREFIX}album:{_part(platform)}:{_part(chat)}:{_part(group)}"


def delivery(render_id: str) -> str:
    return f"{PREFIX}delivery:{_part(render_id)}"
