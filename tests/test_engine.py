"""The engine: concurrency, a timeout per check, crashes contained, progress events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from wizard.engine import CheckFinished, CheckStarted, RunContext, run_checks
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext
from wizard.sprint import SprintConfig


@dataclass
class FakeCheck:
    id: str
    behaviour: object
    stage: int = 3
    title: str = "fake"
    severity: Severity = Severity.BLOCKER
    timeout_s: float | None = 0.2

    async def run(self, ctx):
        return await self.behaviour(self)


def ok(check):
    async def run(check):
        return [Finding(id=check.id, stage=3, subject="acme.example", title="t",
                        status=Status.PASS, severity=check.severity, summary="fine")]
    return run


@pytest.fixture
async def ctx():
    config = SprintConfig.starter("acme", "acme.example")
    async with NetContext(config.network, config.target.domain) as net:
        yield RunContext(config, net)


async def test_a_hanging_check_times_out_and_the_others_finish(ctx):
    never = asyncio.Event()

    async def hang(check):
        await never.wait()

    checks = [FakeCheck("a.hang", hang), FakeCheck("b.ok", ok(None))]
    result = await run_checks(checks, ctx)
    by_id = {f.id: f for f in result.findings}
    assert by_id["a.hang"].status is Status.ERROR
    assert "did not finish within 0 s" in by_id["a.hang"].summary or "within" in by_id["a.hang"].summary
    assert by_id["b.ok"].status is Status.PASS


async def test_a_crashing_check_becomes_one_error_line(ctx):
    async def boom(check):
        raise KeyError("no\nsuch\nkey")

    result = await run_checks([FakeCheck("a.boom", boom), FakeCheck("b.ok", ok(None))], ctx)
    crashed = next(f for f in result.findings if f.id == "a.boom")
    assert crashed.status is Status.ERROR
    assert crashed.summary.startswith("could not run: KeyError")
    assert "\n" not in crashed.summary
    assert {f.id for f in result.findings} == {"a.boom", "b.ok"}


async def test_checks_run_concurrently_and_report_progress(ctx):
    both_started = asyncio.Barrier(2)

    async def meet(check):
        await both_started.wait()  # deadlocks (then times out) unless both run at once
        return await ok(None)(check)

    events = []
    result = await run_checks([FakeCheck("a", meet), FakeCheck("b", meet)], ctx, events.append)
    assert {f.status for f in result.findings} == {Status.PASS}
    assert [type(e) for e in events[:2]] == [CheckStarted, CheckStarted]
    finished = [e for e in events if isinstance(e, CheckFinished)]
    assert [e.done for e in finished] == [1, 2] and finished[-1].total == 2


async def test_cancelling_the_run_cancels_every_check(ctx):
    started, cancelled = asyncio.Event(), []
    never = asyncio.Event()

    async def slow(check):
        started.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.append(check.id)
            raise

    task = asyncio.create_task(run_checks([FakeCheck("a", slow, timeout_s=60)], ctx))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled == ["a"]
