"""Counters for the zone's rate limiting rules: requests per characteristics key in fixed windows
of the rule's period, and the mitigations they start. Time is passed in by the caller (the
edge's injectable clock), so tests move it instead of waiting."""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable


class RateCounters:
    """Thread-safe counters and mitigation deadlines, by key (rule id + characteristics values)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[Hashable, tuple[int, int]] = {}  # key -> (window number, requests in it)
        self._mitigated_until: dict[Hashable, float] = {}

    def mitigation_left(self, key: Hashable, now: float) -> int | None:
        """Whole seconds left of the key's mitigation (at least 1), or None when there is none."""
        with self._lock:
            until = self._mitigated_until.get(key)
            if until is None or now >= until:
                self._mitigated_until.pop(key, None)
                return None
            return max(1, math.ceil(until - now))

    def count(self, key: Hashable, period: int, now: float) -> int:
        """Count one request in the key's current window; the window's count so far."""
        window = math.floor(now / period)
        with self._lock:
            started, seen = self._windows.get(key, (window, 0))
            seen = seen + 1 if started == window else 1
            self._windows[key] = (window, seen)
            return seen

    def mitigate(self, key: Hashable, until: float) -> None:
        with self._lock:
            self._mitigated_until[key] = until
            self._windows.pop(key, None)  # a new count starts after the mitigation

    @staticmethod
    def window_left(period: int, now: float) -> int:
        """Whole seconds until the current window of `period` seconds ends (at least 1)."""
        return max(1, math.ceil((math.floor(now / period) + 1) * period - now))
