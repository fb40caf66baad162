"""Every setting of a deployment in one view (the bot's and the studio's, read from one environment),
and what the bot commands share to read theirs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bot.settings import ConfigError, Settings, load_settings
from common.logs import configure_logging
from common.voice.settings import VoiceSettings
from studio.settings import StudioSettings

ENV_NAMES: dict[str, str] = {
    **StudioSettings.env_names(),
    **Settings.env_names(),
    **{f"voice_{k}": v for k, v in VoiceSettings.env_names().items()},
}
"""Every environment variable any videobot process reads (field name → variable)."""

ALL_VARIABLES: frozenset[str] = frozenset(ENV_NAMES.values())


def load_all() -> tuple[Settings, StudioSettings]:
    """Both settings classes from the environment; ConfigError names the first bad variable."""
    return Settings.load(), StudioSettings.load()


def settings_for(
    prog: str, check: Callable[[Settings], str | None] | None = None, *, logs: bool = False
) -> Settings | None:
    """The bot's settings for the command `prog` (with `logs`, logging is configured from them);
    None after one line on stderr that names what is missing or wrong (the command then exits
    with status 2)."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None
    problem = check(settings) if check is not None else None
    if problem:
        print(f"{prog}: {problem}", file=sys.stderr)
        return None
    if logs:
        configure_logging(settings.log_level, json_lines=settings.log_json)
    return settings


def switches(prog: str, description: str, **flags: str) -> argparse.ArgumentParser:
    """The argument parser of a bot command whose options are on/off switches (`drop_pending="…"`
    is `--drop-pending`, with that help)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    for name, about in flags.items():
        parser.add_argument(f"--{name.replace('_', '-')}", action="store_true", help=about)
    return parser
