"""Renderings of a check run: the JSON report of DESIGN.md 3.3 and a plain text table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wizard import __version__
from wizard.findings import (
    SEVERITY_WORD,
    STATUS_ICON,
    STATUS_WORD,
    Finding,
    Status,
    blocker_count,
    overall_status,
    totals,
)
from wizard.vault import redact

REPORT_SCHEMA = "launch-ready/report@1"


def build_report(
    *,
    sprint: str,
    domain: str,
    stages: Iterable[tuple[int, str]],
    findings: list[Finding],
    generated_at: datetime,
    duration_s: float,
) -> dict[str, Any]:
    stage_rows = []
    for number, title in stages:
        status = overall_status(f for f in findings if f.stage == number)
        stage_rows.append({"number": number, "title": title,
                           "status": (status or Status.SKIPPED).value})
    return {
        "schema": REPORT_SCHEMA,
        "tool_version": __version__,
        "sprint": sprint,
        "domain": domain,
        "generated_at": generated_at.isoformat(),
        "duration_s": round(duration_s, 3),
        "stages": stage_rows,
        "findings": [f.model_dump(mode="json") for f in findings],
        "totals": totals(findings),
        "blockers": blocker_count(findings),
    }


def render_json(report: dict[str, Any]) -> str:
    return redact(json.dumps(report, indent=2, ensure_ascii=False)) + "\n"


def render_text(report: dict[str, Any]) -> str:
    lines = [f"launch-ready {report['tool_version']} · {report['sprint']} · {report['domain']}", ""]
    findings = [Finding.model_validate(f) for f in report["findings"]]
    width = max((len(f.id) for f in findings), default=0)
    for stage in report["stages"]:
        rows = [f for f in findings if f.stage == stage["number"]]
        if not rows:
            continue
        word = STATUS_WORD[Status(stage["status"])]
        lines.append(f"Stage {stage['number']} · {stage['title']} · {word}")
        for f in rows:
            icon, status = STATUS_ICON[f.status], STATUS_WORD[f.status]
            lines.append(f"  {icon} {status:<5} {SEVERITY_WORD[f.severity]:<8} {f.id:<{width}}  {f.subject}")
            if f.status in (Status.FAIL, Status.WARN, Status.ERROR):
                lines.append(f"      {f.summary}")
                if f.fix:
                    lines.append(f"      fix: {f.fix}")
        lines.append("")
    t = report["totals"]
    summary = ", ".join(f"{n} {STATUS_WORD[Status(s)].lower()}" for s, n in t.items() if n)
    lines.append(f"{report['blockers']} blocker(s) failing · {summary or 'nothing ran'} "
                 f"· {report['duration_s']:.2f} s")
    return redact("\n".join(lines)) + "\n"
