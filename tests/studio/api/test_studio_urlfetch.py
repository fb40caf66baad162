"""URL uploads: public addresses only (checked on every resolved address and after redirects)."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from studio.api.urlfetch import AddressPolicy, IPAddress, public_address
from tests.fixtures_studio import LoopbackServer, RunningStudio, StudioFactory, StudioMedia, StudioUser


def file_host(media: StudioMedia) -> Starlette:
    photo = media.photos[0].read_bytes()

    async def photo_route(request: Request) -> Response:
        return Response(photo, media_type="image/jpeg")

    async def redirect(request: Request) -> Response:
        return RedirectResponse(request.query_params["to"], status_code=302)

    async def big(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"\xff\xd8\xff\xe0" + b"\0" * 1020
            for _ in range(50):
                yield b"\0" * 1024 * 1024

        declared = "declared" in request.query_params
        length = {"content-length": str(1024 + 50 * 1024 * 1024)} if declared else {}
        return StreamingResponse(chunks(), media_type="image/jpeg", headers=length)

    async def text(request: Request) -> Response:
        return Response("just some words, no picture here" * 10, media_type="image/jpeg")

    async def missing(request: Request) -> Response:
        return Response("gone", status_code=404)

    async def trickle(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:  # a byte every 0.2 s: no read ever times out
            yield photo[:1024]
            for i in range(1024, len(photo)):
                yield photo[i:i + 1]
                await asyncio.sleep(0.2)

        return StreamingResponse(chunks(), media_type="image/jpeg")

    return Starlette(routes=[
        Route("/shots/front.jpg", photo_route), Route("/go", redirect), Route("/big", big),
        Route("/fake.jpg", text), Route("/missing.jpg", missing), Route("/slow.jpg", trickle)])


def allowing(port: int) -> AddressPolicy:
    """Public addresses, plus the test file host on loopback (nothing else on loopback)."""

    def policy(ip: IPAddress, p: int) -> bool:
        return (ip.is_loopback and p == port) or public_address(ip, p)

    return policy


async def upload_urls(user: StudioUser, sid: str, *urls: str) -> dict[str, Any]:
    r = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": list(urls),
                                                                            "source_type": "url"})
    body: dict[str, Any] = r.json()
    return body


@pytest.mark.parametrize("address", [
    "127.0.0.1", "::1", "10.1.2.3", "192.168.1.10", "172.16.5.4", "169.254.169.254", "fe80::1", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "::ffff:127.0.0.1", "fc00::1", "240.0.0.1",
    "fec0::1", "feff::1",  # site-local (deprecated, still routed inside some networks)
    "0.1.2.3", "192.0.0.1", "198.18.0.1", "192.0.2.1", "224.0.1.1", "ff0e::1", "::",
    "::10.0.0.1", "::127.0.0.1",  # IPv4-compatible
    "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
    "2002:0a00:0001::1", "2002:7f00:0001::1",  # 6to4 of private / loopback
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::7f00:1", "64:ff9b::a00:1",  # NAT64 of loopback / private
])
def test_default_policy_refuses_every_non_global_address(address: str) -> None:
    assert public_address(ipaddress.ip_address(address), 80) is False


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.216.34",
                                     "2002:0808:0808::1", "64:ff9b::808:808", "::ffff:8.8.8.8"])
def test_default_policy_allows_public_addresses(address: str) -> None:
    assert public_address(ipaddress.ip_address(address), 443) is True


MALFORMED = [
    "http://0177.0.0.1/", "http://[::1", "http://", "http:///x.jpg", "http://a:99999/x.jpg",
    "http://user:pw@example.com/x.jpg", "http://user@example.com/x.jpg", "javascript:alert(1)",
    "http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/", "http://exa mple.com/x.jpg",
    "http://%31%32%37.0.0.1/", "http://example.com/\nx.jpg", "data:image/png;base64,AAAA", "", "x" * 5000,
]


async def test_malformed_urls_are_a_4xx_json_answer(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    for url in MALFORMED:
        r = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": [url]})
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text)
        assert r.json()["code"] == 422 and r.json()["message"], url
    both = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": MALFORMED[:3]})
    assert both.status_code == 422 and len(both.json()["data"]["rejected"]) == 3


async def test_url_lists_that_are_not_strings_are_422(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    for urls in ([1], [None], "http://example.com/a.jpg", [["http://example.com/a.jpg"]]):
        r = await user.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": urls})
        assert r.status_code == 422 and r.json()["code"] == 422, urls


async def test_url_uploads_to_internal_addresses_are_refused(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    port = int(studio.url.rsplit(":", 1)[1])
    for url in (f"http://127.0.0.1:{port}/healthz", f"http://[::1]:{port}/healthz", "http://10.0.0.7/a.jpg",
                "http://192.168.1.1/router.jpg", "http://169.254.169.254/latest/meta-data/",
                f"http://localhost:{port}/healthz", f"http://0.0.0.0:{port}/healthz",
                f"http://[::ffff:127.0.0.1]:{port}/healthz", "http://172.17.0.1/x.jpg"):
        body = await upload_urls(user, sid, url)
        assert body["code"] == 422, (url, body)
        assert "not a public address" in body["message"], url
    assert (await user.state(sid))["data"]["state"]["assets"] == []


async def test_url_uploads_accept_only_http_and_https(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    for url in ("file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://127.0.0.1:6379/_INFO",
                "/etc/hosts", "http://"):
        body = await upload_urls(user, sid, url)
        assert body["code"] == 422 and "http" in body["message"], url


async def _studio_with_host(make_studio: StudioFactory, host: LoopbackServer, **kw: object) -> RunningStudio:
    return await make_studio(url_policy=allowing(host.port), **kw)


async def test_url_upload_from_an_allowed_host_becomes_an_asset(make_studio: StudioFactory,
                                                                studio_media: StudioMedia) -> None:
    async with LoopbackServer(file_host(studio_media)) as host:
        studio = await _studio_with_host(make_studio, host)
        user = await studio.user()
        sid = await user.new_session()
        body = await upload_urls(user, sid, f"{host.url}/shots/front.jpg")
    assert body["code"] == 0, body
    (f,) = body["data"]["files"]
    assert (f["filename"], f["file_type"], f["width"], f["height"]) == ("front.jpg", "image", 1600, 1200)
    state = (await user.state(sid))["data"]["state"]
    assert [a["name"] for a in state["assets"]] == ["front.jpg"]


async def test_redirects_to_internal_addresses_are_refused(make_studio: StudioFactory,
                                                           studio_media: StudioMedia) -> None:
    async with LoopbackServer(file_host(studio_media)) as host:
        studio = await _studio_with_host(make_studio, host)
        user = await studio.user()
        sid = await user.new_session()
        studio_port = int(studio.url.rsplit(":", 1)[1])
        for target in (f"http://127.0.0.1:{studio_port}/healthz", "http://10.0.0.1/x.jpg",
                       "http://169.254.169.254/latest/meta-data/", f"http://localhost:{studio_port}/"):
            body = await upload_urls(user, sid, f"{host.url}/go?to={target}")
            assert body["code"] == 422 and "not a public address" in body["message"], target
        followed = await upload_urls(user, sid, f"{host.url}/go?to={host.url}/shots/front.jpg")
        assert followed["code"] == 0


async def test_url_downloads_are_typed_and_size_capped_while_streaming(
    make_studio: StudioFactory, studio_media: StudioMedia, data_dir: Path
) -> None:
    async with LoopbackServer(file_host(studio_media)) as host:
        studio = await _studio_with_host(make_studio, host, max_upload_mb=2)
        user = await studio.user()
        sid = await user.new_session()
        streamed = await upload_urls(user, sid, f"{host.url}/big")
        declared = await upload_urls(user, sid, f"{host.url}/big?declared=1")
        fake = await upload_urls(user, sid, f"{host.url}/fake.jpg")
        missing = await upload_urls(user, sid, f"{host.url}/missing.jpg")
    assert streamed["code"] == 4002 and declared["code"] == 4002
    assert fake["code"] == 4001
    assert missing["code"] == 422 and "404" in missing["message"]
    media = data_dir / "studio" / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


async def test_a_download_has_a_total_deadline(make_studio: StudioFactory, studio_media: StudioMedia,
                                               data_dir: Path) -> None:
    async with LoopbackServer(file_host(studio_media)) as host:
        studio = await _studio_with_host(make_studio, host, url_fetch_seconds=1.5)
        user = await studio.user()
        sid = await user.new_session()
        started = time.monotonic()
        body = await upload_urls(user, sid, f"{host.url}/slow.jpg")
        took = time.monotonic() - started
    assert body["code"] == 4012
    assert body["message"] == "Downloading slow.jpg took too long (the limit is 1.5 s)."
    assert took < 5
    media = data_dir / "studio" / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


async def test_a_url_list_keeps_the_good_downloads_and_names_the_refused_urls(
    make_studio: StudioFactory, studio_media: StudioMedia
) -> None:
    async with LoopbackServer(file_host(studio_media)) as host:
        studio = await _studio_with_host(make_studio, host)
        user = await studio.user()
        sid = await user.new_session()
        body = await upload_urls(user, sid, f"{host.url}/shots/front.jpg", "http://10.0.0.7/cat.jpg",
                                 f"{host.url}/fake.jpg")
    assert body["code"] == 0
    assert [f["filename"] for f in body["data"]["files"]] == ["front.jpg"]
    assert body["data"]["rejected"] == [
        {"filename": "cat.jpg", "code": 422, "message": "URL refused: 10.0.0.7 is not a public address.",
         "url": "http://10.0.0.7/cat.jpg"},
        {"filename": "fake.jpg", "code": 4001, "message": body["data"]["rejected"][1]["message"],
         "url": f"{host.url}/fake.jpg"},
    ]
