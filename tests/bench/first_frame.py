"""Time to the wizard's first frame, as a person starting it sees it: `launch-ready open SPRINT`
in an 80x24 pseudo-terminal, from the process start until the stage screen's text is on the
terminal. Baseline, measured the same way in the same run: a bare Textual app showing one line
(what any Textual program pays), and `launch-ready --version` (the interpreter and our CLI).

Run: python tests/bench/first_frame.py [ROUNDS]
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare textual ready")

Bare().run()
"""
LIMIT_S = 30


def first_frame(argv: list[str], marker: bytes, env: dict[str, str]) -> float:
    """Seconds from spawning `argv` on a fresh 80x24 pty until `marker` has been written to it."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env,
                            start_new_session=True)
    os.close(follower)
    seen = b""
    try:
        while marker not in seen:
            if time.perf_counter() - started > LIMIT_S:
                raise RuntimeError(f"{argv[-1]}: no {marker!r} within {LIMIT_S} s: {seen[-300:]!r}")
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the process closed the terminal
                    raise RuntimeError(f"{argv[-1]} exited before its first frame") from None
        return time.perf_counter() - started
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        os.close(leader)


def whole(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def main(rounds: int = 7) -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "LAUNCH_READY_HOME": home, "TERM": "xterm-256color",
               "COLUMNS": "80", "LINES": "24"}
        folder = Path(home) / "bench"
        subprocess.run([sys.executable, "-m", "wizard", "new", "bench", "--domain", "bench.example",
                        "--no-tui", "--dir", str(folder)], env=env, check=True, capture_output=True)
        ours, bare, version = [], [], []
        for _ in range(rounds):  # alternating, so load on the machine hits all alike
            bare.append(first_frame([sys.executable, "-c", BARE], b"bare textual ready", env))
            ours.append(first_frame([sys.executable, "-m", "wizard", "open", str(folder)],
                                    b"Quick audit", env))
            version.append(whole([sys.executable, "-m", "wizard", "--version"], env))
    o, b, v = (statistics.median(x) for x in (ours, bare, version))
    print(f"launch-ready --version             median {v:.3f} s over {rounds} runs")
    print(f"bare Textual app, first frame      median {b:.3f} s (baseline)")
    print(f"launch-ready open, first frame     median {o:.3f} s: {o / b:.2f}x the bare app, "
          f"{o - b:+.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
