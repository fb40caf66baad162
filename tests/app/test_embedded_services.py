"""`embedded_services`: one-machine mode starts what is not configured, and stops it afterwards."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.embedded import embedded_services
from bot.state.store import Store
from tests.fixtures_store import make_settings
from tests.fixtures_store import redis_answers as answers


async def test_nothing_configured_starts_redis_and_the_studio(data_dir: Path) -> None:
    settings = make_settings(data_dir=data_dir)
    async with embedded_services(settings) as running:
        assert running.redis_url is not None and answers(running.redis_url)
        assert running.nemo_api_url is not None and running.nemo_api_url.startswith("http://127.0.0.1:")
        assert running.web_url == running.nemo_api_url
        async with httpx.AsyncClient(base_url=running.nemo_api_url) as http:
            assert (await http.get("/healthz")).status_code == 200
            token = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c-1"})
            assert token.status_code == 200
        store = await Store.connect(running)  # the bot's store on the same embedded Redis
        try:
            assert (await store.users.get("console:ann")).client_id
        finally:
            await store.aclose()
    assert not answers(running.redis_url)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"{running.nemo_api_url}/healthz")


async def test_a_configured_public_url_is_kept(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDEOBOT_STUDIO_PUBLIC_URL", "https://studio.example")
    settings = make_settings(data_dir=data_dir)
    async with embedded_services(settings) as running:
        assert running.web_url == "https://studio.example"
        assert running.nemo_api_url is not None and running.nemo_api_url.startswith("http://127.0.0.1:")
