"""Every request the origin received, per (method, route template) and in total, so a test can
compare what a probe says it sent with what the server saw."""

from __future__ import annotations

import threading
from collections import Counter

from wizard.sandbox.http_server import Request


class RequestCounter:
    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def __call__(self, request: Request, template: str) -> None:
        with self._lock:
            self._counts[(request.method, template)] += 1

    def __getitem__(self, key: tuple[str, str]) -> int:
        with self._lock:
            return self._counts[key]

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
