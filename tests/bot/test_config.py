from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings


def test_invalid_variable_stops_with_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDEOBOT_MAX_UPLOAD_MB", "lots")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "VIDEOBOT_MAX_UPLOAD_MB" in str(info.value)
    assert "\n" not in str(info.value)


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEMO_API_URL", "https://mega-api-prod.nemovideo.ai/")
    monkeypatch.setenv("VIDEOBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DISCORD_GUILD_IDS", "1, 2,3")
    s = load_settings()
    assert s.nemo_api_url == "https://mega-api-prod.nemovideo.ai"
    assert s.data_dir == tmp_path
    assert s.discord_guild_ids == [1, 2, 3]
    assert not s.embedded_studio
    assert s.max_upload_bytes == 200 * 1024 * 1024


def test_bad_redis_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://nope")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings()


def test_real_redis_fixture_answers(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    assert client.ping()


def test_the_allow_list_and_admins_are_comma_separated_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDEOBOT_ALLOWED_USERS", "telegram:1, discord:2 ,carol,")
    monkeypatch.setenv("VIDEOBOT_ADMIN_USERS", "telegram:1")
    s = load_settings()
    assert s.allowed_users == ["telegram:1", "discord:2", "carol"]
    assert s.admin_users == ["telegram:1"]
    assert s.renders_per_day == 20 and s.concurrent_renders == 1
