"""An exclusive, re-entrant lock file that names its holder when someone else has it.

flock(2) is released by the kernel when the holder dies, so a crashed wizard never leaves a
stale lock behind; the holder line is only read when the lock is refused.
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from wizard.errors import SprintLocked


class FileLock:
    def __init__(self, path: Path, wait_s: float = 0.0):
        self.path = Path(path)
        self.wait_s = wait_s
        self._fd: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            self._depth += 1
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
                    os.close(fd)
                    raise SprintLocked(
                        f"{self.path.parent} is in use by another launch-ready "
                        f"({holder or 'holder unknown'}); close it there first"
                    ) from None
                time.sleep(0.05)
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        command = " ".join(["launch-ready", *sys.argv[1:3]]) if sys.argv else "launch-ready"
        holder = f"pid {os.getpid()} on {socket.gethostname()}, `{command}`, since {since}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
