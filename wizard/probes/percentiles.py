"""Latency percentiles, one method everywhere: linear interpolation between the two closest
ranks (Hyndman & Fan type 7), which is numpy's default (`numpy.percentile(..., method="linear")`),
Excel's PERCENTILE.INC and what most dashboards show, so our p95 reads the same as the user's.

For n sorted samples x[0..n-1], the q-th percentile sits at rank h = (n - 1) * q / 100:
x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). With 20 samples p95 is at rank
18.05, so two slow answers out of twenty are enough to put p95 above the budget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0 <= q <= 100) of samples, by linear interpolation."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True)
class Distribution:
    """What a latency report shows of a set of samples (seconds)."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Distribution:
        return cls(len(samples), percentile(samples, 50), percentile(samples, 95),
                   percentile(samples, 99), max(samples))

    def evidence(self) -> dict[str, float | int]:
        return {"count": self.count, "p50_s": round(self.p50, 4), "p95_s": round(self.p95, 4),
                "p99_s": round(self.p99, 4), "max_s": round(self.max, 4)}
