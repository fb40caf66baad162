"""Fixtures of the Telegram area: the tg-auto-test peer, faults injected at its transport, updates
that peer cannot make (albums, groups, Chinese users), a real small MP4. Registered as a pytest
plugin by tests/conftest.py.

The peer (`tg_auto_test`'s ServerlessTelegramClient) replaces PTB's HTTP layer with an in-process
Bot API (`client._request`, a `telegram.request.BaseRequest`) and records every call the bot made
(`client._api_calls`). `TransportFaults` sits in front of that transport: a scripted fault answers
the call exactly as Telegram would (status code + JSON error body, or a raised `TimedOut`) without
reaching the fake, so the bot's real PTB code sees real PTB exceptions.

tg-auto-test's fake has no sendMessageDraft (Bot API 9.3+): `TransportFaults` answers it as Telegram
does (`{"ok": true, "result": true}`) and records each call in `drafts` (its parameters); a scripted
fault (`fail("sendMessageDraft", ...)`) answers it with that error instead.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import pytest
from telegram import Bot, Update
from telegram.error import TimedOut
from telegram.ext import Application, ApplicationBuilder
from telegram.request import RequestData
from tg_auto_test.test_utils.models import TelegramApiCall
from tg_auto_test.test_utils.serverless_telegram_client import ServerlessTelegramClient

from bot.channel.events import VideoFile
from bot.settings import Settings

BOT_ID = 999_999  # the tg-auto-test bot's user id
BOT_USERNAME = "test_bot"
USER_ID = 9001  # the tg-auto-test user (private chat id == user id)


def tg_settings(**fields: Any) -> Settings:
    """Settings from field names only (no environment, no .env): deterministic in tests."""
    return Settings.model_validate(fields)


# --- faults at the transport -------------------------------------------------------------------


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None
    timeout: bool
    times: int
    when: Callable[[dict[str, Any]], bool] | None
    after: int  # let this many matching calls through first
    cause: type[httpx.TimeoutException] | None = None  # the httpx timeout under a TimedOut


@dataclass
class FaultHit:
    method: str
    parameters: dict[str, Any]
    status: int


@dataclass
class TransportFaults:
    """Script Telegram errors for chosen Bot API calls of one tg-auto-test client."""

    client: ServerlessTelegramClient
    hits: list[FaultHit] = field(default_factory=list)
    multipart: list[tuple[str, dict[str, tuple[str, bytes]]]] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)  # sendMessageDraft calls answered
    methods: list[str] = field(default_factory=list)  # every Bot API method called, in order
    _faults: list[_Fault] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        request = self.client._request
        inner = request.do_request

        async def do_request(
            url: str, method: str, request_data: RequestData | None = None, **kw: Any
        ) -> tuple[int, bytes]:
            api = url.rsplit("/", 1)[-1]
            self.methods.append(api)
            params = dict(request_data.json_parameters) if request_data is not None else {}
            if request_data is not None and request_data.contains_files:
                files = {
                    k: (str(v[0]), v[1] if isinstance(v[1], bytes) else v[1].read())
                    for k, v in request_data.multipart_data.items()
                }
                self.multipart.append((api, files))
            fault = self._match(api, params)
            if fault is not None:
                self.hits.append(FaultHit(api, params, 0 if fault.timeout else fault.status))
                if fault.timeout:
                    if fault.cause is not None:  # as PTB's HTTPXRequest raises it
                        raise TimedOut() from fault.cause("timed out")
                    raise TimedOut("Timed out")
                body: dict[str, Any] = {
                    "ok": False, "error_code": fault.status, "description": fault.description
                }
                if fault.parameters:
                    body["parameters"] = fault.parameters
                return fault.status, json.dumps(body).encode()
            if api == "sendMessageDraft":  # not in tg-auto-test's fake: answered as Telegram does
                self.drafts.append(params)
                return 200, json.dumps({"ok": True, "result": True}).encode()
            return await inner(url, method, request_data, **kw)

        request.do_request = do_request

    def _match(self, api: str, params: dict[str, Any]) -> _Fault | None:
        for fault in self._faults:
            if fault.method != api or fault.times <= 0:
                continue
            if fault.when is not None and not fault.when(params):
                continue
            key = f"{id(fault)}"
            self._seen[key] = self._seen.get(key, 0) + 1
            if self._seen[key] <= fault.after:
                continue
            fault.times -= 1
            return fault
        return None

    def fail(
        self,
        method: str,
        description: str,
        *,
        status: int = 400,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
        after: int = 0,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer `method` with a Telegram error (`after` matching calls succeed first)."""
        self._faults.append(_Fault(method, status, description, parameters, False, times, when, after))

    def flood(self, method: str, retry_after: int, *, times: int = 1, after: int = 0) -> None:
        """429 Too Many Requests with `parameters.retry_after`, as Telegram's flood control sends it."""
        self.fail(
            method,
            f"Too Many Requests: retry after {retry_after}",
            status=429,
            parameters={"retry_after": retry_after},
            times=times,
            after=after,
        )

    def time_out(
        self,
        method: str,
        *,
        times: int = 1,
        after: int = 0,
        cause: type[httpx.TimeoutException] | None = None,
    ) -> None:
        """The request times out on the wire (PTB raises TimedOut, from `cause` when given:
        httpx.ReadTimeout = Telegram had the request, httpx.ConnectTimeout = it never left)."""
        self._faults.append(_Fault(method, 0, "", None, True, times, None, after, cause))


def calls(client: ServerlessTelegramClient, method: str | None = None) -> list[TelegramApiCall]:
    """The Bot API calls the bot made (that reached the fake), optionally of one method."""
    return [c for c in client._api_calls if method is None or c.api_method == method]


# --- updates the peer cannot build ----------------------------------------------------------------


def user_dict(
    user_id: int = USER_ID, *, language_code: str | None = "en", first_name: str = "Alice"
) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def chat_dict(chat_id: int = USER_ID, *, group: bool = False) -> dict[str, Any]:
    if group:
        return {"id": chat_id, "type": "supergroup", "title": "Team"}
    return {"id": chat_id, "type": "private", "first_name": "Alice"}


def message_update(
    bot: Bot | None,
    update_id: int,
    message_id: int,
    *,
    text: str | None = None,
    caption: str | None = None,
    photo_file_id: str | None = None,
    photo_size: int | None = None,
    document: dict[str, Any] | None = None,
    media_group_id: str | None = None,
    user: dict[str, Any] | None = None,
    chat: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to_bot: bool = False,
) -> Update:
    """An Update as Telegram would send it, bound to `bot` (None: unbound, for pure helpers)."""
    msg: dict[str, Any] = {
        "message_id": message_id,
        "date": 0,
        "chat": chat or chat_dict(),
        "from": user or user_dict(),
    }
    if text is not None:
        msg["text"] = text
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            msg["entities"] = entities
    if caption is not None:
        msg["caption"] = caption
        if entities:
            msg["caption_entities"] = entities
    if photo_file_id is not None:
        size: dict[str, Any] = {"file_id": photo_file_id, "file_unique_id": f"u_{photo_file_id}",
                                "width": 640, "height": 480}
        thumb = {"file_id": f"{photo_file_id}_s", "file_unique_id": f"u_{photo_file_id}_s",
                 "width": 90, "height": 68}
        if photo_size is not None:
            size["file_size"] = photo_size
        msg["photo"] = [thumb, size]
    if document is not None:
        msg["document"] = document
    if media_group_id is not None:
        msg["media_group_id"] = media_group_id
    if reply_to_bot:
        msg["reply_to_message"] = {
            "message_id": message_id - 1, "date": 0, "chat": msg["chat"], "text": "earlier",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "TestBot", "username": BOT_USERNAME},
        }
    return Update.de_json({"update_id": update_id, "message": msg}, bot)


def store_file(client: ServerlessTelegramClient, file_id: str, data: bytes, filename: str, mime: str) -> None:
    """Put bytes behind a file id in the fake Bot API (what getFile + download return)."""
    from tg_auto_test.test_utils.models import FileData

    client._request.file_store[file_id] = FileData(data=data, filename=filename, content_type=mime)


# --- clients --------------------------------------------------------------------------------------


@pytest.fixture
async def bare_bot() -> AsyncIterator[tuple[ServerlessTelegramClient, TransportFaults]]:
    """A PTB Application without handlers on the peer (for driving TelegramReply directly)."""

    def build(builder: ApplicationBuilder) -> Application:
        return builder.build()

    client = ServerlessTelegramClient(build_application=build)
    faults = TransportFaults(client)
    await client.connect()
    yield client, faults
    await client.disconnect()


# --- media ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> VideoFile:
    """A real 2-second 320x240 H.264/AAC MP4 (faststart) and its JPEG thumbnail."""
    d = tmp_path_factory.mktemp("tgvideo")
    mp4, jpg = d / "render.mp4", d / "thumb.jpg"
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=2",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(mp4)],
        check=True, timeout=60,
    )
    subprocess.run([ffmpeg, "-v", "error", "-i", str(mp4), "-frames:v", "1", "-vf", "scale=160:-2", str(jpg)],
                   check=True, timeout=60)
    return VideoFile(path=mp4, width=320, height=240, duration=2.0, size=mp4.stat().st_size, thumbnail=jpg)


def jpeg_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    """A small distinct JPEG."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def read(path: Path) -> bytes:
    return path.read_bytes()


# --- the whole bot on the peer --------------------------------------------------------------------


class TrackingApplication(Application):  # type: ignore[type-arg, unused-ignore]
    """The real Application, remembering the tasks its non-blocking handlers run as, so `feed`
    waits for exactly the bot's work (a studio in the same loop has tasks that never end).
    A subclass rather than a patched method: Application's instances are slotted."""

    __slots__ = ("tracked",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tracked: set[asyncio.Task[Any]] = set()

    def create_task(self, coroutine: Any, update: object | None = None, *, name: str | None = None) -> Any:
        task = super().create_task(coroutine, update, name=name)
        self.tracked.add(task)
        return task


def peer_client(settings: Settings) -> ServerlessTelegramClient:
    """The tg-auto-test peer around the application `build_application` makes from its builder."""
    from adapters.telegram import build_application

    return ServerlessTelegramClient(
        build_application=lambda b: build_application(b.application_class(TrackingApplication), settings)
    )


@dataclass
class TgBot:
    """The real Application from `build_application` on the tg-auto-test peer, over real Redis and a
    NemoVideo-compatible backend."""

    client: ServerlessTelegramClient
    faults: TransportFaults
    settings: Settings

    @property
    def app(self) -> Application:
        return self.client._application

    @property
    def tasks(self) -> set[asyncio.Task[Any]]:
        app = self.app
        return app.tracked if isinstance(app, TrackingApplication) else set()

    async def feed(self, *updates: Update) -> None:
        """Process updates (as the peer does) and wait until every turn they started is over."""
        await asyncio.gather(*(self.app.process_update(u) for u in updates))
        while pending := {t for t in self.tasks if not t.done()}:
            await asyncio.wait(pending)

    def texts(self) -> list[str]:
        """Every text the bot showed (sent or edited), in order."""
        out = []
        for c in calls(self.client):
            if c.api_method in ("sendMessage", "editMessageText") and isinstance(c.result, dict):
                out.append(str(c.result.get("text", "")))
        return out


def tg_bot_settings(
    backend_url: str, redis_url: str, data_dir: Path, **overrides: Any
) -> Settings:
    """Settings for a whole-bot test: this backend and Redis, test-sized waits and intervals."""
    fields: dict[str, Any] = {
        "nemo_api_url": backend_url,
        "redis_url": redis_url,
        "data_dir": data_dir,
        "album_wait_seconds": 0.3,
        "telegram_edit_interval": 0.05,
        "telegram_group_edit_interval": 0.05,
        "telegram_draft_interval": 0.05,
        "render_poll_seconds": 0.05,
        "render_poll_max_seconds": 0.2,
        "recovery_poll_seconds": 0.05,
        "rate_limit_wait_seconds": 0.1,
        "http_retries": 1,
        "skill_platform": "tests",
    }
    fields.update(overrides)
    return tg_settings(**fields)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tg_settings(**fields): Settings fields of the test's Telegram bot")


@pytest.fixture
async def tg_bot(
    redis: Any, redis_url: str, data_dir: Path, fake_nemo: Any, request: pytest.FixtureRequest
) -> AsyncIterator[TgBot]:
    """The whole Telegram bot against the fake NemoVideo server and the test Redis (the
    `tg_settings` marker adds Settings fields)."""
    marker = request.node.get_closest_marker("tg_settings")
    settings = tg_bot_settings(fake_nemo.url, redis_url, data_dir, **(marker.kwargs if marker else {}))
    client = peer_client(settings)
    faults = TransportFaults(client)
    await client.connect()
    yield TgBot(client, faults, settings)
    await client.disconnect()
