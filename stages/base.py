"""What a roadmap stage is made of: automated checks, manual items, deliverables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from stages import registry
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.sprint import ManualAnswer

Probe = Callable[[RunContext, "Check"], Awaitable[list[Finding]]]


@dataclass(frozen=True)
class Check:
    """An automated check: a stable id, and a probe that returns one finding per subject."""

    id: str
    stage: int
    title: str
    severity: Severity
    probe: Probe
    description: str = ""
    timeout_s: float | None = None

    async def run(self, ctx: RunContext) -> list[Finding]:
        return await self.probe(ctx, self)

    def finding(
        self,
        subject: str,
        status: Status,
        summary: str,
        evidence: dict[str, Any] | None = None,
        remediation: str = "",
        fix: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            id=self.id, stage=self.stage, subject=subject, title=self.title, status=status,
            severity=severity or self.severity, summary=summary, evidence=evidence or {},
            remediation=remediation, fix=fix,
        )


_ANSWER_STATUS = {"yes": Status.PASS, "no": Status.FAIL, "n/a": Status.SKIPPED}


@dataclass(frozen=True)
class ManualItem:
    """A question a person answers (yes / no / n/a) with a note: who, where, when."""

    id: str
    stage: int
    question: str
    help: str
    severity: Severity = Severity.CAN_WAIT

    def finding(self, answer: ManualAnswer | None, subject: str) -> Finding:
        if answer is None:
            status, summary = Status.MANUAL, "Not answered yet."
        else:
            status = _ANSWER_STATUS[answer.answer]
            summary = f"Answered {answer.answer}" + (f": {answer.note}" if answer.note else ".")
        return Finding(
            id=self.id, stage=self.stage, subject=subject, title=self.question, status=status,
            severity=self.severity, summary=summary, remediation=self.help,
            evidence={"answered_at": answer.at.isoformat()} if answer else {},
        )


@dataclass(frozen=True)
class Deliverable:
    """A document the stage produces; `template` names a file in templates/ once it exists,
    `output` the file written in reports/ when it is not the template's name less `.j2`."""

    id: str
    title: str
    template: str | None = None
    output: str | None = None


@dataclass(frozen=True)
class Stage:
    number: int
    short: str  # fits the 80-column sidebar
    title: str
    goal: str
    failure_signals: tuple[str, ...]
    manual: tuple[ManualItem, ...] = ()
    deliverables: tuple[Deliverable, ...] = field(default_factory=tuple)

    @property
    def check_ids(self) -> tuple[str, ...]:
        """The stage's automated checks, by id: known without importing them."""
        return registry.ids_of_stage(self.number)

    @property
    def checks(self) -> tuple[Check, ...]:
        """The stage's Check objects (imports the modules that define them)."""
        return tuple(registry.load(self.check_ids))
