"""A bounded burst at one endpoint to see whether it is rate limited: at most `total` requests,
`concurrency` at a time, stopping at the first 429 or when the endpoint degrades (a 5xx, no
answer, or a response slower than 3x the first one), plus what the endpoint says about its quota
(Retry-After, RateLimit / RateLimit-Policy, X-RateLimit-*)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from wizard.probes.api_client import BoundReached

SLOWDOWN = 3.0  # a response this many times slower than the first one means degradation
SLOW_FLOOR_S = 1.0  # ... and at least this slow: jitter of a few milliseconds is not degradation
LIMIT_HEADERS = ("retry-after", "ratelimit", "ratelimit-policy", "x-ratelimit-limit",
                 "x-ratelimit-remaining", "x-ratelimit-reset")


@dataclass(frozen=True)
class Shot:
    number: int  # 1-based, in the order requests were started (they may arrive in another)
    status: int | None  # None: no answer (timeout, connection error)
    latency_s: float
    headers: dict[str, str]  # the rate-limit headers it carried


@dataclass
class Burst:
    shots: list[Shot] = field(default_factory=list)
    stopped: str = "bound"  # "429", "degraded" or "bound" (every allowed request was sent)
    stop_reason: str = ""

    @property
    def first_429(self) -> int | None:
        return min((s.number for s in self.shots if s.status == 429), default=None)

    @property
    def limit_headers(self) -> dict[str, str]:
        """The rate-limit headers of the first 429 (its Retry-After), else of the last response
        that had any."""
        refused = [s for s in self.shots if s.status == 429 and s.headers]
        answered = refused[:1] or [s for s in reversed(self.shots) if s.headers]
        return answered[0].headers if answered else {}

    @property
    def advertised_quota(self) -> int | None:
        return advertised_quota(self.limit_headers)


def advertised_quota(headers: dict[str, str]) -> int | None:
    """Requests per window the endpoint announces: RateLimit-Policy (`10;w=60` or `"p";q=10;w=60`),
    RateLimit (`limit=10, ...`) or X-RateLimit-Limit."""
    policy = headers.get("ratelimit-policy", "")
    if m := re.match(r"\s*(\d+)\s*(?:;|,|$)", policy) or re.search(r"\bq=(\d+)", policy):
        return int(m.group(1))
    if m := re.search(r"\blimit=(\d+)", headers.get("ratelimit", "")):
        return int(m.group(1))
    if m := re.match(r"\s*(\d+)", headers.get("x-ratelimit-limit", "")):
        return int(m.group(1))
    return None


def _limit_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in LIMIT_HEADERS if name in response.headers}


async def _shot(number: int, send: Callable[[], Awaitable[httpx.Response]]) -> Shot:
    t0 = time.monotonic()
    try:
        response = await send()
    except httpx.HTTPError:
        return Shot(number, None, time.monotonic() - t0, {})
    return Shot(number, response.status_code, time.monotonic() - t0, _limit_headers(response))


async def burst(send: Callable[[], Awaitable[httpx.Response]], total: int, concurrency: int) -> Burst:
    """Send up to `total` requests: the first alone (its latency is the baseline), the rest
    `concurrency` at a time. BoundReached from `send` ends it early; requests in flight when a
    stop is seen still finish, and the count never passes `total`."""
    result = Burst()
    started = 0
    baseline: float | None = None

    def judge(shot: Shot) -> None:
        result.shots.append(shot)
        if result.stopped != "bound":
            return
        if shot.status == 429:
            result.stopped, result.stop_reason = "429", f"429 on request {shot.number}"
        elif shot.status is None or shot.status >= 500:
            result.stopped = "degraded"
            result.stop_reason = f"request {shot.number}: {shot.status or 'no answer'}"
        elif baseline is not None and shot.latency_s > max(SLOWDOWN * baseline, SLOW_FLOOR_S):
            result.stopped = "degraded"
            result.stop_reason = (f"request {shot.number} took {shot.latency_s:.2f} s "
                                  f"(the first took {baseline:.2f} s)")

    async def worker() -> None:
        nonlocal started
        while started < total and result.stopped == "bound":
            started += 1
            try:
                judge(await _shot(started, send))
            except BoundReached:
                started -= 1
                return

    try:
        first = await _shot(1, send)
    except BoundReached:
        return result
    started = 1
    baseline = first.latency_s
    judge(first)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return result
