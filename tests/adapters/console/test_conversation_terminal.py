"""The conversation as a terminal user lives it: `videobot chat` with its own embedded Redis and studio."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from app.samples import make_sample_photos
from tests.paths import ROOT as REPO_ROOT

ROOT = REPO_ROOT


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_an_export_in_the_terminal_shows_no_render_worker_log_lines(tmp_path: Path) -> None:
    photos = make_sample_photos(tmp_path / "photos")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "VIDEOBOT_", "REDIS_"))}
    env.update({"VIDEOBOT_DATA_DIR": str(tmp_path / "data"), "LANG": "C.UTF-8",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    script = "\n".join(["/attach " + " ".join(str(p) for p in photos), "make a 4 second video with these",
                        "/export"]) + "\n"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "chat", "--user", "erin", "--out", str(tmp_path / "out"),
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 110)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "bot: ✅ Video ready!" in stdout.decode()
    assert stderr.decode().strip() == ""  # was: the render worker's INFO lines (saq, studio.render.render)


def test_attaching_a_folder_sends_the_photos_in_it_as_one_album(tmp_path: Path) -> None:
    from adapters.console import to_incoming

    photos = make_sample_photos(tmp_path / "shoot")
    (tmp_path / "shoot" / ".DS_Store").write_bytes(b"x")
    msg = to_incoming(f"/attach {tmp_path / 'shoot'}", user="erin", locale=None)
    assert [a.path for a in msg.attachments] == sorted(photos)
    assert all(a.size for a in msg.attachments)
