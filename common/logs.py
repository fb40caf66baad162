"""Logging for every videobot process: plain or JSON lines, a request id per turn, secrets masked.

`configure_logging(settings)` is called once by each command's `main`. Library code only uses
`logging.getLogger(__name__)`. A request id set with `request_id_var` (the adapter sets one per
platform update; the engine and the backend client inherit it through the context) appears in
every line, so one turn can be followed from the platform update to the render.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import uuid
from typing import Any

from common.redact import redact

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def new_request_id() -> str:
    rid = uuid.uuid4().hex[:12]
    request_id_var.set(rid)
    return rid


class RedactingFilter(logging.Filter):
    """Masks tokens in the formatted message and adds the request id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
                record.args = None
            except Exception:  # a bad format string must not drop the line
                pass
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in out and not key.startswith("_"):
                out[key] = value if isinstance(value, (int, float, bool, type(None))) else redact(str(value))
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


def configure_logging(level: str = "INFO", *, json_lines: bool = False, stream: Any = None) -> None:
    """Install one handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_videobot", False):
            root.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._videobot = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else PlainFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # chatty libraries: their request lines can carry bot tokens in URLs (Telegram puts the token in the path)
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # discord.py's DEBUG lines carry interaction tokens (webhook URLs, raw gateway events)
    for name in ("discord.http", "discord.webhook", "discord.gateway"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
