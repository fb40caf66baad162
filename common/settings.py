"""The settings base of every videobot process: read from the environment and `.env`, validated once.

Environment variable names are a contract (operators, docker-compose and tests use them). A field's
Python name is its spelling in code; its `validation_alias` is its variable. `load()` turns the first
invalid value into a `ConfigError` whose message is one line naming the variable.

`CommonSettings` holds what both products read (state, data dir, upload cap, logging); the bot's
`bot.settings.Settings` and the studio's `studio.settings.StudioSettings` extend it. Both read the
same environment, so one `.env` configures a whole deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "redis+sentinel://", "redis-cluster://")


def env(name: str) -> AliasChoices:
    """Accept the variable name (from the environment) and nothing else as an alias."""
    return AliasChoices(name)


class ConfigError(Exception):
    """An invalid setting: its message is one line naming the variable."""


def http_url(value: str | None) -> str | None:
    """An http(s) URL without its trailing slash, or None for unset/empty."""
    if value is None or value == "":
        return None
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True, frozen=False
    )

    redis_url: str | None = Field(None, validation_alias=env("REDIS_URL"))
    data_dir: Path = Field(Path("~/.local/share/videobot"), validation_alias=env("VIDEOBOT_DATA_DIR"))
    max_upload_mb: int = Field(200, gt=0, validation_alias=env("VIDEOBOT_MAX_UPLOAD_MB"))
    log_level: str = Field("INFO", validation_alias=env("VIDEOBOT_LOG_LEVEL"))
    log_json: bool = Field(False, validation_alias=env("VIDEOBOT_LOG_JSON"))

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not v.startswith(REDIS_SCHEMES):
            raise ValueError("must start with redis://, rediss://, unix:// or redis+sentinel://")
        return v

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return v

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def env_names(cls) -> dict[str, str]:
        """Field name → environment variable, for docs, `videobot doctor` and the compose test."""
        out: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            first = alias.choices[0] if isinstance(alias, AliasChoices) else None
            out[name] = first if isinstance(first, str) else name.upper()
        return out

    @classmethod
    def load(cls, **overrides: object) -> Self:
        """Read the settings; an invalid value raises ConfigError with one line naming the variable."""
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            err = exc.errors()[0]
            key = str((err.get("loc") or ("?",))[0])
            var = cls.env_names().get(key, key)
            raise ConfigError(f"invalid setting {var}: {err.get('msg', 'invalid value')}") from None
