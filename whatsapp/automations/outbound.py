"""The HTTP client automation webhooks POST with: it connects only where `egress` allows.

The check sits in httpcore's network backend, the one place a connection is opened: the host
name is resolved there once, every address it resolves to is judged by the egress policy
(one refused address refuses the host: a name that also points inside is not trusted), and
the socket is opened to the judged address itself — so DNS cannot answer differently between
the check and the connection (rebinding). The request keeps its URL, so the Host header, TLS
SNI and certificate verification all use the host name as usual.

Nothing else reaches the network: no proxy from the environment (it would connect for us), no
Unix sockets, no redirects (a 3xx is an answer like any other), and at most
`RESPONSE_MAX_BYTES` of an answer are read — undecoded, so a compressed body cannot expand.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import anyio
import certifi
import httpcore
import httpx

from whatsapp.automations.egress import EgressPolicy, IPAddress, policy

RESPONSE_MAX_BYTES = 64 * 1024
EXCERPT_CHARS = 300
_SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class AddressRefused(httpcore.ConnectError):
    """The destination resolves to an address automations may not reach."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy allows."""

    def __init__(
        self, egress: EgressPolicy, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._egress = egress
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port, timeout)
        for address in addresses:
            reason = self._egress.refusal(host, address)
            if reason is not None:
                raise AddressRefused(f"{host} resolves to {reason}")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # _resolve returns at least one address
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("Unix sockets are not reachable")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int, limit_s: float | None) -> list[IPAddress]:
    """Every address `host` resolves to, in the resolver's order, each once."""
    try:
        with anyio.fail_after(limit_s):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
    except OSError as exc:
        raise httpcore.ConnectError(f"{host} does not resolve ({exc.strerror})") from None
    except UnicodeError:  # a label IDNA refuses (too long, say)
        raise httpcore.ConnectError(f"{host} is not a host name DNS can look up") from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise httpcore.ConnectError(f"{host} does not resolve")
    return found


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that uses `GuardedBackend`."""

    def __init__(self, egress: EgressPolicy, *, max_connections: int = 4) -> None:
        super().__init__(verify=_tls(), trust_env=False)
        # httpx takes no network backend, so its pool is replaced by httpcore's own, made
        # with ours and the same TLS context (tests prove the refusal on every upgrade).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_tls(),
            max_connections=max_connections,
            network_backend=GuardedBackend(egress),
        )


@cache
def _tls() -> ssl.SSLContext:
    """Verified TLS with certifi's roots, as httpx's default (made once: it reads a file)."""
    return ssl.create_default_context(cafile=certifi.where())


def guarded_client(egress: EgressPolicy | None = None) -> httpx.AsyncClient:
    """A client for one delivery's attempts; the caller closes it (`async with`)."""
    return httpx.AsyncClient(
        transport=GuardedTransport(egress or policy()),
        follow_redirects=False,
        trust_env=False,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt's outcome. `reason` and `excerpt` are for the operator only: they tell an
    open port from a closed one."""

    status: int | None
    reason: str
    retryable: bool
    excerpt: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def post(
    http: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    limit_s: float,
) -> Delivery:
    """POST once, within `limit_s` seconds in all (connecting, sending, the answer's start and
    its first `RESPONSE_MAX_BYTES`). A refused address is retryable like a closed port, so
    the run looks the same either way to whoever can only read it."""
    try:
        async with asyncio.timeout(limit_s):
            async with http.stream(
                "POST", url, content=body, headers=headers, timeout=limit_s
            ) as response:
                excerpt = await _excerpt(response)
    except httpx.ConnectError as exc:
        refused = isinstance(exc.__cause__, AddressRefused)
        reason = f"refused: {exc}" if refused else f"could not connect ({exc})"
        return Delivery(None, reason, retryable=True)
    except (httpx.TimeoutException, TimeoutError):
        return Delivery(None, f"timed out after {limit_s:g}s", retryable=True)
    except httpx.TransportError as exc:
        return Delivery(None, f"failed ({type(exc).__name__})", retryable=True)
    status = response.status_code
    if 200 <= status < 300:
        return Delivery(status, f"answered HTTP {status}", retryable=False)
    return Delivery(status, f"answered HTTP {status}", retryable=status >= 500, excerpt=excerpt)


async def _excerpt(response: httpx.Response) -> str:
    """The start of the answer as text, having read at most RESPONSE_MAX_BYTES of it."""
    kept = bytearray()
    async for chunk in response.aiter_raw():
        kept.extend(chunk[: RESPONSE_MAX_BYTES - len(kept)])
        if len(kept) >= RESPONSE_MAX_BYTES:
            break
    text = kept.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return "".join(c if c.isprintable() else " " for c in text)
