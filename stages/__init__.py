"""The seven roadmap stages, in order, and the views of them that the faces share."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from stages import (
    registry,
    s1_audit,
    s2_auth,
    s3_edge,
    s4_abuse,
    s5_observability,
    s6_release,
    s7_handover,
)
from stages.base import Check, Deliverable, ManualItem, Stage
from wizard.errors import UsageError
from wizard.findings import Finding
from wizard.sprint import Progress, SprintConfig

STAGES: tuple[Stage, ...] = tuple(
    m.STAGE for m in (s1_audit, s2_auth, s3_edge, s4_abuse, s5_observability, s6_release, s7_handover)
)

__all__ = ["STAGES", "Check", "Deliverable", "ManualItem", "Stage", "get_stage",
           "select_checks", "select_ids", "manual_findings", "sprint_findings", "manual_item", "is_manual",
           "stage_done", "sprint_done"]


def get_stage(number: int) -> Stage:
    if not 1 <= number <= len(STAGES):
        raise UsageError(f"there is no stage {number}; stages are numbered 1 to {len(STAGES)}")
    return STAGES[number - 1]


def select_ids(stages: Iterable[int] = (), only: Iterable[str] = ()) -> list[str]:
    """The ids of the chosen stages' checks (all when none), narrowed to `only` when given;
    nothing is imported, so a face can count and validate before the work starts.

    An `only` entry may be a glob (`secrets.*`), so CI can name a family of checks.
    """
    numbers = list(stages)
    for n in numbers:
        get_stage(n)
    ids = [cid for cid in registry.ORDER if not numbers or registry.STAGE_OF[cid] in numbers]
    wanted = list(only)
    if wanted:
        for pattern in wanted:
            if not fnmatch.filter(registry.ORDER, pattern):
                raise UsageError(
                    f"unknown check id {pattern!r}; known ids: {', '.join(sorted(registry.ORDER))}"
                )
        ids = [cid for cid in ids if any(fnmatch.fnmatchcase(cid, p) for p in wanted)]
    return ids


def select_checks(stages: Iterable[int] = (), only: Iterable[str] = ()) -> list[Check]:
    """select_ids' checks, importing only the modules that define them."""
    return registry.load(select_ids(stages, only))


def manual_findings(config: SprintConfig, progress: Progress, stages: Iterable[int] = ()) -> list[Finding]:
    numbers = set(stages) or {s.number for s in STAGES}
    return [
        item.finding(progress.manual.get(item.id), config.target.domain)
        for s in STAGES if s.number in numbers
        for item in s.manual
    ]


def sprint_findings(config: SprintConfig, progress: Progress) -> list[Finding]:
    """Everything known about the sprint: the last automated results plus the manual items."""
    order = {cid: i for i, cid in enumerate(registry.ORDER)}
    automated = sorted(progress.findings(), key=lambda f: (f.stage, order.get(f.id, 99), f.subject))
    return automated + manual_findings(config, progress)


_MANUAL = {item.id: item for s in STAGES for item in s.manual}


def manual_item(item_id: str) -> ManualItem:
    return _MANUAL[item_id]


def is_manual(finding: Finding) -> bool:
    """A question a person answers, as opposed to an automated check's finding."""
    return finding.id in _MANUAL


def stage_done(progress: Progress, number: int) -> tuple[int, int]:
    """(done, total) items of a stage: a check is done once it ran, a manual item once answered."""
    stage = get_stage(number)
    ran = {f.id for f in progress.findings()}
    done = sum(cid in ran for cid in stage.check_ids) + sum(m.id in progress.manual for m in stage.manual)
    return done, len(stage.check_ids) + len(stage.manual)


def sprint_done(progress: Progress) -> tuple[int, int]:
    pairs = [stage_done(progress, s.number) for s in STAGES]
    return sum(d for d, _ in pairs), sum(t for _, t in pairs)
