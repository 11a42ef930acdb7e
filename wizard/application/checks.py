"""Running a sprint's checks, and the report of a run: one way for the CLI, CI and the TUI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import stages
from stages import select_checks
from wizard.application.open_sprint import OpenSprint
from wizard.engine import (
    CheckFinished,
    CheckProgress,
    CheckStarted,
    Event,
    RunContext,
    RunResult,
    close_run_log,
    open_run_log,
    run_checks,
)
from wizard.report import RENDERERS, build_report

__all__ = ["RENDERERS", "CheckFinished", "CheckProgress", "CheckStarted", "Event", "check_report",
           "run_sprint"]


async def run_sprint(
    op: OpenSprint,
    *,
    stages: Iterable[int] = (),
    only: Iterable[str] = (),
    on_event: Callable[[Event], None] | None = None,
    save: bool = False,
) -> RunResult:
    """Run the selected checks through one net context and a fresh run log.

    With `save`, the results are recorded into the sprint's progress and saved (under its lock)."""
    checks = await asyncio.to_thread(select_checks, stages, only)  # imports: off the event loop
    config = op.config
    log, log_path = open_run_log(op.sprint.logs_dir)
    log.info("run of %d checks on %s: %s", len(checks), config.target.domain,
             ", ".join(c.id for c in checks))
    try:
        async with op.net() as net:
            result = await run_checks(checks, RunContext(config, net, log, op.vault), on_event)
            log.info("done in %.2f s, %d requests", result.duration_s, net.budget.used)
    finally:
        close_run_log(log)
    result.log_path = log_path
    if save:
        op.progress.record(result.findings, result.ran, result.started_at)
        op.save()
    return result


async def check_report(op: OpenSprint, *, stage_numbers: list[int], only: list[str],
                       on_event: Callable[[Event], None] | None = None, save: bool = False) -> dict:
    """A run and its report (`launch-ready/report@1`): the findings, and the manual items of the
    chosen stages unless `only` narrows the run to named checks."""
    result = await run_sprint(op, stages=stage_numbers, only=only, on_event=on_event, save=save)
    findings = list(result.findings)
    if not only:
        findings += stages.manual_findings(op.config, op.progress, stage_numbers)
    selected = [s for s in stages.STAGES if not stage_numbers or s.number in stage_numbers]
    return build_report(
        sprint=op.config.name, domain=op.config.target.domain,
        stages=[(s.number, s.title) for s in selected], findings=findings,
        generated_at=result.started_at, duration_s=result.duration_s,
    )
