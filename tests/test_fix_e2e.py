"""Every fix end to end on the sandbox demo, as a user meets it: its check fails -> plan ->
apply -> the check passes -> rollback -> the check fails again and the zone equals the snapshot
(records, settings, rules, bot management compared deeply)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.edge_plans import view
from wizard.application.checks import run_sprint
from wizard.application.fixes import apply_fixes, make_plan, rollback
from wizard.application.open_sprint import OpenSprint
from wizard.edge.fixes import ALIASES, FIXES
from wizard.findings import Status

NOTE_ONLY = {"cf.email-spf"}  # over 10 lookups: the plan explains, it does not guess includes
ALREADY_FINE = {"cf.dns-apex"}  # the demo's apex exists
ELSEWHERE = {"cf.healthchecks"}  # needs a Pro zone and monitoring.urls: tests/test_fix_healthchecks.py
# On the demo some fixes only show once another is in: edge settings reach a host only when it
# is proxied (the checks name cf.proxy for an unproxied host), and www must exist before it can be
# proxied or redirected. Those go in first, through the same path, and are part of the snapshot
# the rollback returns to.
NEEDS = {
    "cf.proxy": ["cf.dns-www"],
    "cf.redirect-canonical": ["cf.dns-www"],
    "cf.always-use-https": ["cf.dns-www", "cf.proxy"],
    "cf.hsts": ["cf.dns-www", "cf.proxy"],
    "cf.https-rewrites": ["cf.dns-www", "cf.proxy"],
}


@pytest.fixture
def demo(sprint, sandbox, monkeypatch):
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    return sprint


def asking(sprint, fix: str, statuses=(Status.FAIL, Status.WARN)) -> set[str]:
    """The findings of the fix's checks that fail (or warn) and name this fix."""
    result = asyncio.run(run_sprint(OpenSprint(sprint, sprint.load_config()), only=list(FIXES[fix].checks)))
    return {f.key for f in result.findings
            if f.status in statuses and ALIASES.get(f.fix, f.fix) == fix}


@pytest.mark.parametrize("fix", sorted(set(FIXES) - NOTE_ONLY - ALREADY_FINE - ELSEWHERE))
def test_fix_applies_verifies_and_rolls_back(demo, sandbox, fix):
    config, progress = demo.load_config(), demo.load_progress()
    if fix in NEEDS:
        first = asyncio.run(make_plan(OpenSprint(demo, config), NEEDS[fix]))
        assert asyncio.run(apply_fixes(OpenSprint(demo, config, progress), first)).outcome.state == "applied"
    before_view = view(sandbox)
    asked = asking(demo, fix)
    assert asked, f"{fix}: the demo should start with a check asking for it"

    plan = asyncio.run(make_plan(OpenSprint(demo, config), [fix]))
    assert not plan.empty
    applied = asyncio.run(apply_fixes(OpenSprint(demo, config, progress), plan))
    assert applied.outcome.state == "applied", applied.outcome.message
    assert applied.verified, [f"{f.key}: {f.summary}" for f in applied.still_asking]
    assert not asking(demo, fix, (Status.FAIL,)) & asked  # a DMARC p=none still warns: by design
    assert asyncio.run(make_plan(OpenSprint(demo, config), [fix])).empty  # fixed: nothing left to plan

    undone = asyncio.run(rollback(OpenSprint(demo, config, progress), applied.outcome.change_id))
    assert undone.outcome.state == "rolled-back", undone.outcome.message
    assert view(sandbox) == before_view
    assert asking(demo, fix) == asked
    log = {c.id: c for c in demo.load_progress().changes}
    assert log[applied.outcome.change_id].state == "rolled-back"


def test_the_note_only_fix_changes_nothing(demo):
    plan = asyncio.run(make_plan(OpenSprint(demo, demo.load_config()), ["cf.email-spf"]))
    assert plan.empty and "12 DNS lookups" in " ".join(plan.notes)


def test_an_unproxied_host_asks_to_be_proxied_first(demo):
    result = asyncio.run(run_sprint(OpenSprint(demo, demo.load_config()), only=["https.enforced", "https.hsts"]))
    apex = {f.id: f for f in result.findings if f.subject == "acme.example"}
    app = {f.id: f for f in result.findings if f.subject == "app.acme.example"}
    assert apex["https.enforced"].fix == "cf.proxy" and "proxy it first" in apex["https.enforced"].remediation
    assert apex["https.hsts"].fix == "cf.proxy"
    assert app["https.enforced"].fix == "cf.always-use-https" and app["https.hsts"].fix == "cf.hsts"


def test_the_security_rule_fixes_send_only_what_cloudflares_schema_accepts(demo, sandbox):
    """Every request and answer of planning, applying and rolling back cf.rate-limit and
    cf.security-headers, checked against Cloudflare's schema subset (the schema test's own
    checker); a rule's ratelimit object, which the 2024 schema predates, against the official
    SDK's type for it."""
    from cloudflare.types.rulesets.block_rule_param import Ratelimit
    from pydantic import TypeAdapter

    from tests.sandbox.test_cfapi_schema import SCHEMA_PATH, _check, _repair, _write_view

    exchanges: list = []
    sandbox.api.observer = exchanges.append
    config, progress = demo.load_config(), demo.load_progress()
    plan = asyncio.run(make_plan(OpenSprint(demo, config), ["cf.rate-limit", "cf.security-headers"]))
    applied = asyncio.run(apply_fixes(OpenSprint(demo, config, progress), plan))
    assert applied.outcome.state == "applied" and applied.verified, applied.outcome.message
    undone = asyncio.run(rollback(OpenSprint(demo, config, progress), applied.outcome.change_id))
    assert undone.outcome.state == "rolled-back"
    spec = _repair(json.loads(SCHEMA_PATH.read_text()))
    write_spec = _write_view(spec)
    problems = [f"{e.method} {e.path} -> {e.status}: {p}" for e in exchanges for p in _check(spec, write_spec, e)]
    assert not problems, "\n".join(problems)
    puts = [e for e in exchanges if e.method == "PUT" and e.path.endswith("/http_ratelimit/entrypoint")]
    limits = [r["ratelimit"] for e in puts for r in e.request_body["rules"] if "ratelimit" in r]
    assert limits, "the rate-limit rule was never sent"
    for limit in limits:
        assert set(limit) <= set(Ratelimit.__annotations__) and Ratelimit.__required_keys__ <= set(limit)
        TypeAdapter(Ratelimit).validate_python(limit, strict=True)
