"""`videobot doctor` as an operator runs it: a subprocess with only the environment given here."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures_studio import StudioFactory
from tests.paths import ROOT as REPO_ROOT

ROOT = REPO_ROOT
TELEGRAM_LOOKALIKE = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET_GARBAGE = "not-a-token-but-very-secret-9f8e7d"


def doctor(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    base |= {"PYTHONPATH": str(ROOT), "VIDEOBOT_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "app.cli", "doctor", *args], cwd=tmp_path,
                          env=base | env, capture_output=True, text=True, timeout=120)


async def test_a_healthy_deployment_passes_with_warnings_only(
    make_studio: StudioFactory, redis_url: str, tmp_path: Path
) -> None:
    studio = await make_studio()
    done = await asyncio.to_thread(doctor, tmp_path, REDIS_URL=redis_url, NEMO_API_URL=studio.url,
                                   TELEGRAM_BOT_TOKEN=TELEGRAM_LOOKALIKE)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in ("settings", "redis", "backend", "data dir", "ffmpeg", "fonts", "voice", "telegram token"):
        assert any(line.startswith("ok") and f"  {name}:" in line for line in lines), name
    assert TELEGRAM_LOOKALIKE not in done.stdout and TELEGRAM_LOOKALIKE.split(":")[1] not in done.stdout
    assert "0 failed" in done.stdout


def test_unreachable_redis_and_backend_fail_with_what_to_fix(tmp_path: Path) -> None:
    done = doctor(tmp_path, "--quick", REDIS_URL=f"unix://{tmp_path}/none.sock",
                  NEMO_API_URL="http://127.0.0.1:9")
    assert done.returncode == 1
    out = done.stdout
    assert "FAIL  redis:" in out and "FAIL  backend:" in out
    assert out.count("fix:") >= 2 and "Traceback" not in out + done.stderr


def test_malformed_tokens_fail_and_are_never_printed(tmp_path: Path) -> None:
    done = doctor(tmp_path, TELEGRAM_BOT_TOKEN=SECRET_GARBAGE, DISCORD_BOT_TOKEN=SECRET_GARBAGE,
                  VIDEOBOT_SECRET_KEY=SECRET_GARBAGE, NEMO_API_URL="http://127.0.0.1:9",
                  REDIS_URL=f"unix://{tmp_path}/none.sock")
    assert done.returncode == 1
    assert "FAIL  telegram token:" in done.stdout and "FAIL  discord token:" in done.stdout
    assert "FAIL  secret key:" in done.stdout
    assert SECRET_GARBAGE not in done.stdout + done.stderr


def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    done = doctor(tmp_path, VIDEOBOT_STUDIO_PORT="eighty")
    assert done.returncode == 1
    assert "VIDEOBOT_STUDIO_PORT" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_quick_check_is_silent_when_healthy(redis_url: str, tmp_path: Path) -> None:
    done = doctor(tmp_path, "--quick", REDIS_URL=redis_url)
    assert done.returncode == 0 and done.stdout == ""
