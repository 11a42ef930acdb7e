"""Redirect chains as a browser meets them: every hop kept (status, location, the headers that
matter), at most MAX_HOPS requests, a URL seen twice named as a loop.

Several checks read the same chains (enforced, canonical, path, loops, HSTS, availability); the
stages share one walk per start URL per run.
"""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from wizard.net import NetContext, OutOfScope

MAX_HOPS = 10
KEPT_HEADERS = ("location", "strict-transport-security", "server", "cf-ray", "cf-cache-status",
                "content-type", "x-content-type-options", "x-frame-options", "content-security-policy",
                "content-security-policy-report-only", "referrer-policy", "permissions-policy")

Outcome = Literal["ok", "loop", "too-many", "error"]
FailureKind = Literal["refused", "tls", "timeout", "dns", "out-of-scope", "other"]


@dataclass(frozen=True)
class Hop:
    url: str
    status: int
    headers: dict[str, str]

    @property
    def location(self) -> str | None:
        """The absolute URL a redirect points to, None when this hop is not a redirect."""
        if not 300 <= self.status < 400 or "location" not in self.headers:
            return None
        return urljoin(self.url, self.headers["location"])

    def as_dict(self) -> dict:
        return {"url": self.url, "status": self.status, "headers": self.headers}


@dataclass
class Chain:
    """The walk from `start`: hops in order; `error` says why the last request got no answer."""

    start: str
    hops: list[Hop] = field(default_factory=list)
    outcome: Outcome = "ok"
    error: str = ""
    error_kind: FailureKind | None = None
    failed_url: str = ""

    @property
    def redirects(self) -> list[Hop]:
        return [h for h in self.hops if h.location is not None]

    @property
    def final(self) -> Hop | None:
        """The hop that answered without redirecting, when the walk got there."""
        return self.hops[-1] if self.outcome == "ok" and self.hops else None

    def route(self, loop_only: bool = False) -> str:
        """`http://a/ -301-> https://a/ -200`: the chain on one line; with loop_only, just the
        cycle of a looping chain (from the first visit of the URL it comes back to)."""
        hops = self.hops
        if loop_only and self.outcome == "loop" and hops and hops[-1].location:
            first = next(i for i, h in enumerate(hops) if h.url == hops[-1].location)
            hops = hops[first:]
        parts = [hops[0].url] if hops else [self.start]
        for hop in hops:
            parts.append(f"-{hop.status}->" if hop.location else f"-{hop.status}")
            if hop.location:
                parts.append(hop.location)
        if self.outcome == "error":
            parts.append(f"({self.error})")
        return " ".join(parts)

    def evidence(self) -> dict:
        return {"start": self.start, "outcome": self.outcome, "route": self.route(),
                "hops": [h.as_dict() for h in self.hops],
                **({"error": self.error, "error_kind": self.error_kind} if self.error else {})}


def classify(exc: BaseException) -> FailureKind:
    """Connection refused, TLS failure, timeout and DNS failure kept apart for the summary."""
    if isinstance(exc, OutOfScope):
        return "out-of-scope"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    chain: list[BaseException] = []
    cursor: BaseException | None = exc
    while cursor is not None and len(chain) < 8:
        chain.append(cursor)
        cursor = cursor.__cause__ or cursor.__context__
    if any(isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain):
        return "tls"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    text = " ".join(str(e) for e in chain).lower()
    if "does not resolve" in text or "dns lookup" in text:
        return "dns"
    if "refused" in text:
        return "refused"
    if "ssl" in text or "certificate" in text or "handshake" in text:
        return "tls"
    return "other"


async def walk(net: NetContext, url: str, max_hops: int = MAX_HOPS) -> Chain:
    """Follow redirects from url one request at a time, never more than max_hops requests."""
    chain = Chain(url)
    seen: set[str] = set()
    next_url = url
    for _ in range(max_hops):
        if next_url in seen:
            chain.outcome = "loop"
            return chain
        seen.add(next_url)
        try:
            async with net.http.stream("GET", next_url) as response:
                headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
                hop = Hop(next_url, response.status_code, headers)
        except (httpx.HTTPError, OutOfScope, OSError) as exc:
            chain.outcome, chain.failed_url = "error", next_url
            chain.error_kind = classify(exc)
            chain.error = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            return chain
        chain.hops.append(hop)
        location = hop.location
        if location is None:
            return chain
        next_url = location
    chain.outcome = "loop" if next_url in seen else "too-many"
    return chain


def new_probe_path() -> str:
    """A random path and query: unique enough that no cache holds it, and easy to spot in the
    evidence when a redirect drops or rewrites it."""
    token = secrets.token_hex(4)
    return f"/lr-{token}?q={token}"


def same_path(url: str, wanted: str) -> bool:
    """Whether url keeps the path and query of `wanted` (a path with its query)."""
    got, want = urlsplit(url), urlsplit(wanted)
    return got.path == want.path and got.query == want.query
