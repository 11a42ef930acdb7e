"""cf.healthchecks and ops.monitoring on the sandbox, as a user meets them: the check warns and
names the fix -> plan -> apply (snapshot, journal) -> the check passes -> planning again is
empty -> rollback removes what was created and restores what was changed. A Free zone gets a
note and no change; the check then asks for an external monitor."""

from __future__ import annotations

import json

import pytest

from wizard.application.checks import run_sprint
from wizard.application.fixes import apply_fixes, make_plan, rollback
from wizard.application.open_sprint import OpenSprint
from wizard.edge.fix_healthchecks import POLICY_NAME, check_name
from wizard.findings import Status
from wizard.sandbox.demo import APP, DOMAIN
from wizard.sections import Watch

HEALTH = f"https://{APP}/health"
HOME = f"https://{DOMAIN}/"  # the demo's apex is DNS-only: no health check, a note
OURS = check_name(APP, "/health")


@pytest.fixture
def demo(sprint, sandbox, monkeypatch):
    """The demo sprint with monitoring.urls and an alert address, on a Pro zone."""
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    config = sprint.load_config()
    config.monitoring.urls = [Watch(url=HEALTH, keyword="ok"), Watch(url=HOME)]
    config.monitoring.alert.smtp_to = ["ops@acme.example"]
    sprint.save_config(config)
    set_plan(sandbox, "pro")
    return sprint


def set_plan(sandbox, plan: str):
    zone = sandbox.world.zone_by_name(DOMAIN)
    with sandbox.world.lock:
        zone.plan = plan
    return zone


async def monitoring(sprint) -> dict[str, object]:
    result = await run_sprint(OpenSprint(sprint, sprint.load_config()), only=["ops.monitoring"])
    return {f.subject: f for f in result.findings}


def world_objects(sandbox) -> tuple[dict, dict]:
    zone = sandbox.world.zone_by_name(DOMAIN)
    with sandbox.world.lock:
        return (json.loads(json.dumps(zone.healthchecks)),
                json.loads(json.dumps(sandbox.world.policies.get(zone.account_id, {}))))


async def test_plan_apply_replan_empty_and_rollback(demo, sandbox):
    config, progress = demo.load_config(), demo.load_progress()
    before = await monitoring(demo)
    assert before[HEALTH].status is Status.WARN and before[HEALTH].fix == "cf.healthchecks"
    assert before[HOME].status is Status.WARN and before[HOME].fix is None  # DNS-only: not ours to fix

    plan = await make_plan(OpenSprint(demo, config), ["cf.healthchecks"])
    assert [(c.kind, c.op, c.target) for c in plan.changes] == [
        ("healthcheck", "create", OURS), ("notification_policy", "create", POLICY_NAME)]
    check = plan.changes[0].after
    assert (check["address"], check["type"], check["interval"], check["retries"]) == (
        sandbox.world.addresses.origin_ipv4, "HTTPS", 60, 2)  # the origin, behind the proxied CNAME
    assert check["http_config"].items() >= {"path": "/health", "expected_body": "ok"}.items()
    assert (check["http_config"]["expected_codes"], check["http_config"]["header"]) == (["200"], {"Host": [APP]})
    assert plan.changes[1].after["mechanisms"] == {"email": [{"id": "ops@acme.example"}]}
    assert plan.changes[1].after["watches"] == [OURS]
    assert any(f"{HOME}: {DOMAIN} is DNS-only" in n for n in plan.notes)
    assert plan.api_calls() == 2

    applied = await apply_fixes(OpenSprint(demo, config, progress), plan)
    assert applied.outcome.state == "applied", applied.outcome.message
    checks, policies = world_objects(sandbox)
    [made] = checks.values()
    [policy] = policies.values()
    assert policy["filters"] == {"health_check_id": [made["id"]]} and policy["alert_type"] == (
        "health_check_status_notification")
    change_dir = demo.changes_dir / applied.outcome.change_id
    snapshot = json.loads((change_dir / "snapshot.json").read_text())
    assert (snapshot["healthchecks"], snapshot["policies"]) == ([], [])
    journal = [json.loads(line) for line in (change_dir / "journal.jsonl").read_text().splitlines()]
    created = {k: v for e in journal if e["event"] == "done" for k, v in (e.get("created") or {}).items()}
    assert created == {f"healthcheck {OURS}": made["id"], f"notification_policy {POLICY_NAME}": policy["id"]}
    assert {f.subject: f.status for f in applied.checks}[HEALTH] is Status.PASS

    assert (await make_plan(OpenSprint(demo, config), ["cf.healthchecks"])).empty  # idempotent, found by name

    undone = await rollback(OpenSprint(demo, config, progress), applied.outcome.change_id)
    assert undone.outcome.state == "rolled-back", undone.outcome.message
    assert world_objects(sandbox) == ({}, {})
    assert (await monitoring(demo))[HEALTH].status is Status.WARN


async def test_a_changed_health_check_of_ours_is_set_back_and_restored_by_rollback(demo, sandbox):
    config, progress = demo.load_config(), demo.load_progress()
    first = await apply_fixes(OpenSprint(demo, config, progress), await make_plan(OpenSprint(demo, config), ["cf.healthchecks"]))
    assert first.outcome.state == "applied"
    zone = sandbox.world.zone_by_name(DOMAIN)
    with sandbox.world.lock:  # a teammate slows ours down in the dashboard
        [ours] = zone.healthchecks.values()
        ours["interval"] = 300
    before = world_objects(sandbox)

    plan = await make_plan(OpenSprint(demo, config), ["cf.healthchecks"])
    [change] = plan.changes
    assert (change.op, change.before["interval"], change.after["interval"]) == ("update", 300, 60)
    assert change.after["id"] == ours["id"]
    applied = await apply_fixes(OpenSprint(demo, config, progress), plan)
    assert applied.outcome.state == "applied" and world_objects(sandbox)[0][ours["id"]]["interval"] == 60
    undone = await rollback(OpenSprint(demo, config, progress), applied.outcome.change_id)
    assert undone.outcome.state == "rolled-back", undone.outcome.message
    after = world_objects(sandbox)
    assert after[0][ours["id"]]["interval"] == 300 and after[1].keys() == before[1].keys()


async def test_a_free_zone_changes_nothing_and_asks_for_an_external_monitor(demo, sandbox):
    set_plan(sandbox, "free")
    seen: list = []
    sandbox.api.observer = seen.append
    plan = await make_plan(OpenSprint(demo, demo.load_config()), ["cf.healthchecks"])
    assert plan.empty
    [note] = plan.notes
    assert "not available on this zone's plan (Free): use an external monitor (Uptime Kuma, Better Stack" in note
    found = await monitoring(demo)
    assert {f.status for f in found.values()} == {Status.WARN}
    assert all(f.fix is None and "ops.external-monitor" in f.summary for f in found.values())
    assert not [e for e in seen if "healthchecks" in (e.endpoint or "") or "alerting" in (e.endpoint or "")]


async def test_without_an_alert_address_the_checks_come_with_a_note(demo):
    config = demo.load_config()
    config.monitoring.alert.smtp_to = []
    plan = await make_plan(OpenSprint(demo, config), ["cf.healthchecks"])
    assert [c.kind for c in plan.changes] == ["healthcheck"]
    assert any("no monitoring.alert.smtp_to" in n for n in plan.notes)


async def test_ops_monitoring_skips_without_urls_and_names_a_missing_permission(demo, sandbox, monkeypatch):
    config = demo.load_config()
    config.monitoring.urls = []
    demo.save_config(config)
    [skipped] = (await monitoring(demo)).values()
    assert skipped.status is Status.SKIPPED
    config.monitoring.urls = [Watch(url=HEALTH)]
    demo.save_config(config)
    sandbox.world.add_token("no-health", permissions=frozenset({
        "Zone Read", "DNS Read", "Zone Settings Read", "Bot Management Read"}))
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "no-health")
    [error] = (await monitoring(demo)).values()
    assert error.status is Status.ERROR and "Health Checks Read" in error.summary


async def test_a_lost_answer_is_read_again_not_sent_twice(demo, sandbox):
    sandbox.faults.add("drop", "POST /zones/{zone_id}/healthchecks")  # created, answer lost
    config = demo.load_config()
    applied = await apply_fixes(OpenSprint(demo, config, demo.load_progress()), await make_plan(OpenSprint(demo, config), ["cf.healthchecks"]))
    assert applied.outcome.state == "applied", applied.outcome.message
    checks, policies = world_objects(sandbox)
    assert [c["name"] for c in checks.values()] == [OURS] and len(policies) == 1


async def test_a_failure_mid_apply_restores_the_snapshot(demo, sandbox):
    sandbox.faults.add("500", "POST /accounts/{account_id}/alerting/v3/policies", times=2)  # both sends
    config = demo.load_config()
    applied = await apply_fixes(OpenSprint(demo, config, demo.load_progress()), await make_plan(OpenSprint(demo, config), ["cf.healthchecks"]))
    assert applied.outcome.state == "rolled-back", applied.outcome.message
    assert world_objects(sandbox) == ({}, {})
