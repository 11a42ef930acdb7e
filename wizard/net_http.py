"""The HTTP half of the network context: httpx over an httpcore pool whose connections go where
`connect_to` and the sprint's resolver say. Imported by NetContext.http on first use only, so
runs that send no HTTP request never load httpx."""

from __future__ import annotations

import ssl
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import httpcore
import httpx

from wizard.net import LOOKUP_S

if TYPE_CHECKING:
    from wizard.net import NetContext

USER_AGENT = "launch-ready (launch readiness check)"


class _ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Connects where `connect_to` and the sprint's resolver say, not where the OS would."""

    def __init__(self, net: NetContext):
        self._net = net
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        target_host, target_port = self._net.route(host, port)
        started = time.perf_counter()
        addresses = await self._net.addresses(target_host)
        LOOKUP_S.set(time.perf_counter() - started)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, target_port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never used
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Transport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool that uses our backend (httpx has no public knob for it)."""

    def __init__(self, net: NetContext, ssl_context: ssl.SSLContext):
        super().__init__(verify=ssl_context, retries=0)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=10,
            network_backend=_ResolvingBackend(net),
        )


def client(net: NetContext,
           guard: Callable[[httpx.Request], Awaitable[None]] | None = None) -> httpx.AsyncClient:
    """A client over the sprint's trust store, resolver and connect_to, with the network timeout,
    following no redirect; `guard` sees every request before it is sent (scope and budget)."""
    return httpx.AsyncClient(
        transport=_Transport(net, net.ssl_context),
        timeout=httpx.Timeout(net.timeout_s),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [guard]} if guard else None,
    )
