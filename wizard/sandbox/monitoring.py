"""What the observability checks need the product to do on demand: answer slowly with a chosen
latency distribution, go down (5xx answers, or HTTPS connections closed before the handshake),
or serve a certificate that expires soon.

The origin consults `Monitoring` on every request (by route template, or "*" for every path)
and for every TLS handshake (by SNI name). Delays wait on an event the origin sets when it
stops, so a held request never outlives the sandbox.

    sandbox.origin.monitoring.slow("/api/chat", [0.01] * 18 + [2.2] * 2)   # cycled in order
    sandbox.origin.monitoring.slow("/api/chat", [0.01, 0.02, 1.5], seed=7)   # drawn at random
    sandbox.origin.monitoring.outage("/health")                              # 503 until restored
    sandbox.origin.monitoring.drop("acme.example")        # HTTPS connections closed, no handshake
    sandbox.origin.monitoring.expiring("acme.example", days=5)
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from wizard.sandbox.http_server import Request, Response

ANY = "*"


class Delays:
    """A latency distribution: the delays in order, cycled, or drawn from them with a seed."""

    def __init__(self, delays: Sequence[float], seed: int | None = None):
        if not delays or min(delays) < 0:
            raise ValueError("delays: at least one, none negative (seconds)")
        rng = random.Random(seed)
        self._next: Iterator[float] = (
            itertools.cycle(delays) if seed is None else (rng.choice(delays) for _ in itertools.count()))
        self._lock = threading.Lock()

    def take(self) -> float:
        with self._lock:
            return next(self._next)


@dataclass(frozen=True)
class Outage:
    status: int = 503

    def response(self) -> Response:
        return Response.html(self.status, "<h1>Service unavailable</h1><p>We are down for now.</p>",
                             [("Retry-After", "60"), ("Cache-Control", "no-store")])


class Monitoring:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._delays: dict[str, Delays] = {}
        self._outages: dict[str, Outage] = {}
        self._cert_days: dict[str, int] = {}
        self._dropped: set[str] = set()
        self.stopping = threading.Event()  # the origin sets it when it stops: held requests end

    def slow(self, path: str, delays: Sequence[float], seed: int | None = None) -> Delays:
        """Delay every answer on path (a route template, or "*") by the next of delays (s)."""
        found = Delays(delays, seed)
        with self._lock:
            self._delays[path] = found
        return found

    def outage(self, path: str = ANY, status: int = 503) -> None:
        """Answer path (or every path) with status until `restore`."""
        with self._lock:
            self._outages[path] = Outage(status)

    def drop(self, host: str) -> None:
        """Close every HTTPS connection for host (by SNI) before the handshake: down hard."""
        with self._lock:
            self._dropped.add(host.lower())

    def expiring(self, host: str, days: int) -> None:
        """Serve host a certificate (same names, same CA) that expires in `days` days."""
        with self._lock:
            self._cert_days[host.lower()] = days

    def restore(self) -> None:
        """Back to healthy: no delays, no outages, full-length certificates."""
        with self._lock:
            self._delays.clear()
            self._outages.clear()
            self._cert_days.clear()
            self._dropped.clear()

    def drops(self, server_name: str | None) -> bool:
        with self._lock:
            return (server_name or "").lower() in self._dropped

    def cert_days(self, server_name: str | None) -> int | None:
        with self._lock:
            return self._cert_days.get((server_name or "").lower())

    def answer(self, request: Request, template: str) -> Response | None:
        """Wait the path's delay; the outage's answer when the path is down, else None."""
        with self._lock:
            delays = self._delays.get(template) or self._delays.get(ANY)
            outage = self._outages.get(template) or self._outages.get(ANY)
        if delays is not None:
            self.stopping.wait(delays.take())
        return outage.response() if outage else None
