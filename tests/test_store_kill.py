"""A writer killed with SIGKILL at random moments never leaves a torn or unreadable file."""

from __future__ import annotations

import os
import random
import signal

from wizard.sprint import Sprint, SprintConfig

KILLS = 200


def _writer(root, ready_fd: int) -> None:
    """Child: save ever-changing progress as fast as it can, one byte on the pipe per save."""
    sprint = Sprint(root)
    progress = sprint.load_progress()
    rnd = random.Random(os.getpid())
    for i in range(1_000_000):
        progress.position.row = i
        progress.answer("audit.env-vars", "yes", "x" * rnd.randint(0, 20_000))
        sprint.save_progress(progress)
        os.write(ready_fd, b".")
    os._exit(0)


def test_sigkill_during_saves_leaves_old_or_new(tmp_path):
    sprint = Sprint.create(tmp_path / "s", SprintConfig.starter("acme", "acme.example"))
    rnd = random.Random(1234)
    last_row = -1
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.close(read_fd)
            try:
                _writer(sprint.root, write_fd)
            finally:
                os._exit(1)
        os.close(write_fd)
        # wait for a random number of completed saves, then kill mid-way through the next ones
        wanted = rnd.randint(1, 4)
        got = 0
        while got < wanted:
            chunk = os.read(read_fd, wanted - got)
            assert chunk, "the writer died on its own"
            got += len(chunk)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_fd)
        progress = Sprint(sprint.root).load_progress()  # raises if torn
        assert progress.position.row >= wanted - 1
        last_row = progress.position.row
    assert last_row >= 0
    # the lock died with its holder: this process can write straight away
    Sprint(sprint.root).save_progress(progress)
