"""`videobot telegram`: the Telegram bot, wired onto the composition root's runtime.

    videobot telegram [--drop-pending]

Needs TELEGRAM_BOT_TOKEN. Long polling by default; webhook mode when TELEGRAM_WEBHOOK_URL is set
(with TELEGRAM_WEBHOOK_SECRET); TELEGRAM_API_URL points at a self-hosted Bot API server (local
mode, files up to 2000 MB). SIGINT/SIGTERM stop the turns in flight first (their renders stay in
Redis for the next start), then the bot. See docs/telegram.md.
"""

from __future__ import annotations

import argparse
import logging
import sys

from adapters.telegram.run import build_for_settings, check_settings, run
from app.runtime import start_runtime
from bot.settings import ConfigError, load_settings
from common.logs import configure_logging

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="videobot telegram",
        description=(
            "Run the Telegram bot. Needs TELEGRAM_BOT_TOKEN. Long polling by default; "
            "webhook mode when TELEGRAM_WEBHOOK_URL is set (with TELEGRAM_WEBHOOK_SECRET); "
            "TELEGRAM_API_URL points at a self-hosted Bot API server (local mode, files up to 2000 MB)."
        ),
    )
    p.add_argument(
        "--drop-pending", action="store_true", help="skip updates that arrived while the bot was down"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv if argv is not None else sys.argv[1:])
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"videobot telegram: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json_lines=settings.log_json)
    problem = check_settings(settings)
    if problem:
        print(f"videobot telegram: {problem}", file=sys.stderr)
        return 2
    app = build_for_settings(settings, runtime=start_runtime, handle_signals=True)
    try:
        run(app, settings, drop_pending=args.drop_pending)
    except Exception as exc:  # one clear line, never a traceback on the console
        log.debug("telegram bot stopped", exc_info=True)
        print(f"videobot telegram: stopped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
