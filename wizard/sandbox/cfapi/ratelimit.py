"""Cloudflare's per-token rate limit: N requests per window; past it, locked out for a window."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int = 1200, window_s: float = 300.0,
                 clock: Callable[[], float] | None = None):
        self.limit, self.window_s = limit, window_s
        self.clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}

    def check(self, key: str) -> int | None:
        """Count one request; None if allowed, else the seconds to wait (Retry-After)."""
        now = self.clock()
        with self._lock:
            until = self._locked_until.get(key, 0.0)
            if now < until:
                return max(1, math.ceil(until - now))
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                self._locked_until[key] = now + self.window_s
                hits.clear()
                return max(1, math.ceil(self.window_s))
            hits.append(now)
            return None
