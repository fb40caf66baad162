"""The voice settings, in one place (rows in .env.example and docs/operations.md).

| variable | default | meaning |
|---|---|---|
| `VIDEOBOT_VOICE` | `on` | `off` switches voice off even when the `[voice]` extra is installed |
| `VIDEOBOT_VOICE_CACHE` | `~/.cache/videobot-voice` | joined weights and the synthesis cache |
| `VIDEOBOT_VOICE_NAME` | `jf_nezumi` | the Kokoro voice style |
| `VIDEOBOT_VOICE_THREADS` | `1` | threads per engine (onnxruntime, CTranslate2) |
| `VIDEOBOT_VOICE_NOTE_MAX_SECONDS` | `180` | longer voice notes are not transcribed |
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.settings import CommonSettings, env

KokoroVoice = Literal["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"]


class VoiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    enabled: bool = Field(True, validation_alias=env("VIDEOBOT_VOICE"))
    cache_dir: Path = Field(Path("~/.cache/videobot-voice"), validation_alias=env("VIDEOBOT_VOICE_CACHE"))
    voice: KokoroVoice = Field("jf_nezumi", validation_alias=env("VIDEOBOT_VOICE_NAME"))
    threads: int = Field(1, ge=1, le=8, validation_alias=env("VIDEOBOT_VOICE_THREADS"))
    note_max_seconds: float = Field(
        180.0, gt=0, le=600, validation_alias=env("VIDEOBOT_VOICE_NOTE_MAX_SECONDS")
    )

    @classmethod
    def env_names(cls) -> dict[str, str]:
        """Field name → environment variable (`videobot doctor`, the deploy-files test)."""
        return CommonSettings.env_names.__func__(cls)  # type: ignore[attr-defined]

    @field_validator("cache_dir", mode="after")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @field_validator("enabled", mode="before")
    @classmethod
    def _switch(cls, v: object) -> object:
        if isinstance(v, str) and v.strip().lower() in {"on", "yes"}:
            return True
        if isinstance(v, str) and v.strip().lower() in {"off", "no"}:
            return False
        return v


def voice_settings() -> VoiceSettings:
    """The settings as the environment says now (cheap; read where they are used)."""
    return VoiceSettings()  # type: ignore[call-arg]  # read from the environment
