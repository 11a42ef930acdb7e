"""Stages 1 and 3 against the sandbox demo with 100 ms added to every DNS answer and every HTTP
response (origin and Cloudflare API), run as `launch-ready check` runs them.

Prints the wall time, the sum of the individual check times and their ratio (what concurrency
saves), and the ratio of the wall time to the longest chain of dependent requests, measured as
the longest single check (its requests wait on one another, or it would be shorter).
Target: wall time within 1.5x of that longest chain.

checkdmarc (SPF and DMARC) is synchronous and serial: it walks the SPF include tree one lookup at
a time, so its checks are a chain of every lookup, not of the tree's depth. The benchmark also
prints the longest chain outside it, to show what the rest of the run costs.

Run: python tests/bench/checks_latency.py [LATENCY_MS]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from wizard.application.checks import run_sprint
from wizard.application.open_sprint import OpenSprint
from wizard.sandbox.faults import Faults
from wizard.sandbox.run import Sandbox


def main(latency_ms: int = 100) -> None:
    faults = Faults()
    faults.dns_latency_s = faults.http_latency_s = latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp, Sandbox(faults) as sandbox:
        os.environ["LAUNCH_READY_HOME"] = tmp
        os.environ.update(sandbox.credentials())
        sprint = sandbox.write_demo_sprint(Path(tmp) / "demo")
        result = asyncio.run(run_sprint(OpenSprint(sprint, sprint.load_config()), stages=[1, 3]))
    total = sum(result.durations.values())
    slowest_id, chain = max(result.durations.items(), key=lambda kv: kv[1])
    wall = result.duration_s
    print(f"{len(result.durations)} checks, {len(result.findings)} findings, "
          f"{latency_ms} ms added per DNS answer and HTTP response")
    print(f"wall time                 {wall:6.2f} s")
    print(f"sum of check times        {total:6.2f} s   (sum / wall = {total / wall:.1f}x)")
    print(f"longest chain ({slowest_id}) {chain:6.2f} s   (~{chain / (latency_ms / 1000):.0f} "
          f"dependent round trips; wall / chain = {wall / chain:.2f}x)")
    print(f"target wall <= 1.5x longest chain: {'met' if wall <= 1.5 * chain else 'MISSED'}")
    others = {k: v for k, v in result.durations.items() if not k.startswith("email.")}
    other_id, other = max(others.items(), key=lambda kv: kv[1])
    print(f"longest chain outside checkdmarc ({other_id}) {other:.2f} s "
          f"(~{other / (latency_ms / 1000):.0f} round trips)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
