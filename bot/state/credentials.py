"""The user's backend credentials, read and written through the user's record.

`StoreCredentials` implements `bot.backend.user.CredentialStore` (`load()`, `save(creds)`) on top
of the user's Redis hash, so `NemoUser` never knows about Redis. The credential fields are
`bot.backend.user.Credentials`' own (each one is also a `UserRecord` field): only those are written
on save; the rest of the user's record (draft digest, creation time) is left alone.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from bot.backend.user import Credentials
from bot.ids import UserKey
from bot.state.users import Users

CREDENTIAL_FIELDS: tuple[str, ...] = tuple(Credentials.model_fields)


def _plain(v: object) -> object:
    return v.get_secret_value() if isinstance(v, SecretStr) else v


class StoreCredentials:
    """A `CredentialStore` for one user."""

    def __init__(self, users: Users, user_key: UserKey) -> None:
        self._users = users
        self.user_key = user_key

    def __repr__(self) -> str:
        return f"StoreCredentials({str(self.user_key)!r})"

    async def load(self) -> Credentials:
        rec = await self._users.get(self.user_key)
        values: dict[str, Any] = {}
        for name in CREDENTIAL_FIELDS:
            value = _plain(getattr(rec, name))
            if value is not None:  # unset here: the model's own default (e.g. language "en")
                values[name] = value
        return Credentials.model_validate(values)

    async def save(self, creds: Credentials) -> None:
        """Write the credential fields of `creds`."""
        fields = {name: _plain(getattr(creds, name)) for name in CREDENTIAL_FIELDS}
        if not fields.get("client_id"):
            fields.pop("client_id", None)  # a client id is never erased, only replaced
        await self._users.update(self.user_key, **fields)
