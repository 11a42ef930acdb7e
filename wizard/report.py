"""Renderings of a check run: the JSON report of DESIGN.md 3.3, a plain text table, and SARIF and
JUnit for CI (code scanning alerts, test tabs)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wizard import __version__
from wizard.findings import (
    SEVERITY_WORD,
    STATUS_ICON,
    STATUS_WORD,
    Finding,
    Severity,
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
            if f.is_open:
                lines.append(f"      {f.summary}")
                if f.fix:
                    lines.append(f"      fix: {f.fix}")
        lines.append("")
    t = report["totals"]
    summary = ", ".join(f"{n} {STATUS_WORD[Status(s)].lower()}" for s, n in t.items() if n)
    lines.append(f"{report['blockers']} blocker(s) failing · {summary or 'nothing ran'} "
                 f"· {report['duration_s']:.2f} s")
    return redact("\n".join(lines)) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _sarif_level(f: Finding) -> str:
    if f.severity is Severity.INFO:
        return "note"
    return "error" if f.is_blocker else "warning"


def _sarif_locations(f: Finding) -> list[dict[str, Any]]:
    """Where a finding points: file and line when the evidence has them, else its subject."""
    places = f.evidence.get("locations") or [f.evidence]
    physical = [
        {"physicalLocation": {
            "artifactLocation": {"uri": str(p["path"])},
            "region": {"startLine": int(p["line"]), **({"startColumn": int(p["column"])}
                                                        if p.get("column") else {})},
        }}
        for p in places if isinstance(p, dict) and p.get("path") and p.get("line")
    ]
    return physical or [{"logicalLocations": [{"name": f.subject, "kind": "resource"}]}]


def render_sarif(report: dict[str, Any]) -> str:
    """SARIF 2.1.0 for GitHub code scanning: a rule per check id, a result per fail or warn."""
    findings = [Finding.model_validate(f) for f in report["findings"]]
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        rules.setdefault(f.id, {
            "id": f.id, "name": f.id,
            "shortDescription": {"text": f.title},
            "help": {"text": f.remediation or f.title},
        })
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    results = [
        {
            "ruleId": f.id, "ruleIndex": index[f.id], "level": _sarif_level(f),
            "message": {"text": f.summary},
            "partialFingerprints": {"launchReady/v1": f.key},
            "locations": _sarif_locations(f),
        }
        for f in findings if f.is_problem  # what code scanning shows as an alert
    ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "launch-ready", "version": report["tool_version"],
                                "informationUri": "https://pypi.org/project/launch-ready/",
                                "rules": list(rules.values())}},
            "automationDetails": {"id": f"launch-ready/{report['sprint']}/"},
            "results": results,
        }],
    }
    return redact(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


_JUNIT_OUTCOME = {Status.FAIL: "failure", Status.ERROR: "error",
                  Status.SKIPPED: "skipped", Status.MANUAL: "skipped"}


def render_junit(report: dict[str, Any]) -> str:
    """JUnit XML for CI test tabs: a testsuite per stage, a testcase per finding."""
    import xml.etree.ElementTree as ET  # only this format needs it

    findings = [Finding.model_validate(f) for f in report["findings"]]
    root = ET.Element("testsuites", name=f"launch-ready {report['sprint']}")
    for stage in report["stages"]:
        rows = [f for f in findings if f.stage == stage["number"]]
        counts = Counter(_JUNIT_OUTCOME.get(f.status) for f in rows)
        suite = ET.SubElement(root, "testsuite", {
            "name": f"Stage {stage['number']}: {stage['title']}", "tests": str(len(rows)),
            "failures": str(counts["failure"]), "errors": str(counts["error"]),
            "skipped": str(counts["skipped"]),
        })
        for f in rows:
            case = ET.SubElement(suite, "testcase", classname=f.id, name=f.subject)
            outcome = _JUNIT_OUTCOME.get(f.status)
            if outcome:
                ET.SubElement(case, outcome, message=f.summary).text = (
                    f"{f.title} ({f.severity.value})\n{f.remediation}".strip())
    ET.indent(root)
    return redact(ET.tostring(root, encoding="unicode", xml_declaration=True)) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif, "junit": render_junit}
