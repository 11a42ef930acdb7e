"""The stage 1 deliverables after a demo run: the risk list splits the failing findings into
"must fix before launch" and "can wait" with their fixes and decisions; the deployment map is
built from the findings' evidence and says what is not known yet."""

from __future__ import annotations

import pytest

from wizard.application.checks import run_sprint
from wizard.application.deliverables import render_deliverables
from wizard.application.open_sprint import OpenSprint
from wizard.sandbox.demo import APP, DOMAIN


@pytest.fixture
async def rendered(sprint, sandbox, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", sandbox.token)
    monkeypatch.setenv("LAUNCH_READY_USER_A", "tok-alice")
    monkeypatch.setenv("LAUNCH_READY_USER_B", "tok-bob")
    config = sprint.load_config()
    progress = sprint.load_progress()
    await run_sprint(OpenSprint(sprint, config, progress), stages=[1, 3], save=True)
    progress = sprint.load_progress()
    progress.decide(f"edge.https-rewrites@{DOMAIN}", "accepted-risk", "no http:// links left")
    progress.decide(f"edge.min-tls@{DOMAIN}", "deferred", "after the partner API upgrades")
    return render_deliverables(config, progress)


def _section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


async def test_risk_list_splits_blockers_from_what_can_wait(rendered):
    risk = rendered["risk-list.md"]
    must, later = _section(risk, "Must fix before launch"), _section(risk, "Can wait")
    accepted = _section(risk, "Accepted risks")
    for check_id, fix in [("edge.ssl-mode", "cf.ssl-strict"), ("edge.always-https", "cf.always-use-https"),
                          ("edge.private-not-cached", "cf.cache-bypass-private"),
                          ("email.spf", "cf.email-spf"), ("email.dmarc", "cf.email-dmarc")]:
        row = next(line for line in must.splitlines() if f"| {check_id} |" in line)
        assert f"(fix: {fix})" in row
    assert f"| edge.proxied | {DOMAIN} |" in must and f"| edge.proxied | {APP} |" not in risk
    assert "| edge.min-tls |" in later and "deferred: after the partner API upgrades" in later
    assert "| edge.bot-protection |" in later and "| edge.min-tls |" not in must
    assert "| edge.https-rewrites |" in accepted and "no http:// links left" in accepted
    assert "| edge.https-rewrites |" not in must + later


async def test_deployment_map_from_the_evidence(rendered):
    deployment = rendered["deployment-map.md"]
    hosts = _section(deployment, "Hosts")
    assert f"| {DOMAIN} (canonical) | A 127.0.0.3 (DNS only) | no (DNS only) | 127.0.0.3 |" in hosts
    assert f"| www.{DOMAIN} | none | no record |" in hosts
    assert f"| {APP} | CNAME {DOMAIN} (proxied) | yes (cf-ray seen) |" in hosts
    settings = _section(deployment, "Cloudflare settings that matter")
    for row in ("| ssl | flexible | FAIL |", "| always_use_https | off | FAIL |",
                "| min_tls_version | 1.0 | FAIL |", "| hsts (security_header) | off |"):
        assert row in settings
    email = _section(deployment, "Email records")
    assert "| email.spf | acme.example | FAIL | v=spf1 a mx include:_spf.crm.acme.example" in email
    assert "Not yet known" in _section(deployment, "Monitoring")
    assert "Not yet known" in _section(deployment, "Environment variables")


def test_the_map_renders_before_any_run(sprint):
    out = render_deliverables(sprint.load_config(), sprint.load_progress())
    assert "| acme.example (canonical) | not yet known |" in out["deployment-map.md"]
    assert "Nothing: no blocker fails." in out["risk-list.md"]
