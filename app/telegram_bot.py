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
from app.settings import settings_for, switches

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    return switches(
        "videobot telegram",
        "Run the Telegram bot. Needs TELEGRAM_BOT_TOKEN. Long polling by default; webhook mode when "
        "TELEGRAM_WEBHOOK_URL is set (with TELEGRAM_WEBHOOK_SECRET); TELEGRAM_API_URL points at a "
        "self-hosted Bot API server (local mode, files up to 2000 MB).",
        drop_pending="skip updates that arrived while the bot was down",
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv if argv is not None else sys.argv[1:])
    settings = settings_for("videobot telegram", check_settings, logs=True)
    if settings is None:
        return 2
    app = build_for_settings(settings, runtime=start_runtime, handle_signals=True)
    try:
        run(app, settings, drop_pending=args.drop_pending)
    except Exception as exc:  # one clear line, never a traceback on the console
        log.debug("telegram bot stopped", exc_info=True)
        print(f"videobot telegram: stopped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
