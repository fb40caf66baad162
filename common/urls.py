"""Which links may be shown to a platform user: only ones a stranger's browser can open.

A render URL of the embedded studio is `http://127.0.0.1:…/files/…`; in compose it is
`http://studio:8700/…`. Neither means anything to a person on Telegram or Discord, so the bot
shows no link then (the video itself is sent), unless the operator set a public address
(`VIDEOBOT_STUDIO_PUBLIC_URL`, `NEMO_WEB_URL`). The check reads the URL only (no DNS lookup):
public means http(s) to a dotted host name, or to an IP address that is globally routable.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def is_public_url(url: str | None) -> bool:
    """True when `url` is an http(s) link a browser elsewhere on the internet could open."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name: a single label (localhost, studio) is a local or container name
        return "." in host and not host.endswith(_LOCAL_SUFFIXES)
    return address.is_global


def public_url(url: str | None) -> str | None:
    """`url` when it is public (see `is_public_url`), else None."""
    return url if is_public_url(url) else None
