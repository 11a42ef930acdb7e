"""The seven roadmap stages, in order, and the views of them that the faces share."""

from __future__ import annotations

from collections.abc import Iterable

from stages import abuse, audit, auth, edge, handover, observability, release
from stages.base import Check, Deliverable, ManualItem, Stage
from wizard.errors import UsageError
from wizard.findings import Finding
from wizard.sprint import Progress, SprintConfig

STAGES: tuple[Stage, ...] = tuple(
    m.STAGE for m in (audit, auth, edge, abuse, observability, release, handover)
)

__all__ = ["STAGES", "Check", "Deliverable", "ManualItem", "Stage", "get_stage",
           "select_checks", "manual_findings", "sprint_findings"]


def get_stage(number: int) -> Stage:
    if not 1 <= number <= len(STAGES):
        raise UsageError(f"there is no stage {number}; stages are numbered 1 to {len(STAGES)}")
    return STAGES[number - 1]


def all_checks() -> list[Check]:
    return [c for s in STAGES for c in s.checks]


def select_checks(stages: Iterable[int] = (), only: Iterable[str] = ()) -> list[Check]:
    """The checks of the chosen stages (all when none), narrowed to `only` ids when given."""
    numbers = list(stages)
    for n in numbers:
        get_stage(n)
    checks = [c for c in all_checks() if not numbers or c.stage in numbers]
    wanted = list(only)
    if wanted:
        known = {c.id for c in all_checks()}
        for check_id in wanted:
            if check_id not in known:
                raise UsageError(
                    f"unknown check id {check_id!r}; known ids: {', '.join(sorted(known))}"
                )
        checks = [c for c in checks if c.id in wanted]
    return checks


def manual_findings(config: SprintConfig, progress: Progress, stages: Iterable[int] = ()) -> list[Finding]:
    numbers = set(stages) or {s.number for s in STAGES}
    return [
        item.finding(progress.manual.get(item.id), config.target.domain)
        for s in STAGES if s.number in numbers
        for item in s.manual
    ]


def sprint_findings(config: SprintConfig, progress: Progress) -> list[Finding]:
    """Everything known about the sprint: the last automated results plus the manual items."""
    order = {c.id: i for i, c in enumerate(all_checks())}
    automated = sorted(progress.findings(), key=lambda f: (f.stage, order.get(f.id, 99), f.subject))
    return automated + manual_findings(config, progress)
