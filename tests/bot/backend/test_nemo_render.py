"""Render submit and poll against the fake server: the default plan and every tolerated answer variant."""

from __future__ import annotations

from typing import Any

import pytest

from bot.backend.client import NemoClient
from bot.backend.models import RenderJob
from bot.testing.fakenemo import FakeNemo

DRAFT = {"d": 3000, "t": [{"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 3000, "m": {"name": "a.jpg"}}]}]}
URL = "https://cdn.example.com/r/out.mp4"


@pytest.fixture
async def account(nemo_client: NemoClient) -> tuple[str, str]:
    tok = await nemo_client.anonymous_token("client-render")
    info = await nemo_client.create_session(tok.token, "en")
    return tok.token, info.session_id


async def test_submit_sends_the_spec_body_and_polls_to_completion(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    job = await nemo_client.submit_render(account[0], account[1], DRAFT, "render_1700000000000")
    assert (job.id, job.status, job.progress) == ("render_1700000000000", "pending", 0)
    (req,) = fake_nemo.requests_to("/api/render/proxy/lambda", method="POST")
    assert req.json == {"id": "render_1700000000000", "sessionId": account[1], "draft": DRAFT,
                        "output": {"format": "mp4", "quality": "high"}}
    seen: list[tuple[str, int]] = []
    while not job.done:
        job = await nemo_client.poll_render(account[0], "render_1700000000000")
        seen.append((job.status, job.progress))
    assert seen == [("pending", 0), ("processing", 50), ("completed", 100)]
    assert job.url == f"{fake_nemo.url}/files/render_1700000000000.mp4"


async def test_first_render_failing_then_a_new_id_completing(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.render_plan(["pending", "completed"], fail_first=True)
    await nemo_client.submit_render(account[0], account[1], DRAFT, "render_a")
    job = await nemo_client.poll_render(account[0], "render_a")
    job = await nemo_client.poll_render(account[0], "render_a")
    assert (job.status, job.error) == ("failed", "render failed (fake)")
    await nemo_client.submit_render(account[0], account[1], DRAFT, "render_b")
    await nemo_client.poll_render(account[0], "render_b")
    job = await nemo_client.poll_render(account[0], "render_b")
    assert job.status == "completed" and job.url


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"success": True, "data": {"id": "r", "status": "completed", "progress": 100,
                                    "output": {"url": URL}}}, ("completed", 100, URL)),
        ({"code": 0, "data": {"id": "r", "status": "completed", "outputUrl": URL}}, ("completed", 100, URL)),
        ({"success": True, "status": "completed", "outputUrl": URL}, ("completed", 100, URL)),
        ({"success": True, "data": {"id": "r"}, "status": "completed", "output": {"url": URL}},
         ("completed", 100, URL)),
        ({"success": True, "data": {"status": "processing", "progress": 42}}, ("processing", 42, None)),
        ({"success": True, "status": "rendering", "progress": 0.5}, ("processing", 50, None)),
        ({"success": True, "data": {"status": "queued"}}, ("pending", 0, None)),
        ({"success": True, "data": {"status": "completed", "progress": 100}}, ("processing", 100, None)),
        ({"success": True, "data": {"status": "COMPLETED", "output": {"url": URL}}}, ("completed", 100, URL)),
        ({"success": True, "data": {"status": "failed", "error": "ffmpeg died"}}, ("failed", 0, None)),
    ],
)
async def test_every_render_answer_variant_is_understood(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str], answer: dict[str, Any],
    expected: tuple[str, int, str | None],
) -> None:
    fake_nemo.render_plan([answer])
    await nemo_client.submit_render(account[0], account[1], DRAFT, "render_v")
    job = await nemo_client.poll_render(account[0], "render_v")
    assert (job.status, job.progress, job.url) == expected
    assert job.id in ("r", "render_v")


async def test_failed_render_carries_the_backend_reason(
    nemo_client: NemoClient, fake_nemo: FakeNemo, account: tuple[str, str]
) -> None:
    fake_nemo.render_plan([{"success": True, "data": {"status": "failed", "errorMessage": "out of disk"}}])
    await nemo_client.submit_render(account[0], account[1], DRAFT, "render_f")
    job = await nemo_client.poll_render(account[0], "render_f")
    assert (job.status, job.error) == ("failed", "out of disk")


def test_render_job_reads_a_bare_answer_with_the_id_given() -> None:
    job = RenderJob.from_answer({"status": "done", "url": URL}, "render_x")
    assert (job.id, job.status, job.url, job.done) == ("render_x", "completed", URL, True)
