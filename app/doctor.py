"""`videobot doctor [--quick]`: check settings, Redis, the backend, ffmpeg, fonts and tokens.

Each check prints one line: `ok`, `warn` or `FAIL`, what was found and, when something is wrong,
what to do about it. Exit status 1 when any check failed, else 0. Secrets are judged by their
shape only and never printed (not even in part). `--quick` (the container health check) checks
only the settings, Redis and the backend's health endpoint, in well under a second when they answer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from app.settings import load_all
from bot.settings import ConfigError, Settings
from bot.state.connect import connect_url, safe_url
from common.embedded_redis import EmbeddedRedis
from common.redis_server import redis_server_binary
from common.voice import status_line

Level = Literal["ok", "warn", "FAIL"]
TIMEOUT = 3.0

TELEGRAM_TOKEN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,}$")
DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class Finding:
    level: Level
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.level:<4}  {self.name}: {self.detail}"
        return f"{text}\n      fix: {self.fix}" if self.fix else text


def _secret(settings: Settings, field: str) -> str | None:
    value = getattr(settings, field)
    return value.get_secret_value() if value is not None else None


def check_tokens(settings: Settings) -> list[Finding]:
    """Present / plausible shape of every secret; the values never reach the output."""
    out: list[Finding] = []
    platforms = (
        ("telegram", TELEGRAM_TOKEN,
         "copy the whole token from @BotFather into TELEGRAM_BOT_TOKEN (digits:letters)"),
        ("discord", DISCORD_TOKEN,
         "copy the token (Developer Portal → Bot → Reset Token) into DISCORD_BOT_TOKEN"),
    )
    tokens: dict[str, str | None] = {}
    for platform, shape, fix in platforms:
        token = tokens[platform] = _secret(settings, f"{platform}_bot_token")
        name = f"{platform} token"
        if token is None:
            out.append(Finding("ok", name, f"not set (the {platform} service stays off)"))
        elif shape.match(token.strip()):
            out.append(Finding("ok", name, "set, shape plausible"))
        else:
            out.append(Finding("FAIL", name, "set, but it does not look like a bot token", fix))
    telegram, discord = tokens["telegram"], tokens["discord"]
    if telegram is None and discord is None:
        out.append(Finding("warn", "platforms", "no platform token: only `videobot chat` can talk to users",
                           "set TELEGRAM_BOT_TOKEN and/or DISCORD_BOT_TOKEN"))
    secret = _secret(settings, "telegram_webhook_secret")
    if secret is not None and not WEBHOOK_SECRET.match(secret):
        out.append(Finding("FAIL", "telegram webhook secret", "Telegram accepts only A-Z a-z 0-9 _ - (1-256)",
                           "choose a new TELEGRAM_WEBHOOK_SECRET from those characters"))
    nemo = _secret(settings, "nemo_token")
    if nemo is not None:
        if len(nemo) < 16 or any(c.isspace() for c in nemo):
            out.append(Finding("FAIL", "backend token", "NEMO_TOKEN is set but too short or has spaces",
                               "paste the whole token, or unset NEMO_TOKEN for one anonymous token per user"))
        else:
            out.append(Finding("ok", "backend token", "NEMO_TOKEN set (one token for every user)"))
    key = _secret(settings, "secret_key")
    if key is not None:
        from cryptography.fernet import Fernet

        try:
            Fernet(key.encode())
            out.append(Finding("ok", "secret key", "VIDEOBOT_SECRET_KEY is a valid Fernet key"))
        except (ValueError, TypeError):
            out.append(Finding("FAIL", "secret key", "VIDEOBOT_SECRET_KEY is not a Fernet key",
                               "generate one: python -c 'from cryptography.fernet import Fernet; "
                               "print(Fernet.generate_key().decode())'"))
    else:
        out.append(Finding("warn", "secret key", "VIDEOBOT_SECRET_KEY unset: one is kept in the data dir",
                           "set VIDEOBOT_SECRET_KEY when several machines share Redis (same key everywhere)"))
    return out


def check_data_dir(settings: Settings) -> Finding:
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Finding("FAIL", "data dir", f"{path} is not writable ({exc.strerror or type(exc).__name__})",
                       "point VIDEOBOT_DATA_DIR at a writable folder (a volume in containers)")
    return Finding("ok", "data dir", f"{path} is writable")


async def check_redis(settings: Settings) -> Finding:
    url = settings.redis_url
    if url is None:
        embedded = EmbeddedRedis(settings.data_dir)
        if await asyncio.to_thread(lambda: embedded.running):
            return Finding("ok", "redis", f"embedded Redis answers ({embedded.directory})")
        if not await asyncio.to_thread(os.path.isfile, redis_server_binary()):
            return Finding("FAIL", "redis", "REDIS_URL unset and the bundled redis-server is missing",
                           "reinstall videobot (pip install videobot) or set REDIS_URL")
        return Finding("ok", "redis", "embedded (REDIS_URL unset): started by the first videobot process")
    connection = connect_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        await asyncio.wait_for(connection.client.ping(), TIMEOUT * 2)
    except Exception as exc:
        return Finding("FAIL", "redis", f"{safe_url(url)} does not answer ({type(exc).__name__})",
                       "start Redis or correct REDIS_URL (redis://host:6379/0)")
    finally:
        await connection.aclose()
    return Finding("ok", "redis", f"{safe_url(url)} answers")


async def check_backend(settings: Settings) -> Finding:
    if settings.nemo_api_url is None:
        return Finding("ok", "backend", "embedded studio (NEMO_API_URL unset): started in-process")
    url = settings.nemo_api_url
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            answer = await http.get(f"{url}/healthz")
    except httpx.HTTPError as exc:
        return Finding("FAIL", "backend", f"{url} does not answer ({type(exc).__name__})",
                       "start the studio (videobot studio) or correct NEMO_API_URL")
    if answer.status_code == 200:
        return Finding("ok", "backend", f"{url}/healthz answers")
    if answer.status_code == 503:
        return Finding("FAIL", "backend", f"{url} answers but its Redis is down",
                       "check the studio's REDIS_URL and that Redis runs")
    if answer.status_code < 500:
        return Finding("ok", "backend", f"{url} answers (HTTP {answer.status_code} on /healthz)")
    return Finding("FAIL", "backend", f"{url} answers HTTP {answer.status_code}", "see the backend's logs")


def check_ffmpeg() -> Finding:
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        encoders = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True,
                                  timeout=20).stdout
    except Exception as exc:
        return Finding("FAIL", "ffmpeg", f"the bundled ffmpeg does not run ({type(exc).__name__})",
                       "reinstall imageio-ffmpeg (pip install --force-reinstall imageio-ffmpeg)")
    if "libx264" not in encoders:
        return Finding("FAIL", "ffmpeg", "ffmpeg runs but has no libx264 encoder",
                       "reinstall imageio-ffmpeg, whose wheels include libx264")
    return Finding("ok", "ffmpeg", f"{Path(exe).name} with libx264")


def check_fonts() -> Finding:
    try:
        from PIL import ImageFont

        from studio.render.fonts import CJK_FONT, LATIN_FONT, missing_fonts
    except ImportError as exc:
        return Finding("FAIL", "fonts", f"cannot load the font package ({exc.name})", "reinstall videobot")
    if missing := missing_fonts():
        return Finding("FAIL", "fonts", "missing: " + ", ".join(p.name for p in missing),
                       "reinstall videobot: the fonts ship inside the package (studio/fonts)")
    try:
        for font in (LATIN_FONT, CJK_FONT):
            ImageFont.truetype(str(font), 40)
    except OSError as exc:
        return Finding("FAIL", "fonts", f"a font does not load ({exc})", "reinstall videobot")
    return Finding("ok", "fonts", "Latin, CJK and emoji fonts present")


def check_voice() -> Finding:
    """The optional voice extra: a warning, never a failure, when it is absent (docs/voice.md)."""
    ok, detail = status_line()
    if ok:
        return Finding("ok", "voice", detail)
    if detail.startswith("switched off"):
        return Finding("ok", "voice", detail)
    return Finding("warn", "voice", detail, "voice-overs and voice notes need it: pip install '.[voice]' "
                   "and pip install --no-deps --ignore-requires-python misaki==0.9.4")


async def run_checks(settings: Settings, *, quick: bool = False) -> list[Finding]:
    findings: list[Finding] = [Finding("ok", "settings", "all settings valid")]
    findings.append(await check_redis(settings))
    findings.append(await check_backend(settings))
    if quick:
        return findings
    findings.append(check_data_dir(settings))
    slow: list[Callable[[], Finding]] = [check_ffmpeg, check_fonts, check_voice]
    findings += [await asyncio.to_thread(check) for check in slow]
    findings += check_tokens(settings)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="videobot doctor", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="settings, Redis and the backend only (the container health check)")
    args = parser.parse_args(argv)
    try:
        settings, _studio = load_all()
    except ConfigError as exc:
        print(Finding("FAIL", "settings", str(exc), "correct that variable (see .env.example)").line())
        return 1
    findings = asyncio.run(run_checks(settings, quick=args.quick))
    failed = [f for f in findings if f.level == "FAIL"]
    if not args.quick or failed:
        for finding in findings:
            print(finding.line())
    if not args.quick:
        warned = sum(f.level == "warn" for f in findings)
        print(f"\n{len(failed)} failed, {warned} warning(s), {len(findings) - len(failed) - warned} ok")
    sys.stdout.flush()
    return 1 if failed else 0

