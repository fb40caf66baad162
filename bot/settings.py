"""The bot's settings: every knob of a bot process, read from the environment and `.env`.

Built on `common.settings.CommonSettings` (Redis, data dir, upload cap, logging); the studio has
its own `studio.settings.StudioSettings`. The environment variable names are a contract (operators,
docker-compose and tests use them); see the settings table in docs/architecture.md. Field names
are the Python spelling; each field's `validation_alias` is its variable. Tests build
`Settings(...)` with field names directly.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from common.settings import CommonSettings, ConfigError, env, http_url

__all__ = ["DEFAULT_WEB_URL", "ENV_NAMES", "ConfigError", "Settings", "load_settings"]

DEFAULT_WEB_URL = "https://nemovideo.com"


class Settings(CommonSettings):
    # --- backend -------------------------------------------------------------------------
    nemo_api_url: str | None = Field(None, validation_alias=env("NEMO_API_URL"))
    nemo_web_url: str | None = Field(None, validation_alias=env("NEMO_WEB_URL"))
    nemo_token: SecretStr | None = Field(None, validation_alias=env("NEMO_TOKEN"))
    skill_platform: str = Field("unknown", validation_alias=env("SKILL_PLATFORM"))

    # --- state ---------------------------------------------------------------------------
    secret_key: SecretStr | None = Field(
        None,
        validation_alias=env("VIDEOBOT_SECRET_KEY"),
        description="Fernet key for tokens at rest; unset: one is generated into the data dir",
    )

    # --- Telegram ------------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(None, validation_alias=env("TELEGRAM_BOT_TOKEN"))
    telegram_api_url: str | None = Field(None, validation_alias=env("TELEGRAM_API_URL"))
    telegram_webhook_url: str | None = Field(None, validation_alias=env("TELEGRAM_WEBHOOK_URL"))
    telegram_webhook_secret: SecretStr | None = Field(
        None, validation_alias=env("TELEGRAM_WEBHOOK_SECRET")
    )
    telegram_webhook_listen: str = Field("0.0.0.0", validation_alias=env("TELEGRAM_WEBHOOK_LISTEN"))
    telegram_webhook_port: int = Field(8443, ge=1, le=65535, validation_alias=env("TELEGRAM_WEBHOOK_PORT"))
    telegram_drafts: bool = Field(
        True,
        validation_alias=env("VIDEOBOT_TELEGRAM_DRAFTS"),
        description="stream replies in private chats as native drafts (sendMessageDraft); off: edits",
    )
    telegram_draft_interval: float = Field(
        0.5, gt=0, validation_alias=env("VIDEOBOT_TELEGRAM_DRAFT_SECONDS"),
        description="seconds between draft updates of one streamed answer",
    )

    # --- Discord -------------------------------------------------------------------------
    discord_bot_token: SecretStr | None = Field(None, validation_alias=env("DISCORD_BOT_TOKEN"))
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=env("DISCORD_GUILD_IDS")
    )
    discord_shards: int | None = Field(None, ge=1, validation_alias=env("DISCORD_SHARDS"))
    discord_message_content: bool = Field(False, validation_alias=env("DISCORD_MESSAGE_CONTENT"))

    # --- behaviour -----------------------------------------------------------------------
    rate_limit_wait_seconds: float = Field(
        30.0, ge=0, validation_alias=env("VIDEOBOT_RATE_LIMIT_WAIT_SECONDS")
    )
    still_working_seconds: float = Field(
        120.0, gt=0, validation_alias=env("VIDEOBOT_STILL_WORKING_SECONDS")
    )
    sse_idle_timeout_seconds: float = Field(
        600.0, gt=0, validation_alias=env("VIDEOBOT_SSE_IDLE_TIMEOUT_SECONDS")
    )
    sse_total_timeout_seconds: float = Field(
        900.0, gt=0, validation_alias=env("VIDEOBOT_SSE_TOTAL_TIMEOUT_SECONDS")
    )
    recovery_poll_seconds: float = Field(
        30.0, gt=0, validation_alias=env("VIDEOBOT_RECOVERY_POLL_SECONDS")
    )
    recovery_max_polls: int = Field(5, ge=1, validation_alias=env("VIDEOBOT_RECOVERY_MAX_POLLS"))
    render_poll_seconds: float = Field(2.0, gt=0, validation_alias=env("VIDEOBOT_RENDER_POLL_SECONDS"))
    render_poll_max_seconds: float = Field(
        15.0, gt=0, validation_alias=env("VIDEOBOT_RENDER_POLL_MAX_SECONDS")
    )
    # the studio's wall limit of one render (VIDEOBOT_STUDIO_RENDER_TIMEOUT_SECONDS, 900 s) plus up
    # to 5 minutes waiting in its queue; time waiting for Redis does not count (docs/operations.md)
    render_timeout_seconds: float = Field(
        1200.0, gt=0, validation_alias=env("VIDEOBOT_RENDER_TIMEOUT_SECONDS")
    )
    http_timeout_seconds: float = Field(30.0, gt=0, validation_alias=env("VIDEOBOT_HTTP_TIMEOUT_SECONDS"))
    http_retries: int = Field(3, ge=0, validation_alias=env("VIDEOBOT_HTTP_RETRIES"))
    max_concurrent_turns: int = Field(200, ge=1, validation_alias=env("VIDEOBOT_MAX_CONCURRENT_TURNS"))
    lock_lease_seconds: float = Field(60.0, gt=0, validation_alias=env("VIDEOBOT_LOCK_LEASE_SECONDS"))
    cancel_relay: bool = Field(True, validation_alias=env("VIDEOBOT_CANCEL_RELAY"))
    album_wait_seconds: float = Field(1.0, ge=0, validation_alias=env("VIDEOBOT_ALBUM_WAIT_SECONDS"))
    long_prompt_words: int = Field(60, ge=1, validation_alias=env("VIDEOBOT_LONG_PROMPT_WORDS"))
    storyboard_after_edit: bool = Field(
        True,
        validation_alias=env("VIDEOBOT_STORYBOARD_AFTER_EDIT"),
        description="send the draft's storyboard picture after every turn that changed the draft",
    )
    storyboard_timeout_seconds: float = Field(
        3.0, gt=0, validation_alias=env("VIDEOBOT_STORYBOARD_TIMEOUT_SECONDS"),
        description="how long a storyboard may take (fetch and send); later: skipped, logged",
    )

    # --- what a user may send (each refused with a clear line naming the file and the reason) ---
    max_message_chars: int = Field(2000, ge=1, validation_alias=env("VIDEOBOT_MAX_MESSAGE_CHARS"))
    max_files_per_message: int = Field(10, ge=1, validation_alias=env("VIDEOBOT_MAX_FILES_PER_MESSAGE"))
    max_upload_megapixels: float = Field(50.0, gt=0, validation_alias=env("VIDEOBOT_MAX_IMAGE_MEGAPIXELS"))
    max_upload_seconds: float = Field(600.0, gt=0, validation_alias=env("VIDEOBOT_MAX_MEDIA_SECONDS"))

    # --- operator limits for a public bot (docs/operations.md, "Limits for a public bot") ---------
    allowed_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=env("VIDEOBOT_ALLOWED_USERS")
    )
    admin_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=env("VIDEOBOT_ADMIN_USERS")
    )
    renders_per_day: int = Field(20, ge=0, validation_alias=env("VIDEOBOT_RENDERS_PER_DAY"))
    concurrent_renders: int = Field(1, ge=1, validation_alias=env("VIDEOBOT_CONCURRENT_RENDERS"))

    # per-channel streaming throttles (seconds between edits of one message)
    telegram_edit_interval: float = Field(1.0, gt=0, validation_alias=env("VIDEOBOT_TELEGRAM_EDIT_SECONDS"))
    telegram_group_edit_interval: float = Field(
        3.0, gt=0, validation_alias=env("VIDEOBOT_TELEGRAM_GROUP_EDIT_SECONDS")
    )
    discord_edit_interval: float = Field(1.2, gt=0, validation_alias=env("VIDEOBOT_DISCORD_EDIT_SECONDS"))
    console_edit_interval: float = Field(0.1, gt=0, validation_alias=env("VIDEOBOT_CONSOLE_EDIT_SECONDS"))

    # --- logging / metrics -----------------------------------------------------------------
    metrics_port: int | None = Field(None, ge=0, le=65535, validation_alias=env("VIDEOBOT_METRICS_PORT"))

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            return [int(x) for x in v.replace(" ", "").split(",") if x]
        if isinstance(v, int):
            return [v]
        return v

    @field_validator("allowed_users", "admin_users", mode="before")
    @classmethod
    def _split_users(cls, v: object) -> object:
        if isinstance(v, str):
            return [x.strip() for x in v.split(",") if x.strip()]
        return v

    @field_validator("nemo_api_url", "nemo_web_url", "telegram_api_url", "telegram_webhook_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return http_url(v)

    # --- derived ---------------------------------------------------------------------------
    @property
    def web_url(self) -> str:
        """Links shown to users: NEMO_WEB_URL (the embedded mode fills in the studio's own URL)."""
        return self.nemo_web_url or DEFAULT_WEB_URL

    @property
    def max_upload_pixels(self) -> int:
        return int(self.max_upload_megapixels * 1_000_000)

    @property
    def embedded_studio(self) -> bool:
        return self.nemo_api_url is None


ENV_NAMES: dict[str, str] = Settings.env_names()
"""Field name → environment variable, for docs, `videobot doctor` and the compose test."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings; an invalid value raises ConfigError with one line naming the variable."""
    return Settings.load(**overrides)
