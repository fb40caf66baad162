"""URL uploads: download a file the user pointed at, without letting anyone reach inside the network.

Only http and https. Every connection (the first, and each one after a redirect) goes through a
network backend that resolves the host itself, checks EVERY resolved address against the
policy (default: public unicast only; loopback, private, link-local, multicast, reserved,
unspecified and shared addresses refused, IPv4-mapped IPv6 unwrapped), and then connects to the
checked address, so a DNS answer cannot change between the check and the connect. Proxies from
the environment are ignored. The body goes through a `FileSink` (type sniffed, size capped while
streaming).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx
from python_multipart.multipart import parse_options_header

from studio.api import errors
from studio.api.ingest import FileSink, SavedFile

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress, int], bool]
"""(resolved address, port) -> may the studio connect there?"""


def public_address(ip: IPAddress, port: int) -> bool:
    """The default policy: public unicast addresses only."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )


class BlockedAddress(Exception):
    def __init__(self, host: str) -> None:
        super().__init__(f"{host} is not a public address")
        self.host = host


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address, then connects to a checked address."""

    def __init__(self, policy: AddressPolicy, resolve_timeout: float = 10.0) -> None:
        self.policy = policy
        self.resolve_timeout = resolve_timeout
        self._inner = httpcore.AnyIOBackend()

    async def _resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), self.resolve_timeout
            )
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        addresses: list[str] = []
        for *_, sockaddr in infos:
            address = str(sockaddr[0]).split("%", 1)[0]
            if address not in addresses:
                addresses.append(address)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        if not addresses or not all(self.policy(ipaddress.ip_address(a), port) for a in addresses):
            raise BlockedAddress(host)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"cannot connect to {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _filename(response: httpx.Response) -> str:
    _, options = parse_options_header(response.headers.get("content-disposition"))
    if name := options.get(b"filename"):
        return name.decode("utf-8", "replace")
    return unquote(response.url.path.rsplit("/", 1)[-1]) or "download"


class UrlFetcher:
    def __init__(
        self, policy: AddressPolicy = public_address, *, timeout: float = 30.0, max_redirects: int = 5
    ) -> None:
        self.policy = policy
        self.timeout = timeout
        self.max_redirects = max_redirects

    def _client(self) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(trust_env=False)
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=4,
            network_backend=GuardedBackend(self.policy),
        )
        return httpx.AsyncClient(
            transport=transport, follow_redirects=True, max_redirects=self.max_redirects,
            timeout=self.timeout, trust_env=False, headers={"User-Agent": "videobot-studio"},
        )

    async def fetch(self, url: str, new_sink: Callable[[str], FileSink]) -> SavedFile:
        """Download one URL into a sink made by `new_sink(filename)`; raises ApiError."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise errors.invalid_request("Only http:// and https:// URLs can be uploaded.")
        sink: FileSink | None = None
        try:
            async with self._client() as client, client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise errors.invalid_request(f"Download from {host} failed: HTTP {response.status_code}.")
                sink = new_sink(_filename(response))
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > sink.max_bytes:  # refused on the declared size
                    raise errors.file_too_large(sink.name, sink.max_bytes // (1024 * 1024))
                async for chunk in response.aiter_bytes():
                    sink.write(chunk)
                return sink.finish()
        except errors.ApiError:
            if sink is not None:
                sink.discard()
            raise
        except BlockedAddress as exc:
            log.warning("URL upload refused: %s", exc)
            raise errors.invalid_request(f"URL refused: {exc.host} is not a public address.") from None
        except (httpx.HTTPError, httpcore.ConnectError) as exc:
            if sink is not None:
                sink.discard()
            log.info("URL upload from %s failed: %s", host, type(exc).__name__)
            raise errors.invalid_request(f"Could not download from {host}.") from None
