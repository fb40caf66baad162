"""Tokens at rest: Fernet encryption of the backend tokens kept in Redis.

The key comes from `VIDEOBOT_SECRET_KEY` (`Settings.secret_key`); when unset, one is generated once
into `<data_dir>/secret.key` (mode 0600) and reused by every later run and every process sharing
that data dir. Several processes on different machines must share the same key: set the variable.

`VIDEOBOT_SECRET_KEY` may hold several keys separated by commas (rotation): the first encrypts,
every one decrypts. A key that is not a Fernet key (any long random string, e.g. from
`openssl rand -hex 32`) is turned into one with HKDF-SHA256.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.settings import ConfigError, Settings

log = logging.getLogger(__name__)

KEY_FILE = "secret.key"
MIN_SECRET_CHARS = 16


class CipherError(Exception):
    """A stored value could not be decrypted (wrong key, or damaged)."""


def _fernet_key(secret: str) -> bytes:
    """A Fernet key as given, or one derived from a long random string."""
    raw = secret.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (binascii.Error, ValueError):
        pass
    if len(raw) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"invalid setting VIDEOBOT_SECRET_KEY: use a Fernet key or a random string of at least "
            f"{MIN_SECRET_CHARS} characters"
        )
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"videobot token cipher").derive(raw)
    return base64.urlsafe_b64encode(derived)


def load_or_create_key(data_dir: Path) -> bytes:
    """Read `<data_dir>/secret.key`, creating it (0600, race-free) on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o); restricting it to 0600", path, mode)
            path.chmod(0o600)
        key = b""
        for _ in range(50):  # another process may be between create and write
            key = path.read_bytes().strip()
            if key:
                break
            time.sleep(0.02)
        if not key:
            raise ConfigError(f"invalid setting VIDEOBOT_DATA_DIR: {path} is empty") from None
        return key
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    log.info("generated a new token encryption key in %s", path)
    return key


class TokenCipher:
    """Encrypts and decrypts short secrets (backend tokens) for storage."""

    def __init__(self, *keys: bytes | str) -> None:
        if not keys:
            raise ValueError("TokenCipher needs at least one key")
        fernets = [Fernet(_fernet_key(k.decode() if isinstance(k, bytes) else k)) for k in keys]
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        if settings.secret_key is not None and settings.secret_key.get_secret_value().strip():
            parts = [p for p in settings.secret_key.get_secret_value().split(",") if p.strip()]
            return cls(*parts)
        return cls(load_or_create_key(settings.data_dir))

    @classmethod
    def generate(cls) -> TokenCipher:
        """A cipher with a fresh random key (tests, tools)."""
        return cls(Fernet.generate_key())

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, blob: str | bytes) -> str:
        data = blob.encode("ascii") if isinstance(blob, str) else blob
        try:
            return self._fernet.decrypt(data).decode()
        except (InvalidToken, UnicodeDecodeError):
            raise CipherError("stored secret cannot be decrypted with the configured key") from None

    def __repr__(self) -> str:
        return "TokenCipher(<key hidden>)"
