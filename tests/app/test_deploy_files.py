"""The container files, checked statically (no Docker engine here): docker-compose.yml, the
Dockerfile, .dockerignore and .env.example agree with the code they deploy."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from app import cli
from app.settings import ALL_VARIABLES
from tests.paths import ROOT as REPO_ROOT

ROOT = REPO_ROOT
COMPOSE_ONLY = {"COMPOSE_PROFILES", "STUDIO_PUBLISHED_PORT", "VIDEOBOT_IMAGE_TAG"}
ADAPTER_ONLY = {"DISCORD_MESSAGE_CONTENT"}  # read by adapters.discord.run, not a Settings field
KNOWN = set(ALL_VARIABLES) | COMPOSE_ONLY | ADAPTER_ONLY


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def videobot_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return {name: s for name, s in services.items() if str(s.get("image", "")).startswith("videobot")}


def test_compose_runs_redis_studio_workers_and_both_bots(compose: dict[str, Any]) -> None:
    assert {"redis", "studio", "studio-worker", "telegram", "discord"} <= set(compose["services"])
    assert set(videobot_services(compose)) >= {"studio", "studio-worker", "telegram", "discord"}


def test_every_service_command_is_a_real_videobot_subcommand_with_real_options(
    compose: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for name, service in videobot_services(compose).items():
        command = service["command"]
        assert command[0] in cli.COMMANDS, name
        with pytest.raises(SystemExit) as done:
            cli.main([command[0], "--help"])
        assert done.value.code == 0
        usage = capsys.readouterr().out
        for option in (a for a in command[1:] if a.startswith("--")):
            assert option in usage, f"{name}: {option} is not an option of videobot {command[0]}"


def test_every_variable_compose_uses_is_a_known_setting_and_documented(compose: dict[str, Any]) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    for service in videobot_services(compose).values():
        used |= set(service.get("environment") or {})
    assert used and used <= KNOWN, sorted(used - KNOWN)
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    assert set(ALL_VARIABLES) <= documented, sorted(set(ALL_VARIABLES) - documented)
    assert (COMPOSE_ONLY | ADAPTER_ONLY) <= documented
    assert documented <= KNOWN, sorted(documented - KNOWN)


def test_services_share_the_media_volume_and_redis_persists(compose: dict[str, Any]) -> None:
    for name, service in videobot_services(compose).items():
        assert "media:/data" in service["volumes"], name
        assert service["environment"]["VIDEOBOT_DATA_DIR"] == "/data", name
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0", name
    redis = compose["services"]["redis"]
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert {"media", "redis-data"} <= set(compose["volumes"])


def test_health_checks_and_bot_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    studio_check = " ".join(services["studio"]["healthcheck"]["test"])
    assert "/healthz" in studio_check
    from studio.api.app import ROUTES

    assert "/healthz" in {getattr(r, "path", "") for r in ROUTES}
    assert services["studio"]["environment"]["VIDEOBOT_STUDIO_RENDER_WORKERS"] == "0"
    assert services["telegram"]["profiles"] == ["telegram"] and services["discord"]["profiles"] == ["discord"]
    worker = services["studio-worker"]
    grace = float(worker["command"][worker["command"].index("--grace") + 1])
    assert float(worker["stop_grace_period"].rstrip("s")) > grace


def test_dockerfile_is_slim_runs_as_non_root_and_checks_its_health() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    assert stages and all(s.startswith("python:3.12-slim") for s in stages)
    final = text[text.rindex("\nFROM "):]
    users = re.findall(r"^USER\s+(\S+)", final, flags=re.M)
    assert users and users[-1] not in {"root", "0"}
    health = re.search(r"^HEALTHCHECK .*?CMD (\[[^\]]*\])", final, flags=re.M | re.S)
    assert health is not None
    command = yaml.safe_load(health.group(1))
    assert command[:2] == ["videobot", "doctor"] and "doctor" in cli.COMMANDS
    assert re.search(r'^ENTRYPOINT \["videobot"\]', final, flags=re.M)
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.M):
        for path in copied.split():
            assert (ROOT / path).exists(), path
            assert path not in ignored and f"{path}/" not in ignored, path
