"""The bot's own backend client (`NemoClient` / `NemoUser`) against the real studio.

The studio is the backend the bot uses when NEMO_API_URL is unset, so every call the bot makes,
and every recovery path it relies on, must work against it for real.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.backend.client import NemoClient
from bot.backend.errors import OutOfCredits, SessionNotFound
from bot.backend.sse import VisibleText
from bot.backend.user import NemoUser
from bot.state.crypto import TokenCipher
from bot.state.store import Store
from tests.fixtures_studio import RunningStudio, StudioFactory, StudioMedia, fake_render


async def _bot_user(studio: RunningStudio, name: str = "alice") -> tuple[NemoUser, NemoClient]:
    client = NemoClient(studio.url, skill_platform="test", retries=0)
    store = Store(studio.redis, TokenCipher.generate())
    return NemoUser(client, store.credentials(f"console:{name}")), client


async def _tokens(studio: RunningStudio) -> list[bytes]:
    return [k async for k in studio.redis.scan_iter("studio:token:*")]


async def test_the_bots_client_drives_a_whole_project_on_the_studio(
    make_studio: StudioFactory, studio_media: StudioMedia, tmp_path: Path
) -> None:
    studio = await make_studio(renderer=fake_render)
    user, client = await _bot_user(studio)
    try:
        assert await user.ensure_ready() is True
        uploaded = await user.upload_files(studio_media.photos)
        assert uploaded.session_state_applied is True
        assert [(f.file_type, f.width, f.height) for f in uploaded.files] == [
            ("image", 1600, 1200), ("image", 1080, 1440), ("image", 1200, 1200)]
        assert (await user.credits()).available == 100

        visible = VisibleText()
        kinds = []
        async for event in user.chat("make a 6 second vertical video"):
            kinds.append(event.kind)
            visible.feed(event)
        assert kinds[:2] == ["tool_call", "tool_result"] and "text" in kinds
        assert "6-second" in visible.text and visible.text.count("6-second") == 1
        assert (await user.credits()).available == 90

        draft = (await user.state()).draft
        assert draft is not None and draft["m"]["aspect"] == "9:16"
        job = await user.submit_render(draft, "render_1700000000001")
        assert job.status == "pending"
        while not (job := await user.poll_render("render_1700000000001")).done:
            pass
        assert job.status == "completed" and job.url
        video = await user.download(job.url, job.id, tmp_path / "out.mp4")
        assert video.read_bytes().startswith(b"\x00\x00\x00\x18ftypmp42")
        assert (await user.credits()).available == 90
    finally:
        await client.aclose()


async def test_an_expired_token_is_replaced_for_the_same_client_id_and_the_project_survives(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    studio = await make_studio()
    user, client = await _bot_user(studio)
    try:
        await user.ensure_ready()
        await user.upload_files(studio_media.photos[:1])
        assert user.credentials is not None
        old_token, sid = user.credentials.token, user.credentials.session_id
        assert old_token is not None
        await studio.redis.delete(f"studio:token:{hashlib.sha256(old_token.encode()).hexdigest()}")

        state = await user.state()  # 1001 → new anonymous token, same client id → retried
        assert user.credentials.token != old_token and user.credentials.session_id == sid
        assert [a["name"] for a in (state.state or {})["assets"]] == ["aurora-front.jpg"]
        assert len(await _tokens(studio)) == 1
    finally:
        await client.aclose()


async def test_a_lost_session_is_replaced_and_the_user_is_told(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user, client = await _bot_user(studio)
    try:
        await user.ensure_ready()
        assert user.credentials is not None
        sid = user.credentials.session_id
        await studio.redis.delete(f"studio:session:{sid}")
        with pytest.raises(SessionNotFound):
            await client.state(user.credentials.token or "", sid or "")
        await user.state()
        assert user.session_renewed is True and user.credentials.session_id != sid
    finally:
        await client.aclose()


async def test_out_of_credits_reaches_the_bot_as_out_of_credits(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user, client = await _bot_user(studio)
    try:
        await user.ensure_ready()
        assert user.credentials is not None
        await studio.redis.hset(f"studio:user:{user.credentials.anon_user_id}", "available", 0)
        with pytest.raises(OutOfCredits):
            async for _ in user.chat("make a video"):
                pass
    finally:
        await client.aclose()
