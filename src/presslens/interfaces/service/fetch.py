"""Fetching a URL on a client's behalf without becoming a proxy into the server's network (SSRF).

Every hop (the first URL and each redirect) is checked the same way before anything is sent:

- the scheme is ``http`` or ``https``;
- the host name is resolved here and *every* address it resolves to must be public (no loopback, private,
  link-local, shared, multicast, reserved or unspecified address, IPv4-mapped IPv6 included), unless the policy
  allows private addresses;
- the connection then goes to the checked address itself (Host header and TLS SNI keep the name), so a second
  DNS answer cannot swap in another address between the check and the connection (DNS rebinding).

The whole fetch has one deadline, the body is read in chunks and dropped past the size cap (decompressed
bytes are what count), and redirects are followed by hand up to the policy's limit.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import anyio
import httpx

from presslens import __version__
from presslens.interfaces.service.settings import FetchPolicy

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Resolves a host name and port to every address it stands for.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


class FetchError(Exception):
    """The URL could not be fetched (unreachable, HTTP error, too large, too slow, wrong content type)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"could not fetch {url}: {reason}")
        self.url = url
        self.reason = reason


class FetchRefused(FetchError):
    """The fetch policy forbids this URL (scheme or address): nothing was sent."""

    def __init__(self, url: str, reason: str) -> None:
        Exception.__init__(self, f"refused to fetch {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class FetchedPage:
    """A fetched response body with what ingest needs to decode it."""

    url: str
    content: bytes
    content_type: str

    @property
    def kind(self) -> Literal["text", "html"]:
        """``html`` or ``text``, for :func:`presslens.ingest.ingest_bytes`."""
        return "text" if self.content_type == "text/plain" else "html"


def is_public_address(address: IPAddress) -> bool:
    """Whether an address is globally routable unicast (the only kind a default server may fetch from)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not address.is_multicast


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (the system resolver, run off the event loop)."""
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(host, f"cannot resolve host {host!r} ({exc.strerror or exc})") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


class UrlFetcher:
    """Fetches pages under a :class:`FetchPolicy`; one instance per service (it pools connections)."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        resolver: Resolver = resolve_host,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolver
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # an environment proxy would connect to names we never checked
            timeout=httpx.Timeout(policy.timeout_s),
            headers={"User-Agent": f"presslens/{__version__}", "Accept": ", ".join(_TEXT_TYPES)},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchedPage:
        """Fetch ``url`` following at most ``max_redirects`` redirects, each hop checked before it is sent.

        Raises :class:`FetchRefused` when the policy forbids a hop and :class:`FetchError` when it fails.
        """
        try:
            with anyio.fail_after(self.policy.timeout_s):
                return await self._follow(url)
        except TimeoutError as exc:
            raise FetchError(url, f"no complete answer within {self.policy.timeout_s:g} s") from exc

    async def _follow(self, url: str) -> FetchedPage:
        current = self._parse(url)
        for _hop in range(self.policy.max_redirects + 1):
            request = await self._checked_request(current)
            try:
                response = await self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise FetchError(str(current), f"{type(exc).__name__}: {exc}") from exc
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = self._parse(str(current.join(location)))
                    continue
                return await self._read(current, response)
            finally:
                await response.aclose()
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    def _parse(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchRefused(url, f"not a valid URL ({exc})") from exc
        if parsed.scheme not in _DEFAULT_PORTS:
            raise FetchRefused(url, f"only http and https URLs are fetched, not {parsed.scheme or 'a relative URL'!r}")
        if not parsed.host:
            raise FetchRefused(url, "the URL has no host")
        return parsed

    async def _checked_request(self, url: httpx.URL) -> httpx.Request:
        """A request to the checked address of ``url``'s host, carrying the host name in Host and SNI."""
        port = url.port or _DEFAULT_PORTS[url.scheme]
        addresses = await self._resolve(url.host, port)
        if not addresses:
            raise FetchError(str(url), f"host {url.host!r} has no address")
        if not self.policy.allow_private:
            for address in addresses:
                if not is_public_address(address):
                    raise FetchRefused(
                        str(url),
                        f"{url.host} resolves to non-public address {address} "
                        "(start the server with --allow-private-fetch to allow this)",
                    )
        host_header = url.host if url.port is None else f"{url.host}:{url.port}"
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        return self._client.build_request(
            "GET",
            url.copy_with(host=str(addresses[0])),
            headers={"Host": host_header},
            extensions=extensions,
        )

    async def _read(self, url: httpx.URL, response: httpx.Response) -> FetchedPage:
        if response.status_code >= 400:
            raise FetchError(str(url), f"the server answered HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
        if content_type not in _TEXT_TYPES:
            raise FetchError(str(url), f"content type {content_type!r} is not HTML or plain text")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            cap = self.policy.max_bytes
            raise FetchError(str(url), f"body of {int(declared):,} bytes is over the {cap:,}-byte cap")
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise FetchError(str(url), f"body is over the {self.policy.max_bytes:,}-byte cap")
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise FetchError(str(url), f"{type(exc).__name__}: {exc}") from exc
        return FetchedPage(url=str(url), content=b"".join(chunks), content_type=content_type)
