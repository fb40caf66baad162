"""The user's backend credentials, read and written through the store.

`StoreCredentials` implements `bot.backend.user.CredentialStore` (`load()`, `save(creds)`) on top
of the user's Redis hash, so `NemoUser` never knows about Redis. Only the credential fields are
written on save; the rest of the user's record (draft digest, creation time) is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr

if TYPE_CHECKING:
    from bot.backend.user import Credentials
    from bot.state.store import Store

CREDENTIAL_FIELDS: tuple[str, ...] = (
    "client_id",
    "token",
    "token_expires",
    "anon_user_id",
    "session_id",
    "task_id",
    "language",
    "own_token",
)


def _plain(v: object) -> object:
    return v.get_secret_value() if isinstance(v, SecretStr) else v


class StoreCredentials:
    """A `CredentialStore` for one user (`user_key` = `"{platform}:{user_id}"`)."""

    def __init__(self, store: Store, user_key: str) -> None:
        self._store = store
        self.user_key = user_key

    def __repr__(self) -> str:
        return f"StoreCredentials({self.user_key!r})"

    async def load(self) -> Credentials:
        from bot.backend.user import Credentials

        rec = await self._store.get_user(self.user_key)
        values: dict[str, Any] = {}
        for name in Credentials.model_fields:
            value = _plain(getattr(rec, name)) if name in CREDENTIAL_FIELDS else None
            if value is not None:  # unset here: the model's own default (e.g. language "en")
                values[name] = value
        return Credentials.model_validate(values)

    async def save(self, creds: BaseModel) -> None:
        """Write the credential fields of `creds` (a `bot.backend.user.Credentials`)."""
        dumped = creds.model_dump()
        fields = {name: _plain(dumped[name]) for name in CREDENTIAL_FIELDS if name in dumped}
        if not fields.get("client_id"):
            fields.pop("client_id", None)  # a client id is never erased, only replaced
        if fields:
            await self._store.update_user(self.user_key, **fields)
