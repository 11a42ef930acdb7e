"""API calls per apply and per rollback as the DNS part of a plan grows (1, 10, 100, 1,000 new
records), against the sandbox's Cloudflare API: the DNS part is one batch call at every size
(chunked only past the plan's batch limit), against the one call per record a naive client makes.

Run: python tests/bench/apply_calls.py
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.edge_plans import client, records_plan  # noqa: E402
from wizard.edge.apply import apply_plan  # noqa: E402
from wizard.edge.plan import BATCH_LIMIT  # noqa: E402
from wizard.edge.rollback import rollback_change_set  # noqa: E402
from wizard.sandbox.run import Sandbox  # noqa: E402

SIZES = (1, 10, 100, 1000)


def measure(size: int) -> tuple[int, int, int, int]:
    """(apply calls, apply batch calls, rollback calls, rollback batch calls)."""
    with Sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        seen: list = []
        sandbox.api.observer = seen.append
        change_dir = Path(tmp) / "c"
        applied = asyncio.run(apply_plan(records_plan(sandbox, size), client(sandbox, timeout=30), change_dir))
        assert applied.state == "applied", applied.message
        apply_batches = sum(1 for e in seen if e.endpoint and e.endpoint.endswith("/batch"))
        seen.clear()
        rolled = asyncio.run(rollback_change_set(change_dir, client(sandbox, timeout=30)))
        assert rolled.state == "rolled-back", rolled.message
        rollback_batches = sum(1 for e in seen if e.endpoint and e.endpoint.endswith("/batch"))
        return applied.calls, apply_batches, rolled.calls, rollback_batches


def main() -> None:
    print(f"batch limit {BATCH_LIMIT} operations per call")
    print(f"{'records':>8} {'apply calls':>12} {'(batches)':>10} {'rollback calls':>15} {'(batches)':>10}"
          f" {'naive writes':>13}")
    for size in SIZES:
        apply_calls, apply_batches, rollback_calls, rollback_batches = measure(size)
        assert apply_batches == rollback_batches == math.ceil(size / BATCH_LIMIT)
        print(f"{size:>8} {apply_calls:>12} {apply_batches:>10} {rollback_calls:>15} {rollback_batches:>10}"
              f" {size:>13}")


if __name__ == "__main__":
    main()
