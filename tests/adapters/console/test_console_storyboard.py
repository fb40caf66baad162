"""The storyboard in the terminal: `videobot chat` as a real process in front of the real studio; the
picture is saved under the out folder and printed as `image: <path>` (transcript op "image")."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from PIL import Image

from bot.i18n import t
from bot.testing.fakenemo import FakeNemo
from tests.adapters.console.test_console_e2e import _env, _start
from tests.fixtures_studio import RunningStudio, StudioMedia


def _images(stdout: str) -> list[Path]:
    return [Path(line.removeprefix("image: ")) for line in stdout.splitlines() if line.startswith("image: ")]


@pytest.mark.timeout(120)
async def test_an_edit_and_preview_save_the_studio_storyboard_in_the_out_folder(
    studio: RunningStudio, studio_media: StudioMedia, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    env = _env(studio.url, redis_url, data_dir) | {"VIDEOBOT_STORYBOARD_TIMEOUT_SECONDS": "60"}
    script = "\n".join([
        "/attach " + " ".join(str(p) for p in studio_media.photos),
        "make a 6 second vertical video of my Aurora bottle with the title Summer Sale",
        "preview",
    ]) + "\n"
    out, transcript = tmp_path / "out", tmp_path / "t.jsonl"
    proc = await _start(["--user", "pia", "--out", str(out), "--transcript", str(transcript)], env, tmp_path)
    stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 110)
    text = stdout.decode()
    assert proc.returncode == 0, stderr.decode()[-2000:]

    edit, asked = _images(text)  # one after the edit, one on "preview"
    for path in (edit, asked):
        assert path.parent == out.resolve() and path.suffix == ".jpg"
        with Image.open(io.BytesIO(path.read_bytes())) as im:
            assert im.format == "JPEG" and im.width > im.height >= 300  # a contact sheet of shots
    assert edit != asked and edit.read_bytes() == asked.read_bytes()  # the same draft, the same plan
    assert text.count(t("en", "preview.caption")) == 2

    ops = [json.loads(line) for line in transcript.read_text().splitlines()]
    images = [i for i, op in enumerate(ops) if op["op"] == "image"]
    assert [ops[i]["path"] for i in images] == [str(edit), str(asked)]
    answer = max(i for i, op in enumerate(ops[: images[0]]) if op["op"] in ("send", "edit"))
    assert answer < images[0]  # after the streamed answer


@pytest.mark.timeout(60)
async def test_without_a_storyboard_route_the_terminal_shows_no_picture_and_no_error(
    fake_nemo: FakeNemo, redis: aioredis.Redis, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    script = "make a promo for my bakery\npreview\n"
    proc = await _start(["--user", "quinn", "--out", str(tmp_path / "out")],
                        _env(fake_nemo.url, redis_url, data_dir), tmp_path)
    stdout, stderr = await asyncio.wait_for(proc.communicate(script.encode()), 50)
    text = stdout.decode()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "bot: Here is your draft: make a promo for my bakery" in text
    assert "bot: 📊 " in text  # "preview": the plan in words
    assert _images(text) == [] and not (tmp_path / "out").exists()
    assert "⚠️" not in text and "Traceback" not in stderr.decode()
