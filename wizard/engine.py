"""Runs checks concurrently with a timeout each, turns crashes into findings, and reports
progress as events that the TUI and the CLI both consume.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Protocol

from wizard.findings import Finding, Severity, Status
from wizard.net import CURRENT_CHECK, NetContext, NetRefused
from wizard.sprint import SprintConfig, now
from wizard.vault import RedactingFilter, Vault, redact

LOG_MAX_BYTES = 1_000_000
LOG_RUNS_KEPT = 30


@dataclass
class RunContext:
    """What a check may use: the config, the one network context, the run's log, and the
    sprint's credentials (keyring, else environment)."""

    config: SprintConfig
    net: NetContext
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("launch-ready.run"))
    vault: Vault | None = None

    @property
    def credentials(self) -> Vault:
        """The run's vault; a context built without one (tests) reads the config's sprint's."""
        return self.vault if self.vault is not None else Vault(self.config.name)


class Runnable(Protocol):
    """What the engine runs (stages.base.Check, a frozen dataclass: read-only members)."""

    @property
    def id(self) -> str: ...
    @property
    def stage(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def timeout_s(self) -> float | None: ...

    async def run(self, ctx: RunContext) -> list[Finding]: ...


@dataclass(frozen=True)
class CheckStarted:
    check_id: str
    stage: int
    title: str


@dataclass(frozen=True)
class CheckProgress:
    """A running check sent another HTTP request: `requests` so far."""

    check_id: str
    stage: int
    requests: int


@dataclass(frozen=True)
class CheckFinished:
    check_id: str
    stage: int
    findings: tuple[Finding, ...]
    duration_s: float
    done: int
    total: int
    requests: int = 0  # HTTP requests the check sent


Event = CheckStarted | CheckProgress | CheckFinished


@dataclass
class RunResult:
    findings: list[Finding]
    ran: set[str]
    started_at: datetime
    duration_s: float
    durations: dict[str, float]
    log_path: Path | None = None


async def run_checks(
    checks: Iterable[Runnable],
    ctx: RunContext,
    on_event: Callable[[Event], None] | None = None,
    concurrency: int = 16,
) -> RunResult:
    """Run every check; one failing, hanging or crashing check never stops the others.

    Cancelling the task that awaits this cancels every check still running."""
    checks = list(checks)
    started_at, t0 = now(), time.perf_counter()
    gate = asyncio.Semaphore(concurrency)
    findings: list[Finding] = []
    durations: dict[str, float] = {}
    done = 0
    emit = on_event or (lambda _e: None)

    stage_of = {c.id: c.stage for c in checks}
    ctx.net.on_request = lambda check_id, sent: emit(CheckProgress(check_id, stage_of.get(check_id, 0), sent))

    async def one(check: Runnable) -> None:
        nonlocal done
        async with gate:
            emit(CheckStarted(check.id, check.stage, check.title))
            CURRENT_CHECK.set(check.id)  # this task's requests count as the check's
            c0 = time.perf_counter()
            result = await _guarded(check, ctx)
            durations[check.id] = time.perf_counter() - c0
            findings.extend(result)
            done += 1
            emit(CheckFinished(check.id, check.stage, tuple(result), durations[check.id], done,
                               len(checks), ctx.net.sent_by[check.id]))

    async with asyncio.TaskGroup() as group:
        for check in checks:
            group.create_task(one(check))
    order = {c.id: i for i, c in enumerate(checks)}
    findings.sort(key=lambda f: (f.stage, order.get(f.id, 0), f.subject))
    return RunResult(findings, {c.id for c in checks}, started_at, time.perf_counter() - t0, durations)


def default_timeout(ctx: RunContext) -> float:
    """A check may make a few dependent round trips, each bounded by the network timeout."""
    return ctx.config.network.timeout_s * 3


async def _guarded(check: Runnable, ctx: RunContext) -> list[Finding]:
    timeout = check.timeout_s or default_timeout(ctx)
    try:  # secrets never leave a check: whatever a probe saw, its findings carry it masked
        async with asyncio.timeout(timeout):
            return [f.masked(redact) for f in await check.run(ctx)]
    except TimeoutError:
        ctx.log.warning("check %s timed out after %.0f s", check.id, timeout)
        return [_error(check, ctx, f"did not finish within {timeout:.0f} s")]
    except NetRefused as exc:
        ctx.log.warning("check %s refused: %s", check.id, exc)
        return [_error(check, ctx, str(exc))]
    except Exception as exc:  # a bug in one check must not stop the run
        ctx.log.exception("check %s crashed", check.id)
        return [_error(check, ctx, f"could not run: {type(exc).__name__}: {exc}")]


def _error(check: Runnable, ctx: RunContext, reason: str) -> Finding:
    line = redact(" ".join(reason.split()))[:300]
    return Finding(
        id=check.id, stage=check.stage, subject=ctx.config.target.domain, title=check.title,
        status=Status.ERROR, severity=check.severity, summary=line,
        remediation="Re-run the check; if it keeps failing, see the run log.",
    )


def open_run_log(logs_dir: Path) -> tuple[logging.Logger, Path]:
    """One redacted, size-bounded log per run; only the newest runs are kept."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    stamp = now().strftime("%Y%m%d-%H%M%S")
    path = logs_dir / f"run-{stamp}-{os.getpid()}.log"
    for old in sorted(logs_dir.glob("run-*.log*"), key=lambda p: p.stat().st_mtime)[:-LOG_RUNS_KEPT]:
        old.unlink(missing_ok=True)
    handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=1, encoding="utf-8")
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(f"launch-ready.run.{path.stem}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    return logger, path


def close_run_log(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
