"""Typed ids of the people and chats the bot talks to: `UserKey` and `ChatRef`.

Both are a platform and that platform's own id, written `"{platform}:{id}"` (the form Redis keys
and job records carry, e.g. `vb:u:telegram:42`). The id is the platform's, as text, never reparsed:
Telegram ids are integers (group chats are negative: `telegram:-1001234567890`), Discord ids are
snowflakes (`discord:1234567890123456789`), a terminal user is a name (`console:ann`), and an id
may itself contain ':' (only the first ':' separates the platform).

    key = UserKey("telegram", "42")            str(key) == "telegram:42"
    UserKey.parse("console:ann:2") == UserKey("console", "ann:2")
    ChatRef.parse("telegram:-100123").id == "-100123"

In pydantic models they validate from that text (or an instance) and serialise back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Self, get_args

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

Platform = Literal["telegram", "discord", "console"]
PLATFORMS: frozenset[str] = frozenset(get_args(Platform))


@dataclass(frozen=True, slots=True)
class _PlatformId:
    platform: Platform
    id: str

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r} (expected one of {sorted(PLATFORMS)})")
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"{type(self).__name__} needs a non-empty id, got {self.id!r}")

    @classmethod
    def of(cls, platform: Platform, id: str | int) -> Self:
        """From a platform and its id as the platform gives it (an int is written in decimal)."""
        return cls(platform, str(id))

    @classmethod
    def parse(cls, text: str) -> Self:
        """`"telegram:42"` → `(telegram, "42")`; ValueError for anything else."""
        platform, sep, id_ = text.partition(":")
        if not sep or not id_:
            raise ValueError(f"not a {cls.__name__} (expected 'platform:id'): {text!r}")
        if platform not in PLATFORMS:
            raise ValueError(f"not a {cls.__name__}: unknown platform {platform!r} in {text!r}")
        return cls(platform, id_)  # type: ignore[arg-type]  # checked against PLATFORMS just above

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"

    def number_on(self, platform: Platform) -> int | None:
        """The id as the integer `platform` uses (Telegram, Discord); None when the id is another
        platform's or not a number."""
        if self.platform != platform:
            return None
        try:
            return int(self.id)
        except ValueError:
            return None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: object) -> _PlatformId:
            if isinstance(value, cls):
                return value
            if isinstance(value, str):
                return cls.parse(value)
            raise ValueError(f"{cls.__name__} from {type(value).__name__}")

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


@dataclass(frozen=True, slots=True)
class UserKey(_PlatformId):
    """A user on one platform: whose state, lock and jobs these are."""


@dataclass(frozen=True, slots=True)
class ChatRef(_PlatformId):
    """A chat on one platform (a private chat, a group, a Discord channel, a terminal): where to answer."""
