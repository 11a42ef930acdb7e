"""The questions asked of a finding, answered once (wizard.findings) for every face and document."""

from __future__ import annotations

import pytest

from wizard.findings import STATUS_ORDER, Finding, Severity, Status


def finding(status: Status) -> Finding:
    return Finding(id="x.y", stage=1, subject="s", title="t", status=status,
                   severity=Severity.BLOCKER, summary="")


@pytest.mark.parametrize(("status", "problem", "open_", "decision"), [
    (Status.FAIL, True, True, True),
    (Status.WARN, True, True, True),
    (Status.ERROR, False, True, True),
    (Status.MANUAL, False, False, True),
    (Status.PASS, False, False, False),
    (Status.SKIPPED, False, False, False),
])
def test_problem_open_and_decision(status, problem, open_, decision):
    f = finding(status)
    assert (f.is_problem, f.is_open, f.needs_decision) == (problem, open_, decision)


def test_rank_sorts_worst_first():
    shuffled = [finding(s) for s in reversed(STATUS_ORDER)]
    assert [f.status for f in sorted(shuffled, key=lambda f: f.rank)] == STATUS_ORDER
