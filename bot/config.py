"""Settings: every knob of videobot, read from the environment and `.env`, validated once.

The environment variable names are a contract (operators, docker-compose and tests use them);
see the settings table in docs/architecture.md. Field names are the Python spelling; each field's
`validation_alias` is its variable. Tests build `Settings(...)` with field names directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_WEB_URL = "https://nemovideo.com"


def _env(name: str) -> AliasChoices:
    """Accept the variable name (from the environment) and nothing else as an alias."""
    return AliasChoices(name)


class ConfigError(Exception):
    """An invalid setting: its message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=False,
    )

    # --- backend -------------------------------------------------------------------------
    nemo_api_url: str | None = Field(None, validation_alias=_env("NEMO_API_URL"))
    nemo_web_url: str | None = Field(None, validation_alias=_env("NEMO_WEB_URL"))
    nemo_token: SecretStr | None = Field(None, validation_alias=_env("NEMO_TOKEN"))
    skill_platform: str = Field("unknown", validation_alias=_env("SKILL_PLATFORM"))

    # --- state ---------------------------------------------------------------------------
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))
    data_dir: Path = Field(
        Path("~/.local/share/videobot"), validation_alias=_env("VIDEOBOT_DATA_DIR")
    )
    secret_key: SecretStr | None = Field(
        None,
        validation_alias=_env("VIDEOBOT_SECRET_KEY"),
        description="Fernet key for tokens at rest; unset: one is generated into the data dir",
    )

    # --- Telegram ------------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_url: str | None = Field(None, validation_alias=_env("TELEGRAM_API_URL"))
    telegram_webhook_url: str | None = Field(None, validation_alias=_env("TELEGRAM_WEBHOOK_URL"))
    telegram_webhook_secret: SecretStr | None = Field(
        None, validation_alias=_env("TELEGRAM_WEBHOOK_SECRET")
    )
    telegram_webhook_listen: str = Field("0.0.0.0", validation_alias=_env("TELEGRAM_WEBHOOK_LISTEN"))
    telegram_webhook_port: int = Field(8443, ge=1, le=65535, validation_alias=_env("TELEGRAM_WEBHOOK_PORT"))

    # --- Discord -------------------------------------------------------------------------
    discord_bot_token: SecretStr | None = Field(None, validation_alias=_env("DISCORD_BOT_TOKEN"))
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("DISCORD_GUILD_IDS")
    )
    discord_shards: int | None = Field(None, ge=1, validation_alias=_env("DISCORD_SHARDS"))
    discord_message_content: bool = Field(False, validation_alias=_env("DISCORD_MESSAGE_CONTENT"))

    # --- behaviour -----------------------------------------------------------------------
    rate_limit_wait_seconds: float = Field(
        30.0, ge=0, validation_alias=_env("VIDEOBOT_RATE_LIMIT_WAIT_SECONDS")
    )
    still_working_seconds: float = Field(
        120.0, gt=0, validation_alias=_env("VIDEOBOT_STILL_WORKING_SECONDS")
    )
    sse_idle_timeout_seconds: float = Field(
        600.0, gt=0, validation_alias=_env("VIDEOBOT_SSE_IDLE_TIMEOUT_SECONDS")
    )
    sse_total_timeout_seconds: float = Field(
        900.0, gt=0, validation_alias=_env("VIDEOBOT_SSE_TOTAL_TIMEOUT_SECONDS")
    )
    recovery_poll_seconds: float = Field(
        30.0, gt=0, validation_alias=_env("VIDEOBOT_RECOVERY_POLL_SECONDS")
    )
    recovery_max_polls: int = Field(5, ge=1, validation_alias=_env("VIDEOBOT_RECOVERY_MAX_POLLS"))
    render_poll_seconds: float = Field(2.0, gt=0, validation_alias=_env("VIDEOBOT_RENDER_POLL_SECONDS"))
    render_poll_max_seconds: float = Field(
        15.0, gt=0, validation_alias=_env("VIDEOBOT_RENDER_POLL_MAX_SECONDS")
    )
    render_timeout_seconds: float = Field(
        600.0, gt=0, validation_alias=_env("VIDEOBOT_RENDER_TIMEOUT_SECONDS")
    )
    max_upload_mb: int = Field(200, gt=0, validation_alias=_env("VIDEOBOT_MAX_UPLOAD_MB"))
    http_timeout_seconds: float = Field(30.0, gt=0, validation_alias=_env("VIDEOBOT_HTTP_TIMEOUT_SECONDS"))
    http_retries: int = Field(3, ge=0, validation_alias=_env("VIDEOBOT_HTTP_RETRIES"))
    max_concurrent_turns: int = Field(200, ge=1, validation_alias=_env("VIDEOBOT_MAX_CONCURRENT_TURNS"))
    lock_lease_seconds: float = Field(60.0, gt=0, validation_alias=_env("VIDEOBOT_LOCK_LEASE_SECONDS"))
    cancel_relay: bool = Field(True, validation_alias=_env("VIDEOBOT_CANCEL_RELAY"))
    album_wait_seconds: float = Field(1.0, ge=0, validation_alias=_env("VIDEOBOT_ALBUM_WAIT_SECONDS"))
    long_prompt_words: int = Field(60, ge=1, validation_alias=_env("VIDEOBOT_LONG_PROMPT_WORDS"))

    # per-channel streaming throttles (seconds between edits of one message)
    telegram_edit_interval: float = Field(1.0, gt=0, validation_alias=_env("VIDEOBOT_TELEGRAM_EDIT_SECONDS"))
    telegram_group_edit_interval: float = Field(
        3.0, gt=0, validation_alias=_env("VIDEOBOT_TELEGRAM_GROUP_EDIT_SECONDS")
    )
    discord_edit_interval: float = Field(1.2, gt=0, validation_alias=_env("VIDEOBOT_DISCORD_EDIT_SECONDS"))
    console_edit_interval: float = Field(0.1, gt=0, validation_alias=_env("VIDEOBOT_CONSOLE_EDIT_SECONDS"))

    # --- studio (self-hosted backend) ----------------------------------------------------
    studio_host: str = Field("127.0.0.1", validation_alias=_env("VIDEOBOT_STUDIO_HOST"))
    studio_port: int = Field(8700, ge=0, le=65535, validation_alias=_env("VIDEOBOT_STUDIO_PORT"))
    studio_render_workers: int = Field(1, ge=0, validation_alias=_env("VIDEOBOT_STUDIO_RENDER_WORKERS"))
    studio_public_url: str | None = Field(None, validation_alias=_env("VIDEOBOT_STUDIO_PUBLIC_URL"))

    # --- logging / metrics -----------------------------------------------------------------
    log_level: str = Field("INFO", validation_alias=_env("VIDEOBOT_LOG_LEVEL"))
    log_json: bool = Field(False, validation_alias=_env("VIDEOBOT_LOG_JSON"))
    metrics_port: int | None = Field(None, ge=0, le=65535, validation_alias=_env("VIDEOBOT_METRICS_PORT"))

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            return [int(x) for x in v.replace(" ", "").split(",") if x]
        if isinstance(v, int):
            return [v]
        return v

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @field_validator(
        "nemo_api_url", "nemo_web_url", "telegram_api_url", "telegram_webhook_url", "studio_public_url"
    )
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not v.startswith(("redis://", "rediss://", "unix://", "redis+sentinel://", "redis-cluster://")):
            raise ValueError("must start with redis://, rediss://, unix:// or redis+sentinel://")
        return v

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return v

    # --- derived ---------------------------------------------------------------------------
    @property
    def web_url(self) -> str:
        """Links shown to users: NEMO_WEB_URL, else the studio's own URL when embedded."""
        if self.nemo_web_url:
            return self.nemo_web_url
        if self.nemo_api_url is None and self.studio_public_url:
            return self.studio_public_url
        return DEFAULT_WEB_URL

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def embedded_studio(self) -> bool:
        return self.nemo_api_url is None


def _field_to_env(settings_cls: type[Settings]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            first = alias.choices[0]
            out[name] = first if isinstance(first, str) else name.upper()
        else:
            out[name] = name.upper()
    return out


ENV_NAMES: dict[str, str] = _field_to_env(Settings)
"""Field name → environment variable, for docs, `videobot doctor` and the compose test."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings; an invalid value raises ConfigError with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err.get("loc") or ("?",)
        key = str(loc[0])
        var = ENV_NAMES.get(key, key)
        raise ConfigError(f"invalid setting {var}: {err.get('msg', 'invalid value')}") from None
