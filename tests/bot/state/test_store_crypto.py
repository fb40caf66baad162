"""The token key: generated once into the data dir (private) and reused, or taken from settings."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.settings import ConfigError
from bot.state.crypto import CipherError, TokenCipher, load_or_create_key
from tests.fixtures_store import make_settings

TOKEN = "nmv_usr_abcdefghijklmnopqrstuvwxyz0123456789ABCD"


def test_generated_key_file_is_private_and_reused(data_dir: Path) -> None:
    first = TokenCipher.from_settings(make_settings(data_dir=data_dir))
    key_file = data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    blob = first.encrypt(TOKEN)
    assert TOKEN not in blob
    later_run = TokenCipher.from_settings(make_settings(data_dir=data_dir))
    assert later_run.decrypt(blob) == TOKEN
    assert key_file.read_bytes().strip() == load_or_create_key(data_dir)


async def test_processes_starting_together_share_one_key(data_dir: Path) -> None:
    keys = await asyncio.gather(*[asyncio.to_thread(load_or_create_key, data_dir) for _ in range(8)])
    assert len(set(keys)) == 1


def test_a_key_file_readable_by_others_is_restricted(data_dir: Path) -> None:
    (data_dir / "secret.key").write_bytes(Fernet.generate_key())
    (data_dir / "secret.key").chmod(0o644)
    TokenCipher.from_settings(make_settings(data_dir=data_dir))
    assert stat.S_IMODE((data_dir / "secret.key").stat().st_mode) == 0o600


def test_configured_secret_key_wins_and_no_file_is_written(data_dir: Path) -> None:
    key = Fernet.generate_key().decode()
    cipher = TokenCipher.from_settings(make_settings(data_dir=data_dir, secret_key=key))
    assert Fernet(key).decrypt(cipher.encrypt(TOKEN).encode()).decode() == TOKEN
    assert not (data_dir / "secret.key").exists()


def test_any_long_random_string_works_as_the_secret(data_dir: Path) -> None:
    secret = "9f3b1c0e" * 8  # e.g. `openssl rand -hex 32`
    a = TokenCipher.from_settings(make_settings(data_dir=data_dir, secret_key=secret))
    b = TokenCipher.from_settings(make_settings(data_dir=data_dir, secret_key=secret))
    assert b.decrypt(a.encrypt(TOKEN)) == TOKEN


def test_rotated_keys_still_read_old_tokens(data_dir: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenCipher.from_settings(make_settings(data_dir=data_dir, secret_key=old))
    blob = before.encrypt(TOKEN)
    after = TokenCipher.from_settings(make_settings(data_dir=data_dir, secret_key=f"{new},{old}"))
    assert after.decrypt(blob) == TOKEN
    assert Fernet(new).decrypt(after.encrypt(TOKEN).encode()).decode() == TOKEN


def test_wrong_key_raises_cipher_error_without_the_blob(data_dir: Path) -> None:
    blob = TokenCipher.generate().encrypt(TOKEN)
    with pytest.raises(CipherError) as caught:
        TokenCipher.generate().decrypt(blob)
    assert blob not in str(caught.value)


def test_short_secret_is_a_config_error_naming_the_variable(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="VIDEOBOT_SECRET_KEY"):
        TokenCipher.from_settings(make_settings(data_dir=data_dir, secret_key="short"))


def test_cipher_repr_hides_the_key() -> None:
    key = Fernet.generate_key()
    assert key.decode() not in repr(TokenCipher(key))
