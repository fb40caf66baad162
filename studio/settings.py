"""The studio's own settings (`StudioSettings`): where it listens, how it renders, what it keeps.

Read from the same environment as the bot (`VIDEOBOT_STUDIO_*`, plus the shared `REDIS_URL`,
`VIDEOBOT_DATA_DIR`, `VIDEOBOT_MAX_UPLOAD_MB` and logging of `common.settings`). The embedded mode
(`app.embedded`) builds one with the bot's Redis and data dir filled in.

Every limit the studio enforces is a field here (its variable in `.env.example` and
`docs/operations.md`, its error code in `docs/studio.md`):

| field | variable | default |
|---|---|---|
| `max_image_megapixels` | `VIDEOBOT_STUDIO_MAX_IMAGE_MEGAPIXELS` | 50 (photos and video frames) |
| `max_media_seconds` | `VIDEOBOT_STUDIO_MAX_MEDIA_SECONDS` | 600 (an uploaded clip or audio) |
| `max_files_per_upload` | `VIDEOBOT_STUDIO_MAX_FILES_PER_UPLOAD` | 20 (files or URLs per request) |
| `max_request_kb` | `VIDEOBOT_STUDIO_MAX_REQUEST_KB` | 32 (JSON bodies: chat turns, sessions, URL lists) |
| `max_draft_kb` | `VIDEOBOT_STUDIO_MAX_DRAFT_KB` | 1024 (a render submit, draft included) |
| `max_draft_segments` | `VIDEOBOT_STUDIO_MAX_DRAFT_SEGMENTS` | 400 (all tracks together) |
| `max_video_seconds` | `VIDEOBOT_STUDIO_MAX_VIDEO_SECONDS` | 300 (any segment's end, and the whole video) |
| `render_limit_seconds` | `VIDEOBOT_STUDIO_RENDER_TIMEOUT_SECONDS` | 900 (wall time of one render) |
| `render_keep_hours` | `VIDEOBOT_STUDIO_RENDER_KEEP_HOURS` | 72 (a render job's record) |
| `url_fetch_seconds` | `VIDEOBOT_STUDIO_URL_FETCH_SECONDS` | 120 (one URL download, start to end) |
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from common.settings import CommonSettings, ConfigError, env, http_url

__all__ = ["DEFAULT_PORT", "ConfigError", "StudioSettings", "load_studio_settings"]

DEFAULT_PORT = 8700


class StudioSettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias=env("VIDEOBOT_STUDIO_HOST"))
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, validation_alias=env("VIDEOBOT_STUDIO_PORT"))
    render_workers: int = Field(1, ge=0, validation_alias=env("VIDEOBOT_STUDIO_RENDER_WORKERS"))
    public_url: str | None = Field(None, validation_alias=env("VIDEOBOT_STUDIO_PUBLIC_URL"))
    # the key client ids are hashed with (HMAC-SHA256); unset: generated into <data_dir>/studio/pepper.key
    client_pepper: SecretStr | None = Field(None, validation_alias=env("VIDEOBOT_STUDIO_PEPPER"))

    # --- limits -----------------------------------------------------------------------------------
    max_image_megapixels: float = Field(50.0, gt=0, le=1000,
                                        validation_alias=env("VIDEOBOT_STUDIO_MAX_IMAGE_MEGAPIXELS"))
    max_media_seconds: float = Field(600.0, gt=0, validation_alias=env("VIDEOBOT_STUDIO_MAX_MEDIA_SECONDS"))
    max_files_per_upload: int = Field(20, ge=1, le=1000,
                                      validation_alias=env("VIDEOBOT_STUDIO_MAX_FILES_PER_UPLOAD"))
    max_request_kb: int = Field(32, ge=1, validation_alias=env("VIDEOBOT_STUDIO_MAX_REQUEST_KB"))
    max_draft_kb: int = Field(1024, ge=1, validation_alias=env("VIDEOBOT_STUDIO_MAX_DRAFT_KB"))
    max_draft_segments: int = Field(400, ge=1, validation_alias=env("VIDEOBOT_STUDIO_MAX_DRAFT_SEGMENTS"))
    max_video_seconds: float = Field(300.0, gt=0, validation_alias=env("VIDEOBOT_STUDIO_MAX_VIDEO_SECONDS"))
    render_limit_seconds: float = Field(900.0, gt=0,
                                          validation_alias=env("VIDEOBOT_STUDIO_RENDER_TIMEOUT_SECONDS"))
    render_keep_hours: float = Field(72.0, gt=0, validation_alias=env("VIDEOBOT_STUDIO_RENDER_KEEP_HOURS"))
    url_fetch_seconds: float = Field(120.0, gt=0, validation_alias=env("VIDEOBOT_STUDIO_URL_FETCH_SECONDS"))

    @field_validator("public_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return http_url(v)

    @property
    def max_image_pixels(self) -> int:
        return int(self.max_image_megapixels * 1_000_000)

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_kb * 1024

    @property
    def max_draft_bytes(self) -> int:
        return self.max_draft_kb * 1024

    @property
    def render_keep_seconds(self) -> int:
        return max(60, int(self.render_keep_hours * 3600))


def load_studio_settings(**overrides: object) -> StudioSettings:
    return StudioSettings.load(**overrides)
