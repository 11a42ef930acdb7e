"""The release.* checks (stage 6) against the demo sandbox and on temporary files: the smoke passes
on the healthy demo and names the step that breaks; each probe stays within its request bound;
env files are compared without a value ever reaching a finding."""

from __future__ import annotations

import json

import pytest

from stages.checks.release import RELEASE_CHECKS, SMOKE_BOUND
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding, Status
from wizard.net import NetContext
from wizard.probes.env_files import parse_env
from wizard.sandbox.demo import API, APP, DOMAIN
from wizard.sandbox.http_server import Response
from wizard.sections import Accounts, Api, Login, Release

CHECKS = {c.id: c for c in RELEASE_CHECKS}
ME = f"https://{API}/api/me"


@pytest.fixture
def demo(sprint, sandbox, monkeypatch):
    """(config, run): the demo sprint with its API and release sections set, test users A and B
    from the environment (the CI path); `run(*ids)` -> {(id, subject): finding}, and `run.used`:
    the requests the origin received in that run."""
    monkeypatch.setenv("LAUNCH_READY_USER_A", "tok-alice")
    monkeypatch.setenv("LAUNCH_READY_USER_B", "tok-bob")
    config = sprint.load_config()
    config.api = Api(base_url=f"https://{API}")
    config.release = Release(health_path="/health", me_path="/api/me",
                             paths=["/", "/login?next=%2Fchat"])

    seen: list[str] = []
    sandbox.origin.listeners.append(lambda request, template: seen.append(request.target))

    async def run(*ids: str) -> dict[tuple[str, str], Finding]:
        seen.clear()
        async with NetContext(config.network, DOMAIN, sprint.root) as net:
            result = await run_checks([CHECKS[i] for i in ids], RunContext(config, net))
        run.used = len(seen)
        return {(f.id, f.subject): f for f in result.findings}

    return config, run


def _one(found: dict, check_id: str) -> Finding:
    (finding,) = [f for (i, _), f in found.items() if i == check_id]
    return finding


# ---------------------------------------------------------------- release.smoke


async def test_smoke_passes_on_the_healthy_demo_within_its_bound(demo):
    config, run = demo
    smoke = _one(await run("release.smoke"), "release.smoke")
    assert smoke.status is Status.PASS, smoke.summary
    assert [s["step"] for s in smoke.evidence["steps"]] == ["home", "login", "health", "me"]
    assert all(s["ok"] for s in smoke.evidence["steps"])
    assert smoke.evidence["requests"] == run.used == 3  # home, health, me (token: no login call)
    assert smoke.evidence["requests"] <= SMOKE_BOUND
    assert "tok-alice" not in smoke.model_dump_json() and "Alice" not in smoke.model_dump_json()


async def test_smoke_fails_naming_me_when_the_signed_in_route_breaks(demo, sandbox):
    config, run = demo
    sandbox.origin.route("GET", "/api/me", lambda request: Response.json(500, {"error": "boom"}))
    smoke = _one(await run("release.smoke"), "release.smoke")
    assert smoke.status is Status.FAIL and smoke.is_blocker
    assert smoke.summary.startswith(f"smoke test broken at me ({ME}): answered 500")


async def test_smoke_fails_when_the_user_token_is_refused(demo, monkeypatch):
    config, run = demo
    monkeypatch.setenv("LAUNCH_READY_USER_A", "tok-revoked-0000")
    smoke = _one(await run("release.smoke"), "release.smoke")
    assert smoke.status is Status.FAIL and "broken at me" in smoke.summary and "401" in smoke.summary
    assert "tok-revoked-0000" not in smoke.model_dump_json()


async def test_smoke_with_a_login_template_fails_at_login_when_login_breaks(demo, sandbox, monkeypatch):
    config, run = demo
    config.api = Api(base_url=f"https://{API}", login=Login(url="/api/login"),
                     accounts=Accounts(user_a="alice@acme.example"))
    monkeypatch.setenv("LAUNCH_READY_USER_A", "demo-password-a")
    healthy = _one(await run("release.smoke"), "release.smoke")
    assert healthy.status is Status.PASS, healthy.summary
    assert healthy.evidence["requests"] == run.used == 4 <= SMOKE_BOUND  # + the login
    assert "login template" in healthy.evidence["steps"][1]["note"]

    sandbox.origin.route("POST", "/api/login", lambda request: Response.json(500, {"error": "down"}))
    broken = _one(await run("release.smoke"), "release.smoke")
    assert broken.status is Status.FAIL
    assert broken.summary.startswith("smoke test broken at login")
    assert "login as user_a failed" in broken.summary
    assert [s["step"] for s in broken.evidence["steps"] if s["ok"] is None] == ["me"]
    assert "demo-password-a" not in broken.model_dump_json()


async def test_smoke_without_an_api_section_is_partial(demo):
    config, run = demo
    config.api = Api()
    smoke = _one(await run("release.smoke"), "release.smoke")
    assert smoke.status is Status.WARN and "login skipped" in smoke.summary
    assert smoke.evidence["requests"] == run.used == 2  # home and health on the canonical host


# ---------------------------------------------------------------- release.paths-preserved


async def test_paths_answer_or_redirect_once_keeping_path_and_query(demo, sandbox):
    config, run = demo
    sandbox.origin.route("GET", "/pricing", lambda r: Response.redirect(301, f"/plans?{r.target.partition('?')[2]}"))
    sandbox.origin.route("GET", "/docs", lambda r: Response.redirect(301, "/docs/"))
    sandbox.origin.route("GET", "/docs/", lambda r: Response.redirect(302, "/docs/start"))
    sandbox.origin.route("GET", "/old", lambda r: Response.redirect(301, "/new?x=1"))
    sandbox.origin.route("GET", "/new", lambda r: Response.html(200, "<p>new</p>"))
    config.release = Release(paths=["/", "/login?next=%2Fchat", "/docs", "/old", "/missing", "/pricing?p=1"])
    found = await run("release.paths-preserved")
    status = {s.removeprefix(f"https://{DOMAIN}"): f.status for (_, s), f in found.items()}
    assert status == {"/": Status.PASS, "/login?next=%2Fchat": Status.PASS, "/docs": Status.FAIL,
                      "/old": Status.FAIL, "/missing": Status.FAIL, "/pricing?p=1": Status.FAIL}
    assert "more than one redirect" in found[("release.paths-preserved", f"https://{DOMAIN}/docs")].summary
    assert "path or query is lost" in found[("release.paths-preserved", f"https://{DOMAIN}/old")].summary
    assert all(f.evidence["requests"] <= 2 for f in found.values())
    assert run.used == sum(f.evidence["requests"] for f in found.values())


async def test_one_redirect_keeping_the_path_passes(demo, sandbox):
    config, run = demo
    sandbox.origin.route("GET", "/blog/post", lambda r: Response.html(200, "<p>post</p>")
                         if r.host.startswith("app.") else Response.redirect(
                             301, f"https://{APP}/blog/post?{r.target.partition('?')[2]}"))
    config.release = Release(paths=["/blog/post?ref=news"])
    finding = _one(await run("release.paths-preserved"), "release.paths-preserved")
    assert finding.status is Status.PASS, finding.summary
    assert finding.evidence["requests"] == 2


async def test_no_paths_is_skipped(demo):
    config, run = demo
    config.release = Release()
    assert _one(await run("release.paths-preserved"), "release.paths-preserved").status is Status.SKIPPED


# ---------------------------------------------------------------- release.stale-auth-cache


async def test_signed_in_answer_not_shared_on_the_api_host(demo):
    config, run = demo
    finding = _one(await run("release.stale-auth-cache"), "release.stale-auth-cache")
    assert (finding.subject, finding.status) == (ME, Status.PASS), finding.summary
    assert finding.evidence["requests"] == run.used == 2


async def test_a_cached_signed_in_answer_is_caught(demo):
    """The demo caches everything on the app host: user B gets Alice's profile there."""
    config, run = demo
    config.api = Api(base_url=f"https://{APP}")
    config.target.private_urls = []
    finding = _one(await run("release.stale-auth-cache"), "release.stale-auth-cache")
    assert finding.status is Status.FAIL and finding.is_blocker
    assert "user B received user A's response" in finding.summary
    assert "Alice" not in finding.model_dump_json() and "tok-alice" not in finding.model_dump_json()


async def test_a_url_the_edge_check_covers_is_left_to_it(demo):
    config, run = demo
    config.api = Api(base_url=f"https://{APP}")  # the demo lists https://app.../api/me as private
    finding = _one(await run("release.stale-auth-cache"), "release.stale-auth-cache")
    assert finding.status is Status.SKIPPED and "edge.private-not-cached" in finding.summary
    assert run.used == 0


# ---------------------------------------------------------------- release.env-separation

STAGING = """# staging
export DATABASE_URL="postgres://app:st4ging-Pw-91c2@db.staging.internal/app"
OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFGH
STRIPE_SECRET_KEY='sk_test_51Hx9sharedSharedShared00112233'
NEXT_PUBLIC_SITE_URL=https://staging.acme.example
FEATURE_FLAGS=chat,upload   # inline comment
SENTRY_DSN=https://abc@o1.ingest.sentry.io/1
"""
PRODUCTION = """DATABASE_URL=postgres://app:pr0d-Pw-x7Q4-77aa@db.prod.internal/app
OPENAI_API_KEY=sk-proj-ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210zyxwABCD
STRIPE_SECRET_KEY="sk_test_51Hx9sharedSharedShared00112233"
NEXT_PUBLIC_SITE_URL=https://acme.example
NEXT_PUBLIC_ADMIN_TOKEN=Zq8vX2mN4pL7rT1wY6uK3hB9
"""


def test_env_parsing_reads_quotes_export_and_comments():
    values = parse_env(STAGING + 'MULTI="line one\nline two"\nEMPTY=\n# NOT=this\n')
    assert values["DATABASE_URL"].startswith("postgres://app:")
    assert values["STRIPE_SECRET_KEY"] == "sk_test_51Hx9sharedSharedShared00112233"
    assert values["FEATURE_FLAGS"] == "chat,upload"
    assert values["MULTI"] == "line one\nline two" and values["EMPTY"] == ""
    assert "NOT" not in values


async def test_env_separation_names_shared_missing_and_public_secrets_never_values(demo, sprint):
    config, run = demo
    (sprint.root / "env").mkdir(exist_ok=True)  # the demo sprint has its own env files
    (sprint.root / "env" / "staging.env").write_text(STAGING)
    (sprint.root / "env" / "production.env").write_text(PRODUCTION)
    config.release = Release(staging_env="env/staging.env",
                             production_env=str(sprint.root / "env" / "production.env"))
    finding = _one(await run("release.env-separation"), "release.env-separation")
    assert finding.status is Status.FAIL and finding.is_blocker
    ev = finding.evidence
    assert [s["name"] for s in ev["shared_secrets"]] == ["STRIPE_SECRET_KEY"]
    assert [p["name"] for p in ev["public_secrets"]] == ["NEXT_PUBLIC_ADMIN_TOKEN"]
    assert ev["missing_in_production"] == ["FEATURE_FLAGS", "SENTRY_DSN"]
    dumped = finding.model_dump_json()
    for value in [*parse_env(STAGING).values(), *parse_env(PRODUCTION).values()]:
        if len(value) >= 6:
            assert value not in dumped, value
    assert run.used == 0


async def test_env_separation_warns_on_a_missing_variable_only(demo, sprint):
    config, run = demo
    (sprint.root / "staging.env").write_text("API_TOKEN=aaaa1111bbbb2222cccc\nLOG_LEVEL=debug\n")
    (sprint.root / "production.env").write_text("API_TOKEN=zzzz9999yyyy8888xxxx\n")
    config.release = Release(staging_env="staging.env", production_env="production.env")
    finding = _one(await run("release.env-separation"), "release.env-separation")
    assert finding.status is Status.WARN and finding.evidence["missing_in_production"] == ["LOG_LEVEL"]
    (sprint.root / "production.env").write_text("API_TOKEN=zzzz9999yyyy8888xxxx\nLOG_LEVEL=info\n")
    assert _one(await run("release.env-separation"), "release.env-separation").status is Status.PASS


async def test_env_separation_skips_or_errors_without_files(demo):
    config, run = demo
    config.release = Release()
    assert _one(await run("release.env-separation"), "release.env-separation").status is Status.SKIPPED
    config.release = Release(staging_env="nope.env", production_env="nope2.env")
    finding = _one(await run("release.env-separation"), "release.env-separation")
    assert finding.status is Status.ERROR and "No such file" in finding.summary


# ---------------------------------------------------------------- release.build-reproducible

DEPLOY_WORKFLOW = """name: deploy
on: {push: {branches: [main]}}
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4.2.2
      - run: npm ci && npm run build
      - run: npx vercel deploy --prod
"""


def _repo(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(("files", "status", "missing"), [
    ({"package-lock.json": "{}", ".nvmrc": "20.11.1\n", ".github/workflows/deploy.yml": DEPLOY_WORKFLOW},
     Status.PASS, []),
    ({"requirements.txt": "fastapi==0.115.0\nuvicorn[standard]==0.30.6\n",
      "Dockerfile": "FROM python:3.12.7-slim\n", ".gitlab-ci.yml": "build:\n  script: docker build .\n"
      "deploy:\n  script: fly deploy\n"}, Status.PASS, []),
    ({"package.json": json.dumps({"engines": {"node": ">=20"}}), "yarn.lock": "",
      ".github/workflows/ci.yml": "jobs: {t: {steps: [{run: npm run build}]}}"},
     Status.FAIL, ["a CI workflow that builds and deploys"]),
    ({"requirements.txt": "fastapi>=0.100\n", "Dockerfile": "FROM node:latest\n"},
     Status.FAIL, ["a lockfile", "a pinned runtime version", "a CI workflow that builds and deploys"]),
    ({"poetry.lock": "", ".github/workflows/d.yaml": DEPLOY_WORKFLOW}, Status.WARN,
     ["a pinned runtime version"]),
], ids=["node", "python-docker-gitlab", "ci-builds-only", "nothing-pinned", "no-runtime"])
async def test_build_reproducible_reads_the_three_parts(demo, tmp_path, files, status, missing):
    config, run = demo
    config.repo.path = str(_repo(tmp_path / "repo", files))
    finding = _one(await run("release.build-reproducible"), "release.build-reproducible")
    assert finding.status is status, finding.summary
    for part in missing:
        assert part in finding.summary
    assert run.used == 0


async def test_build_reproducible_without_a_repo_is_skipped(demo):
    config, run = demo
    assert _one(await run("release.build-reproducible"), "release.build-reproducible").status is Status.SKIPPED
