"""One way to run a sprint's checks, shared by the CLI, CI and the TUI."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from stages import select_checks
from wizard.engine import Event, RunContext, RunResult, close_run_log, open_run_log, run_checks
from wizard.net import NetContext
from wizard.sprint import Progress, Sprint, SprintConfig
from wizard.vault import Vault


async def run_sprint(
    sprint: Sprint,
    config: SprintConfig,
    *,
    stages: Iterable[int] = (),
    only: Iterable[str] = (),
    on_event: Callable[[Event], None] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the selected checks through one net context and a fresh run log.

    With `progress`, the results are recorded into it and saved (under the sprint's lock)."""
    checks = select_checks(stages, only)
    log, log_path = open_run_log(sprint.logs_dir)
    log.info("run of %d checks on %s: %s", len(checks), config.target.domain,
             ", ".join(c.id for c in checks))
    try:
        async with NetContext(config.network, config.target.domain, sprint.root) as net:
            result = await run_checks(checks, RunContext(config, net, log, Vault(config.name, sprint.root)), on_event)
            log.info("done in %.2f s, %d requests", result.duration_s, net.budget.used)
    finally:
        close_run_log(log)
    result.log_path = log_path
    if progress is not None:
        progress.record(result.findings, result.ran, result.started_at)
        sprint.save_progress(progress)
    return result
