"""Client scenarios that need only normal server behaviour: they run against every `backend`
(the fake today; the lead adds the studio by parametrizing the `backend` fixture)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.samples import make_sample_photos
from bot.backend.client import NemoClient
from bot.backend.errors import SessionNotFound, TokenInvalid
from bot.backend.sse import VisibleText
from common.filetype import sniff_path
from tests.fixtures_nemo import Backend, fast_client

PROMPT = "Create a 10-second promotional video from my product images: Aurora Bottle, keeps drinks cold."


@pytest.fixture
async def client(backend: Backend) -> AsyncIterator[NemoClient]:
    async with fast_client(backend.url, timeout=30.0) as c:
        yield c


@pytest.fixture
async def account(client: NemoClient) -> tuple[str, str]:
    tok = await client.anonymous_token(f"scenario-{time.monotonic_ns()}")
    info = await client.create_session(tok.token, "en")
    return tok.token, info.session_id


async def test_first_contact_gets_a_token_a_session_and_credits(client: NemoClient) -> None:
    tok = await client.anonymous_token(f"first-{time.monotonic_ns()}")
    assert tok.token
    info = await client.create_session(tok.token, "en")
    assert info.session_id
    credits = await client.credits(tok.token)
    assert credits.available >= 0 and credits.total >= credits.available


async def test_photos_upload_and_a_chat_turn_builds_an_exportable_draft(
    client: NemoClient, account: tuple[str, str], tmp_path: Path
) -> None:
    photos = make_sample_photos(tmp_path)
    uploaded = await client.upload_files(account[0], account[1], photos)
    assert [f.file_type for f in uploaded.files] == ["image"] * len(photos)
    visible = VisibleText()
    kinds: set[str] = set()
    async for event in client.chat(account[0], account[1], PROMPT):
        kinds.add(event.kind)
        visible.feed(event)
    assert "error" not in kinds
    draft = (await client.state(account[0], account[1])).draft
    assert draft is not None
    assert any(track.get("sg") for track in draft.get("t", [])), "draft not ready to export"
    assert visible.has_text or kinds & {"tool_call", "tool_result"}


async def test_export_renders_polls_and_downloads_an_mp4(
    client: NemoClient, account: tuple[str, str], tmp_path: Path
) -> None:
    await client.upload_files(account[0], account[1], make_sample_photos(tmp_path)[:1])
    async for _ in client.chat(account[0], account[1], PROMPT):
        pass
    draft = (await client.state(account[0], account[1])).draft
    assert draft is not None
    render_id = f"render_{int(time.time() * 1000)}"
    job = await client.submit_render(account[0], account[1], draft, render_id)
    deadline = time.monotonic() + 120
    while not job.done:
        assert time.monotonic() < deadline, f"render stuck at {job.status} {job.progress}%"
        await asyncio.sleep(0.05)
        job = await client.poll_render(account[0], job.id)
    assert job.status == "completed", job.error
    out = await client.download(account[0], job.url, job.id, tmp_path / "out.mp4")
    found = sniff_path(out)
    assert found is not None and found.kind == "video"


async def test_an_unknown_session_is_session_not_found(client: NemoClient, account: tuple[str, str]) -> None:
    with pytest.raises(SessionNotFound):
        await client.state(account[0], "999999999999")


async def test_an_unknown_token_is_token_invalid(client: NemoClient) -> None:
    with pytest.raises(TokenInvalid):
        await client.credits("nmv_usr_" + "x" * 40)
