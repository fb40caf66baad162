"""Who may use this bot, and who runs it: the operator's allow-list and admin ids.

    VIDEOBOT_ALLOWED_USERS=telegram:12345,discord:81234567890,alice   unset: everybody
    VIDEOBOT_ADMIN_USERS=telegram:12345                                 bypass the allow-list and the quotas

An entry `platform:id` names one user on one platform; a bare id matches that id on any platform.
A user who is not allowed gets one line saying the bot is private, with their id for the operator,
and nothing reaches the backend.
"""

from __future__ import annotations

from bot.ids import UserKey
from bot.settings import Settings


def _entries(values: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(full "platform:id" entries, bare ids)."""
    full: set[str] = set()
    bare: set[str] = set()
    for value in values:
        value = value.strip()
        if not value:
            continue
        (full if ":" in value else bare).add(value)
    return frozenset(full), frozenset(bare)


class Access:
    def __init__(self, settings: Settings) -> None:
        self._allowed = _entries(settings.allowed_users)
        self._admins = _entries(settings.admin_users)
        self.restricted = bool(self._allowed[0] or self._allowed[1])

    @staticmethod
    def _listed(user: UserKey, entries: tuple[frozenset[str], frozenset[str]]) -> bool:
        full, bare = entries
        return str(user) in full or user.id in bare

    def is_admin(self, user: UserKey) -> bool:
        return self._listed(user, self._admins)

    def allowed(self, user: UserKey) -> bool:
        return not self.restricted or self.is_admin(user) or self._listed(user, self._allowed)
