"""Faults at every API call of an apply (DNS + two settings + two phases): a 500, a timeout or a
dropped connection at call N leaves the zone at the snapshot or at the full desired state, never
in between, and the outcome and result.json say which. A 5-minute rate-limit lockout in the
middle is waited out (an injected clock and sleep: no real waiting)."""

from __future__ import annotations

import json

import pytest

from tests.edge_plans import client, desired_view, sprint_plan, view
from tests.sandbox.conftest import FakeClock
from wizard.edge.apply import apply_plan
from wizard.sandbox.cfapi.ratelimit import RateLimiter

APPLY_CALLS = 19  # snapshot 6, batch + records re-read 2, settings 2, phases 2 + 2 re-reads, verify 5


@pytest.fixture
def desired() -> dict:
    """The zone after a clean apply; also pins the number of calls an apply makes."""
    zone, calls = desired_view()
    assert calls == APPLY_CALLS
    return zone


@pytest.mark.parametrize("kind", ["500", "timeout", "drop"])
@pytest.mark.parametrize("nth", range(1, APPLY_CALLS + 1))
async def test_a_fault_at_any_call_leaves_snapshot_or_desired(sandbox, tmp_path, desired, kind, nth):
    before = view(sandbox)
    sandbox.faults.add(kind, "*", nth=nth)
    outcome = await apply_plan(sprint_plan(sandbox), client(sandbox, timeout=0.5), tmp_path / "c")
    result = json.loads((tmp_path / "c" / "result.json").read_text())
    assert result["state"] == outcome.state
    now = view(sandbox)
    if outcome.state == "applied":
        assert now == desired
    else:
        assert outcome.state in ("rolled-back", "not-applied"), outcome.message
        assert now == before


async def test_a_fault_on_every_write_rolls_back(sandbox, tmp_path):
    before = view(sandbox)
    sandbox.faults.add("500", "PATCH /zones/{zone_id}/settings/{setting_id}", nth=2, times=2)  # both attempts
    outcome = await apply_plan(sprint_plan(sandbox), client(sandbox), tmp_path / "c")
    assert outcome.state == "rolled-back" and "restored the snapshot" in outcome.message
    assert view(sandbox) == before


async def test_a_five_minute_lockout_mid_apply_is_waited_out(sandbox, tmp_path, desired):
    clock = FakeClock()
    sandbox.api.limiter = RateLimiter(limit=10, window_s=300, clock=clock)
    slept: list[float] = []
    steps: list[str] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    outcome = await apply_plan(sprint_plan(sandbox), client(sandbox), tmp_path / "c",
                               on_step=steps.append, sleep=sleep)
    assert outcome.state == "applied", outcome.message
    assert view(sandbox) == desired
    assert "rate limited: waiting 300 s" in steps and sum(slept) >= 300


async def test_an_apply_told_not_to_wait_stops_and_restores(sandbox, tmp_path):
    """max_wait_s=0: the first 429 stops the apply; the restore waits the lockout out."""
    before = view(sandbox)
    clock = FakeClock()
    sandbox.api.limiter = RateLimiter(limit=12, window_s=300, clock=clock)
    steps: list[str] = []

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    outcome = await apply_plan(sprint_plan(sandbox), client(sandbox), tmp_path / "c", sleep=sleep,
                               on_step=steps.append, max_wait_s=0)
    assert outcome.state == "rolled-back" and "429" in outcome.message, outcome.message
    assert view(sandbox) == before
    assert "rate limited: waiting 300 s" in steps
