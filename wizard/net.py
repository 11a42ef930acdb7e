"""The one network context every probe uses: resolver, HTTP client, CA bundle, connect_to,
scope and request budget, all built from the sprint's `network:` section.

HTTP connections resolve host names through the configured nameservers (never the OS cache), so
a fix is verified against the authoritative answer right after it is applied; the URL's host still
sets the Host header and TLS SNI, so certificates are verified for the real name.
"""

from __future__ import annotations

import asyncio
import contextvars
import ssl
import threading
from collections import Counter
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.addresses import (
    ConnectTo,
    in_scope,
    is_ip,
    is_loopback,
    parse_connect_to,
    parse_nameserver,
)
from wizard.errors import UsageError
from wizard.sprint import Network

if TYPE_CHECKING:
    import dns.asyncresolver
    import dns.rdatatype
    import dns.resolver
    import httpx


class NetRefused(Exception):
    """A request the context would not send (outside the scope, over the budget)."""


class OutOfScope(NetRefused):
    pass


class BudgetExhausted(NetRefused):
    pass


class RequestBudget:
    """A hard cap on outbound requests (DNS queries and HTTP requests) in one run."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()  # checkdmarc and other sync probes run in threads

    def spend(self, what: str) -> None:
        with self._lock:
            if self.used >= self.limit:
                raise BudgetExhausted(
                    f"request budget of {self.limit} used up; not sent: {what} "
                    "(raise network.request_budget in sprint.yaml)"
                )
            self.used += 1


def build_ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """The system trust store, plus the sprint's extra CA when it names one."""
    ctx = ssl.create_default_context()
    if ctx.cert_store_stats().get("x509_ca", 0) == 0:
        import certifi  # httpx's own fallback when the system store is empty

        ctx.load_verify_locations(certifi.where())
    if ca_bundle is not None:
        try:
            ctx.load_verify_locations(cafile=str(ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"network.ca_bundle {ca_bundle} cannot be used ({exc}); "
                             "point it at a PEM file of CA certificates") from None
    return ctx


async def close_stream(writer: asyncio.StreamWriter, timeout_s: float) -> None:
    """Close a probe's raw connection (a TLS handshake), never waiting past the timeout."""
    writer.close()
    try:
        async with asyncio.timeout(timeout_s):
            await writer.wait_closed()
    except (OSError, TimeoutError, ssl.SSLError):
        pass


# The check whose task sends a request (set by the engine), so requests are counted per check.
CURRENT_CHECK: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_check", default=None)
# How long the last connection's DNS lookup took, in the task that made it (None: no lookup
# since it was reset). httpcore connects in the requesting task, so wizard.probes.timing reads
# it after a request to split DNS from the TCP connect that the trace reports as one step.
LOOKUP_S: contextvars.ContextVar[float | None] = contextvars.ContextVar("lookup_s", default=None)


class NetContext:
    """Built once per run; `async with` it to close the HTTP client."""

    def __init__(self, network: Network, domain: str, base_dir: Path | None = None,
                 also: list[str] | tuple[str, ...] = ()):
        """`also`: hosts outside the domain that are in scope too (a local API's loopback host,
        SprintConfig.scope_hosts)."""
        self.domain = domain
        self.also = tuple(h.strip("[]").lower() for h in also)
        self.timeout_s = network.timeout_s
        self.budget = RequestBudget(network.request_budget)
        self.sent_by: Counter[str] = Counter()  # HTTP requests per check (CURRENT_CHECK)
        self.on_request: Callable[[str, int], None] | None = None  # (check id, its count so far)
        self.connect_to: list[ConnectTo] = [parse_connect_to(s) for s in network.connect_to]
        self.nameservers = [parse_nameserver(s) for s in network.nameservers]
        ca = Path(network.ca_bundle).expanduser() if network.ca_bundle else None
        if ca is not None and not ca.is_absolute() and base_dir is not None:
            ca = base_dir / ca
        self.ca_bundle = ca
        self.base_dir = base_dir  # the sprint directory: relative paths in the config start here
        if ca is not None:
            self.ssl_context  # noqa: B018 - a CA the user named that cannot be used is said now

    # Built on first use: a run of the repository checks alone never loads httpx or dnspython,
    # nor reads the system trust store (DESIGN.md: start-up per check family).
    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        return build_ssl_context(self.ca_bundle)

    @cached_property
    def http(self) -> httpx.AsyncClient:
        from wizard.net_http import client

        return client(self, self._guard_request)

    @cached_property
    def resolver(self) -> dns.asyncresolver.Resolver:
        import dns.asyncresolver
        import dns.nameserver

        if self.nameservers:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [
                dns.nameserver.Do53Nameserver(ns.address, ns.port) for ns in self.nameservers
            ]
        else:
            resolver = dns.asyncresolver.Resolver()
        resolver.timeout = self.timeout_s
        resolver.lifetime = self.timeout_s
        resolver.cache = None  # every answer is the live one
        return resolver

    async def __aenter__(self) -> NetContext:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if "http" in self.__dict__:  # only a client that was built
            await self.http.aclose()

    async def post_alert(self, url: str, payload: dict) -> httpx.Response:
        """The one request allowed outside the sprint's domain: a single test alert POSTed to the
        user's own alert webhook (wizard/probes/alerts.py), whose host (Slack, Discord, a pager)
        is usually elsewhere. One bounded request: it spends the run's budget, keeps the trust
        store, resolver and connect_to, follows no redirect and has the network timeout. The URL
        is a secret (the keyring's alert-webhook), so it is never named in the budget's message."""
        from wizard.net_http import client

        self._spend("POST to the alert webhook")
        async with client(self) as alert_client:
            return await alert_client.post(url, json=payload)

    # scope and budget
    def check_scope(self, host: str) -> None:
        if not in_scope(host, self.domain) and host.strip("[]").lower() not in self.also:
            raise OutOfScope(f"{host} is outside {self.domain}; probes only contact the sprint's domain")

    async def _guard_request(self, request: httpx.Request) -> None:
        self.check_scope(request.url.host)
        self._spend(f"{request.method} {request.url}")

    def _spend(self, what: str) -> None:
        """One HTTP request: the run's budget, and the running check's count."""
        self.budget.spend(what)
        check = CURRENT_CHECK.get()
        if check is not None:
            self.sent_by[check] += 1
            if self.on_request is not None:
                self.on_request(check, self.sent_by[check])

    # DNS
    async def query(self, name: str, rdtype: dns.rdatatype.RdataType | str) -> dns.resolver.Answer:
        """One DNS question through the sprint's nameservers (UDP, TCP when truncated).

        Raises dnspython's NXDOMAIN, NoAnswer, LifetimeTimeout, NoNameservers as they are, so
        callers can tell "no such name" from "no answer in time"."""
        import dns.rdatatype

        self.budget.spend(f"DNS {name} {dns.rdatatype.to_text(dns.rdatatype.from_text(str(rdtype)))}")
        return await self.resolver.resolve(name, rdtype, search=False, raise_on_no_answer=True)

    def route(self, host: str, port: int) -> tuple[str, int]:
        """Where a connection to host:port really goes: the first matching connect_to rule."""
        for rule in self.connect_to:
            if rule.matches(host, port):
                return rule.apply(host, port)
        return host, port

    async def addresses(self, host: str) -> list[str]:
        """IP addresses for a connection: literal, or A then AAAA from the sprint's resolver."""
        import dns.exception
        import dns.resolver
        import httpcore

        bare = host.strip("[]")
        if is_ip(bare):
            return [bare]
        if is_loopback(bare):  # localhost is this machine (RFC 6761), whatever a resolver says
            return ["127.0.0.1", "::1"]
        found: list[str] = []
        for rdtype in ("A", "AAAA"):
            try:
                answer = await self.query(bare, rdtype)
                found.extend(r.address for r in answer)
            except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
                continue
            except dns.exception.Timeout as exc:
                raise httpcore.ConnectTimeout(f"DNS lookup of {bare} timed out") from exc
            except dns.exception.DNSException as exc:
                raise httpcore.ConnectError(f"DNS lookup of {bare} failed: {exc}") from exc
        if not found:
            raise httpcore.ConnectError(f"{bare} does not resolve")
        return found

