"""One request's time split the way an uptime monitor shows it: DNS, connect, TLS, first byte,
total, from httpcore's `trace` request extension and the net context's own lookup timer.

httpcore reports `connect_tcp` as one step, and our backend resolves the name inside it through
the sprint's resolver; net.LOOKUP_S holds that lookup's duration, so connect is the step less the
lookup. A request that reused a pooled connection has no DNS, connect or TLS (None, `reused`).
First byte runs from sending to the response headers' arrival; total includes reading the body.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from wizard.net import LOOKUP_S, NetContext


@dataclass(frozen=True)
class Timing:
    dns_s: float | None
    connect_s: float | None
    tls_s: float | None
    first_byte_s: float | None
    total_s: float

    @property
    def reused(self) -> bool:
        return self.connect_s is None

    def evidence(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 1)

        return {"dns_ms": ms(self.dns_s), "connect_ms": ms(self.connect_s), "tls_ms": ms(self.tls_s),
                "first_byte_ms": ms(self.first_byte_s), "total_ms": ms(self.total_s),
                "reused_connection": self.reused}


class _Trace:
    """Collects the perf_counter time of each trace event (the last one of each name wins)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        self.at[event.split(".", 1)[-1]] = time.perf_counter()  # "http11.x" and "http2.x" alike

    def span(self, step: str) -> float | None:
        start, end = self.at.get(f"{step}.started"), self.at.get(f"{step}.complete")
        return None if start is None or end is None else end - start


async def timed_request(net: NetContext, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, Timing]:
    """One request through the net context (scope, budget, resolver), body read, with its timing."""
    trace = _Trace()
    LOOKUP_S.set(None)
    started = time.perf_counter()
    response = await net.http.request(method, url, extensions={"trace": trace}, **kwargs)
    total = time.perf_counter() - started
    connect = trace.span("connect_tcp")
    dns = LOOKUP_S.get() if connect is not None else None
    if connect is not None and dns is not None:
        connect = max(0.0, connect - dns)
    sent = trace.at.get("send_request_headers.started")
    headers = trace.at.get("receive_response_headers.complete")
    first_byte = headers - sent if sent is not None and headers is not None else None
    return response, Timing(dns, connect, trace.span("start_tls"), first_byte, total)
