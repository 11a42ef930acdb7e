"""How long `launch-ready demo --serve` takes to be ready (target: under 2 s), against the
interpreter start-up of `launch-ready --version` measured in the same run as the baseline.

Run: python tests/bench/demo_startup.py [ROUNDS]
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def _ready_time(args: list[str], home: str, until: str | None) -> float:
    env = {**os.environ, "LAUNCH_READY_HOME": home}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "wizard", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if until is None:
        proc.communicate(timeout=60)
        return time.perf_counter() - t0
    for line in proc.stdout:
        if line.startswith(until):
            elapsed = time.perf_counter() - t0
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
            return elapsed
    raise RuntimeError("the demo never said it was ready")


def main(rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as home:
        base = [_ready_time(["--version"], home, None) for _ in range(rounds)]
        demo = [_ready_time(["demo", "--serve"], home, "ready in") for _ in range(rounds)]
    b, d = statistics.median(base), statistics.median(demo)
    print(f"launch-ready --version      median {b:.3f} s over {rounds} runs (baseline)")
    print(f"launch-ready demo --serve   median {d:.3f} s to ready  (ratio {d / b:.2f}x baseline)")
    print(f"target: ready in under 2 s: {'met' if d < 2 else 'MISSED'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
