"""An apply killed with SIGKILL at random moments (between any two steps, and right after the
emulator carried out a write whose answer the apply never got): the next start finds the
unfinished change set, and `recover` brings the zone to the snapshot or to the full desired
state, says which, and never applies anything twice (no duplicate records)."""

from __future__ import annotations

import asyncio
import os
import random
import signal

import pytest

from tests.edge_plans import client, desired_view, sprint_plan, view
from wizard.edge.apply import apply_plan
from wizard.edge.journal import list_change_sets, unfinished
from wizard.edge.rollback import recover
from wizard.sandbox.run import Sandbox

KILLS = 50
WRITES = ("POST", "PATCH", "PUT", "DELETE")


def _child(sandbox, plan, change_dir, say_fd: int, go_fd: int) -> None:
    """Apply, stopping at every step until the parent says go (the parent may kill instead)."""
    def on_step(message: str) -> None:
        os.write(say_fd, b".")
        if os.read(go_fd, 1) != b"g":
            os._exit(3)
    asyncio.run(apply_plan(plan, client(sandbox), change_dir, on_step=on_step))
    os._exit(0)


def _kill_run(rnd: random.Random, change_dir) -> tuple[dict, dict]:
    with Sandbox() as sandbox:
        before, plan = view(sandbox), sprint_plan(sandbox)
        say_r, say_w = os.pipe()
        go_r, go_w = os.pipe()
        at_step, at_write = rnd.randint(1, 14), rnd.choice([None, 1, 2, 3, 4, 5])
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                _child(sandbox, plan, change_dir, say_w, go_r)
            finally:
                os._exit(1)
        os.close(say_w)
        os.close(go_r)
        writes = 0

        def observe(exchange) -> None:  # in the emulator: the write is done, its answer not sent
            nonlocal writes
            if exchange.method in WRITES:
                writes += 1
                if writes == at_write:
                    os.kill(pid, signal.SIGKILL)
        sandbox.api.observer = observe
        steps = 0
        while os.read(say_r, 1):
            steps += 1
            if steps == at_step:
                os.kill(pid, signal.SIGKILL)
                break
            os.write(go_w, b"g")
        os.waitpid(pid, 0)
        sandbox.api.observer = None
        os.close(say_r)
        os.close(go_w)
        sets = unfinished(change_dir.parent)
        if sets:
            outcome = asyncio.run(recover(sets[0].path, client(sandbox), rnd.choice(["rollback", "finish"])))
            state = outcome.state
            assert state in ("applied", "rolled-back"), outcome.message
            assert unfinished(change_dir.parent) == []
        else:  # killed after the end record: the change set says how it ended
            state = list_change_sets(change_dir.parent)[0].state
        return {"state": state, "zone": view(sandbox)}, before


@pytest.mark.slow
def test_sigkill_at_random_moments_then_recover(tmp_path):
    desired, _ = desired_view()
    rnd = random.Random(20261130)
    seen = set()
    for run in range(KILLS):
        result, before = _kill_run(rnd, tmp_path / f"run{run}" / "c")
        zone = result["zone"]
        expected = desired if result["state"] == "applied" else before
        assert zone == expected, (run, result["state"])
        names = [(r[0], r[1], r[2]) for r in zone["records"]]
        assert len(names) == len(set(names)), "a record was created twice"
        seen.add(result["state"])
    assert seen == {"applied", "rolled-back"}
