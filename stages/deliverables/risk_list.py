"""The risk list (stage 1 deliverable): what is wrong, split into what must be fixed before
launch and what can wait, each with its one-line fix, and the decisions people took."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard.findings import Finding, Status
from wizard.sprint import Decision


def fix_line(f: Finding) -> str:
    """The remediation's first sentence, with the fix id that automates it."""
    text = (f.remediation or f.summary).strip()
    first = text.split(". ")[0].rstrip(".") + "."
    return f"{first} (fix: {f.fix})" if f.fix else first


def risk_list(findings: list[Finding], decision: Callable[[Finding], Decision | None]) -> dict[str, Any]:
    """Accepted risks leave both lists (shown with their reason); deferred ones stay, marked."""

    def row(f: Finding) -> dict[str, Any]:
        return {"finding": f, "fix": fix_line(f), "decision": decision(f)}

    def is_accepted(f: Finding) -> bool:
        d = decision(f)
        return d is not None and d.kind == "accepted-risk"

    open_ = [f for f in findings if f.is_problem]
    accepted = [row(f) for f in open_ if is_accepted(f)]
    live = [f for f in open_ if not is_accepted(f)]
    return {
        "must_fix": [row(f) for f in live if f.is_blocker],
        "can_wait": [row(f) for f in live if not f.is_blocker],
        "accepted": accepted,
        "unchecked": [row(f) for f in findings if f.status is Status.ERROR],
    }

