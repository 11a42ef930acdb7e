"""Fixed-window rate limits per (bucket, client), announced with the IETF draft's RateLimit and
RateLimit-Policy headers and the older X-RateLimit-* ones. Windows start on a client's first
request; `reset()` clears them, so tests never wait for a window to pass."""

from __future__ import annotations

import math
import threading
import time

from wizard.sandbox.product.facts import RATE_LIMIT, RATE_WINDOW_S


class RateLimiter:
    def __init__(self, limit: int = RATE_LIMIT, window_s: int = RATE_WINDOW_S, clock=time.monotonic):
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}  # -> (start, count)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def hit(self, bucket: str, client: str) -> tuple[bool, list[tuple[str, str]]]:
        """Count one request: (allowed, the headers to answer with)."""
        now = self.clock()
        with self._lock:
            start, count = self._windows.get((bucket, client), (now, 0))
            if now - start >= self.window_s:
                start, count = now, 0
            count += 1
            self._windows[(bucket, client)] = (start, count)
        remaining = max(0, self.limit - count)
        reset = max(1, math.ceil(start + self.window_s - now))
        headers = [
            ("RateLimit-Policy", f"{self.limit};w={self.window_s}"),
            ("RateLimit", f"limit={self.limit}, remaining={remaining}, reset={reset}"),
            ("X-RateLimit-Limit", str(self.limit)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(reset)),
        ]
        allowed = count <= self.limit
        if not allowed:
            headers.append(("Retry-After", str(reset)))
        return allowed, headers
