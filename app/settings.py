"""Every setting of a deployment in one view: the bot's and the studio's, read from one environment."""

from __future__ import annotations

from bot.settings import Settings
from studio.settings import StudioSettings

ENV_NAMES: dict[str, str] = {**StudioSettings.env_names(), **Settings.env_names()}
"""Every environment variable any videobot process reads (field name → variable)."""

ALL_VARIABLES: frozenset[str] = frozenset(ENV_NAMES.values())


def load_all() -> tuple[Settings, StudioSettings]:
    """Both settings classes from the environment; ConfigError names the first bad variable."""
    return Settings.load(), StudioSettings.load()
