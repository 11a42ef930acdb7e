"""The one result type every check returns (DESIGN.md 3.3), and how statuses read and add up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wizard.vault import redact_data


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"  # the check could not run
    SKIPPED = "skipped"  # not applicable or not configured
    MANUAL = "manual"  # a person must answer


class Severity(StrEnum):
    BLOCKER = "blocker"  # must fix before launch
    CAN_WAIT = "can-wait"
    INFO = "info"


# Words always stand next to icons; colour only repeats what the word says.
STATUS_WORD = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.WARN: "WARN",
    Status.ERROR: "ERROR",
    Status.SKIPPED: "SKIP",
    Status.MANUAL: "TODO",
}
STATUS_ICON = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.WARN: "!",
    Status.ERROR: "?",
    Status.SKIPPED: "-",
    Status.MANUAL: "○",
}
SEVERITY_WORD = {Severity.BLOCKER: "blocker", Severity.CAN_WAIT: "can-wait", Severity.INFO: "info"}

# Worst first: the worst status wins when findings are summed up (a stage, a run), and lists
# of findings show what needs doing first.
STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.PASS, Status.SKIPPED]


class Finding(BaseModel):
    """One check's verdict on one subject, with the evidence a person can act on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    stage: int = Field(ge=1, le=7)
    subject: str
    title: str
    status: Status
    severity: Severity
    summary: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    remediation: str = ""
    fix: str | None = None

    @property
    def key(self) -> str:
        """Identity of a finding across runs: one per check per subject."""
        return finding_key(self.id, self.subject)

    @property
    def is_blocker(self) -> bool:
        return self.severity is Severity.BLOCKER and self.status is Status.FAIL

    # The questions every face and deliverable asks of a finding, answered here only.
    @property
    def is_problem(self) -> bool:
        """The check found something wrong (fail or warn): risk lists, alerts, fixes."""
        return self.status in (Status.FAIL, Status.WARN)

    @property
    def is_open(self) -> bool:
        """Not settled: a problem, or a check that could not run (error)."""
        return self.is_problem or self.status is Status.ERROR

    @property
    def needs_decision(self) -> bool:
        """Accepting the risk or deferring makes sense: open, or a question not answered yet."""
        return self.is_open or self.status is Status.MANUAL

    @property
    def rank(self) -> int:
        """Sort key, worst first (STATUS_ORDER)."""
        return STATUS_ORDER.index(self.status)

    def masked(self, mask: Callable[[str], str]) -> Finding:
        """The same finding with every text passed through `mask` (secrets, screen-sharing)."""
        return self.model_copy(update={
            "summary": mask(self.summary),
            "remediation": mask(self.remediation),
            "evidence": redact_data(self.evidence, mask),
        })

    def label(self) -> str:
        """`✗ FAIL`: icon and word together."""
        return f"{STATUS_ICON[self.status]} {STATUS_WORD[self.status]}"


def finding_key(check_id: str, subject: str) -> str:
    return f"{check_id}@{subject}"


def totals(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.status for f in findings)
    return {s.value: counts.get(s, 0) for s in Status}


def overall_status(findings: Iterable[Finding]) -> Status | None:
    """The worst status among findings; None when nothing has run."""
    present = {f.status for f in findings}
    for status in STATUS_ORDER:
        if status in present:
            return status
    return None


def blocker_count(findings: Iterable[Finding]) -> int:
    return sum(1 for f in findings if f.is_blocker)
