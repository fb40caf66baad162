"""URL uploads: download a file the user pointed at, without letting anyone reach inside the network.

Only well-formed http and https URLs (`check_url`): no credentials, a valid port, a host that is
a DNS name or a plain IP literal (no `0177.0.0.1`, `127.1` or `2130706433` spellings); anything
else is a 422 JSON answer, never a 500. Every connection (the first, and each one after a
redirect) goes through a network backend that resolves the host itself, checks EVERY resolved
address against the policy (default `public_address`: globally routable unicast only; see there)
and then connects to the checked address, so a DNS answer cannot change between the check and the
connect. Proxies from the environment are ignored. Each download has a total deadline
(`url_fetch_seconds`, start to last byte, redirects included) on top of the per-read timeouts.
The body goes through a `FileSink` (type sniffed, size capped while streaming).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
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


_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_V4_COMPAT = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_MAX_URL = 4096
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _V4_COMPAT or ip in _NAT64:
        return ipaddress.IPv4Address(ip.packed[-4:])
    return None


def public_address(ip: IPAddress, port: int) -> bool:
    """The default policy: globally routable unicast addresses only.

    `is_global` (IANA's special-purpose registries: private, shared 100.64/10, loopback,
    link-local, documentation, benchmarking, reserved, ...), and also refused: multicast,
    0.0.0.0/8, the deprecated site-local fec0::/10, Teredo, and every IPv6 form that carries an
    IPv4 address (mapped ::ffff:0:0/96, compatible ::/96, 6to4 2002::/16, NAT64 64:ff9b::/96)
    unless that IPv4 address is itself public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _SITE_LOCAL or ip.teredo is not None or ip.is_multicast:
            return False
        embedded = _embedded_v4(ip)
        if embedded is not None:
            return public_address(embedded, port)
        return ip.is_global
    if ip in _THIS_NETWORK or ip.is_multicast:
        return False
    return ip.is_global


def check_url(url: object) -> httpx.URL:
    """A URL the studio may download from, or 422 naming what is wrong with it."""
    if not isinstance(url, str) or not url or len(url) > _MAX_URL:
        raise errors.invalid_request("That is not a valid http:// or https:// URL.")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise errors.invalid_request("That URL has spaces or control characters in it.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
        parsed = httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise errors.invalid_request("That is not a valid http:// or https:// URL.") from None
    if parts.scheme.lower() not in ("http", "https") or parsed.scheme not in ("http", "https"):
        raise errors.invalid_request("Only http:// and https:// URLs can be uploaded.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise errors.invalid_request("URLs with a user name or password cannot be uploaded.")
    host = parsed.raw_host.decode("ascii", "replace").lower()
    if not host:
        raise errors.invalid_request("Only http:// and https:// URLs with a host can be uploaded.")
    if not _valid_host(host):
        raise errors.invalid_request(f"That URL's host is not valid: {host[:80]}.")
    return parsed


def _valid_host(host: str) -> bool:
    """An IP literal in its plain form, or a DNS name (a numeric last label must be a dotted quad)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not all(_LABEL.match(label) for label in labels):
        return False
    return not (labels[-1].isdigit() or labels[-1].startswith("0x"))  # 127.1, 2130706433, 0x7f.0.0.1


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
        self, policy: AddressPolicy = public_address, *, timeout: float = 30.0, max_redirects: int = 5,
        deadline: float = 120.0,
    ) -> None:
        self.policy = policy
        self.timeout = timeout  # per connect / read
        self.max_redirects = max_redirects
        self.deadline = deadline  # the whole download

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
        parsed = check_url(url)
        host = parsed.host
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if literal is not None and not self.policy(literal, port):
            log.warning("URL upload refused: %s is not a public address", host)
            raise errors.invalid_request(f"URL refused: {host} is not a public address.")
        sink: FileSink | None = None
        try:
            async with asyncio.timeout(self.deadline):
                async with self._client() as client, client.stream("GET", parsed) as response:
                    if response.status_code != 200:
                        raise errors.invalid_request(
                            f"Download from {host} failed: HTTP {response.status_code}.")
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
        except TimeoutError:
            if sink is not None:
                sink.discard()
            log.info("URL upload from %s stopped at the %.0f s deadline", host, self.deadline)
            raise errors.download_too_slow(sink.name if sink is not None else host, self.deadline) from None
        except BlockedAddress as exc:
            log.warning("URL upload refused: %s", exc)
            raise errors.invalid_request(f"URL refused: {exc.host} is not a public address.") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpcore.ConnectError, ValueError) as exc:
            if sink is not None:
                sink.discard()
            log.info("URL upload from %s failed: %s", host, type(exc).__name__)
            raise errors.invalid_request(f"Could not download from {host}.") from None
