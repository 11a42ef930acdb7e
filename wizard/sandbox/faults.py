"""Faults and latency the sandbox injects on purpose, switchable from tests and the command line.

A fault fires on the Nth call of one endpoint (the API route template, e.g.
`POST /zones/{zone_id}/dns_records/batch`, or `*` for any), for `times` calls in a row.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

FaultKind = Literal["429", "500", "timeout", "drop"]


def _is_kind(kind: str) -> TypeGuard[FaultKind]:
    return kind in get_args(FaultKind)


@dataclass
class Fault:
    kind: FaultKind
    endpoint: str = "*"
    nth: int = 1
    times: int = 1
    retry_after: int = 1  # seconds, for 429

    def matches(self, endpoint: str) -> bool:
        return self.endpoint in ("*", endpoint)


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._calls: dict[str, int] = {}
        self.dns_latency_s = 0.0
        self.http_latency_s = 0.0
        self.released = threading.Event()  # set at shutdown: frees requests held by "timeout"

    def add(self, kind: FaultKind, endpoint: str = "*", nth: int = 1, times: int = 1,
            retry_after: int = 1) -> Fault:
        fault = Fault(kind, endpoint, nth, times, retry_after)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._calls.clear()

    def take(self, endpoint: str) -> Fault | None:
        """Count a call of endpoint; return the fault that fires on it, if any."""
        with self._lock:
            for key in (endpoint, "*"):
                self._calls[key] = self._calls.get(key, 0) + 1
            for fault in self._faults:
                if fault.matches(endpoint) and fault.nth <= self._calls[fault.endpoint] < fault.nth + fault.times:
                    return fault
            return None

    @staticmethod
    def parse(spec: str) -> Fault:
        """`KIND@ENDPOINT#N[xTIMES]`, e.g. `500@POST /zones/{zone_id}/dns_records/batch#2`."""
        kind, _, rest = spec.partition("@")
        endpoint, _, count = (rest or "*").rpartition("#") if "#" in rest else (rest or "*", "", "1")
        nth, _, times = count.partition("x")
        if not _is_kind(kind) or not nth.isdigit() or (times and not times.isdigit()):
            raise ValueError(f"fault {spec!r}: use KIND@ENDPOINT#N[xTIMES] with KIND 429, 500, timeout or drop")
        return Fault(kind, endpoint or "*", int(nth), int(times or 1))
