"""Secrets out of text: the one place that knows what a credential looks like.

Masked: NemoVideo tokens (`nmv_usr_…`), the studio's client secrets (`vbcs_…`), bearer credentials,
Telegram bot tokens (also inside Bot API URLs such as `https://api.telegram.org/bot123456:AA…/getFile`),
Discord bot tokens, and the password of a `redis://user:password@host` URL.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # NemoVideo tokens keep their readable prefix; bearer credentials keep the word "Bearer"
    (re.compile(r"(nmv_[A-Za-z0-9]+_)[A-Za-z0-9_\-]{6,}"), r"\1***"),
    (re.compile(r"(vbcs_)[A-Za-z0-9_\-]{6,}"), r"\1***"),
    (re.compile(r"(Bearer\s+)\S+"), r"\1***"),
    # Telegram: <bot id>:<35 chars>, standalone or glued to "bot" in a Bot API path
    (re.compile(r"(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{30,}"), "***"),
    # Discord: three dot-separated base64url parts
    (re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b"), "***"),
    # credentials inside a URL: scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"), r"\1***@"),
)


def redact(text: str) -> str:
    """`text` with every credential it contains masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
