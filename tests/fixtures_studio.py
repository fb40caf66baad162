"""Studio fixtures: a real studio (uvicorn on loopback) on the test Redis, and its test doubles.

- `studio`: a running studio with the real director and renderer (render workers: 1 spawned
  process, started on the first export).
- `make_studio(**options)`: start one with injected parts (`director=`, `renderer=`,
  `keepalive_seconds=`, `url_policy=`, settings overrides such as `max_upload_mb=`).
- `studio_media`: small real media files (sample photos, a 2 s MP4, a WAV, a corrupt JPEG).
- `ScriptedDirector` and `fake_render`: the doubles for contract tests of the API itself
  (`fake_render` is a module-level function so spawned render workers can import it).
"""

from __future__ import annotations

import os
import struct
import subprocess
import time
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from pydantic import BaseModel, Field

from app.samples import make_sample_photos
from studio.director.director import DirectorTurn, ToolCall
from studio.server import StudioServer
from studio.settings import StudioSettings

ATTRIBUTION = {
    "X-Skill-Source": "video-generator-online", "X-Skill-Version": "0.1.0", "X-Skill-Platform": "test",
}


ScriptedCall = ToolCall


class ScriptedTurn(DirectorTurn):
    """The director's own DirectorTurn, with defaults for brevity in tests."""

    draft: dict[str, Any] | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    reply: str = ""
    cost: int = 0


class ScriptedDirector:
    """Answers each turn with the next scripted DirectorTurn; records what it was given."""

    def __init__(self, *turns: ScriptedTurn, delay: float = 0.0, fail: bool = False) -> None:
        self.turns = list(turns)
        self.delay = delay
        self.fail = fail
        self.seen: list[dict[str, Any]] = []

    async def turn(self, draft: dict[str, Any] | None, message: str, assets: list[Any], language: str,
                   history: Any = None) -> Any:
        import asyncio

        self.seen.append({"draft": draft, "message": message, "assets": assets, "language": language})
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("director exploded at /srv/secret/path.py line 12")
        return self.turns.pop(0) if self.turns else ScriptedTurn(reply="Nothing to do.")


def image_draft(asset_ids: list[str], title: str = "Test") -> dict[str, Any]:
    """A small valid studio draft showing each image for 1.5 s."""
    segs = [{"id": f"v{i + 1}", "st": i * 1500, "d": 1500,
             "m": {"src": f"asset://{a}", "kind": "image", "name": f"{a}.jpg", "motion": "none"}}
            for i, a in enumerate(asset_ids)]
    return {"d": 1500 * len(asset_ids),
            "m": {"title": title, "width": 1080, "height": 1920, "fps": 30, "aspect": "9:16"},
            "t": [{"tt": 0, "sg": segs}]}


class FakeResult(BaseModel):
    path: Path
    width: int
    height: int
    duration: float
    size: int


def fake_render(draft: dict[str, Any], assets: Any, out_path: Path, *, progress: Any = None,
                should_stop: Any = None) -> FakeResult:
    """Stands in for studio.render.render.render_draft in API contract tests: steps progress, writes bytes.
    It honours `should_stop` (raises once it says so), except with `fake_ffmpeg`: then it runs a real
    ffmpeg for that many seconds and ignores it, as a renderer without the hook would."""
    delay = float((draft.get("m") or {}).get("fake_seconds", 0.3))
    if pidfile := (draft.get("m") or {}).get("fake_pidfile"):
        Path(pidfile).write_text(str(os.getpid()))
    if (draft.get("m") or {}).get("fake_crash"):
        raise ZeroDivisionError("internal detail /srv/x.py")
    if (draft.get("m") or {}).get("fake_die"):
        os._exit(9)  # the worker process dies (as when the kernel's OOM killer picks it)
    if seconds := (draft.get("m") or {}).get("fake_ffmpeg"):
        import imageio_ffmpeg

        part = out_path.with_name(out_path.name + ".part")
        proc = subprocess.Popen([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-re", "-f", "lavfi", "-i",
                                 f"anullsrc=r=8000:cl=mono:d={seconds}", "-f", "wav", "-y", str(part)])
        if pidfile := (draft.get("m") or {}).get("fake_ffmpeg_pidfile"):
            Path(pidfile).write_text(str(proc.pid))
        if proc.wait() != 0:
            part.unlink(missing_ok=True)
            raise RuntimeError("ffmpeg was stopped")
        part.unlink(missing_ok=True)
    for pct in range(0, 101, 10):
        if should_stop is not None and should_stop():
            raise RuntimeError("stopped as asked")
        if progress is not None:
            progress(float(pct))
        time.sleep(delay / 11)
    missing = [ref for ref, path in assets.items() if not Path(path).is_file()]
    if missing:
        raise FileNotFoundError(missing[0])
    if log := (draft.get("m") or {}).get("fake_log"):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {out_path.name}\n")
    body = b"\x00\x00\x00\x18ftypmp42" + f"pid={os.getpid()};".encode() + b"\x00" * 2000
    out_path.write_bytes(body)
    seconds = draft.get("d", 0) / 1000
    return FakeResult(path=out_path, width=1080, height=1920, duration=seconds, size=len(body))


@dataclass
class StudioUser:
    token: str
    user_id: str
    client_id: str
    http: httpx.AsyncClient
    client_secret: str | None = None  # given with the first token of a client id

    async def new_session(self, language: str = "en") -> str:
        r = await self.http.post("/api/tasks/me/with-session/nemo_agent",
                                 json={"task_name": "project", "language": language})
        body = r.json()
        assert body["code"] == 0, body
        return str(body["data"]["session_id"])

    async def upload(self, sid: str, *paths: Path) -> dict[str, Any]:
        files = [("files", (p.name, p.read_bytes())) for p in paths]
        r = await self.http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=files)
        body: dict[str, Any] = r.json()
        return body

    async def chat(self, sid: str, text: str) -> httpx.Response:
        body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                "new_message": {"parts": [{"text": text}]}}
        return await self.http.post("/run_sse", json=body, headers={"Accept": "text/event-stream"})

    async def state(self, sid: str) -> dict[str, Any]:
        r = await self.http.get(f"/api/state/nemo_agent/me/{sid}/latest")
        body: dict[str, Any] = r.json()
        return body

    async def credits(self) -> dict[str, Any]:
        data: dict[str, Any] = (await self.http.get("/api/credits/balance/simple")).json()["data"]
        return data


@dataclass
class RunningStudio:
    url: str
    settings: StudioSettings
    redis: aioredis.Redis
    server: StudioServer
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def http(self, token: str | None = None, **kw: Any) -> httpx.AsyncClient:
        headers = dict(ATTRIBUTION)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        client = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=60, **kw)
        self.clients.append(client)
        return client

    async def user(self, client_id: str | None = None) -> StudioUser:
        import uuid

        client_id = client_id or str(uuid.uuid4())
        r = await self.http().post("/api/auth/anonymous-token", headers={"X-Client-Id": client_id})
        data = r.json()["data"]
        return StudioUser(data["token"], data["user_id"], client_id, self.http(data["token"]),
                          data.get("client_secret"))

    async def poll_render(self, user: StudioUser, render_id: str, limit: float = 60) -> dict[str, Any]:
        """Poll until the render is completed or failed; returns the last `data`."""
        import asyncio

        deadline = time.monotonic() + limit
        while True:
            answer = await user.http.get(f"/api/render/proxy/lambda/{render_id}")
            data: dict[str, Any] = answer.json()["data"]
            if data["status"] in ("completed", "failed") or time.monotonic() > deadline:
                return data
            await asyncio.sleep(0.1)


StudioFactory = Callable[..., Awaitable[RunningStudio]]
_SETTING_NAMES = set(StudioSettings.model_fields)


@pytest.fixture
async def make_studio(redis: aioredis.Redis, redis_url: str, data_dir: Path) -> AsyncIterator[StudioFactory]:
    running: list[RunningStudio] = []

    async def make(**options: Any) -> RunningStudio:
        values: dict[str, Any] = {"redis_url": redis_url, "data_dir": data_dir, "port": 0,
                                  "render_workers": 1}
        values |= {k: options.pop(k) for k in list(options) if k in _SETTING_NAMES}
        settings = StudioSettings(_env_file=None, **values)  # type: ignore[call-arg]
        server = StudioServer(settings, redis=redis, **options)
        url = await server.start()
        studio = RunningStudio(url=url, settings=settings, redis=redis, server=server)
        running.append(studio)
        return studio

    yield make
    for studio in running:
        for client in studio.clients:
            await client.aclose()
        await studio.server.stop()


@pytest.fixture
async def studio(make_studio: StudioFactory) -> RunningStudio:
    """A running studio with the real director and renderer."""
    return await make_studio()


@dataclass
class StudioMedia:
    photos: list[Path]
    video: Path
    audio: Path
    corrupt_jpeg: Path


@pytest.fixture(scope="session")
def studio_media(tmp_path_factory: pytest.TempPathFactory) -> StudioMedia:
    import imageio_ffmpeg

    d = tmp_path_factory.mktemp("studio_media")
    photos = make_sample_photos(d / "photos")
    video = d / "clip.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30",
         "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(video)],
        check=True, timeout=60,
    )
    audio = d / "tone.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", (i * 37) % 2000 - 1000) for i in range(8000 * 3)))
    corrupt = d / "broken.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                        + bytes((i * 131 + 7) % 256 for i in range(40000)))
    return StudioMedia(photos=photos, video=video, audio=audio, corrupt_jpeg=corrupt)


class LoopbackServer:
    """Any ASGI app served by uvicorn on a free 127.0.0.1 port (for peers such as a file host)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
        self.server.capture_signals = _no_signals  # type: ignore[method-assign]
        self.url = ""
        self.port = 0

    async def __aenter__(self) -> LoopbackServer:
        import asyncio
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._sock = sock
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]))
        while not self.server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await self._task
        self._sock.close()


def _no_signals() -> Any:
    import contextlib

    return contextlib.nullcontext()
