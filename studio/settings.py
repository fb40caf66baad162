"""The studio's own settings (`StudioSettings`): where it listens, how it renders, what it keeps.

Read from the same environment as the bot (`VIDEOBOT_STUDIO_*`, plus the shared `REDIS_URL`,
`VIDEOBOT_DATA_DIR`, `VIDEOBOT_MAX_UPLOAD_MB` and logging of `common.settings`). The embedded mode
(`app.embedded`) builds one with the bot's Redis and data dir filled in.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from common.settings import CommonSettings, ConfigError, env, http_url

__all__ = ["DEFAULT_PORT", "ConfigError", "StudioSettings", "load_studio_settings"]

DEFAULT_PORT = 8700


class StudioSettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias=env("VIDEOBOT_STUDIO_HOST"))
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, validation_alias=env("VIDEOBOT_STUDIO_PORT"))
    render_workers: int = Field(1, ge=0, validation_alias=env("VIDEOBOT_STUDIO_RENDER_WORKERS"))
    public_url: str | None = Field(None, validation_alias=env("VIDEOBOT_STUDIO_PUBLIC_URL"))

    @field_validator("public_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return http_url(v)


def load_studio_settings(**overrides: object) -> StudioSettings:
    return StudioSettings.load(**overrides)
