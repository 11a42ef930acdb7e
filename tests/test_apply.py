"""Apply and rollback against the sandbox: the zone equals the plan's desired state after an
apply and the snapshot after a rollback (records, settings, rules compared deeply); another
party's rule in the same phase survives both; the change set's files tell the story."""

from __future__ import annotations

import json

from tests.edge_plans import CACHE, client, sprint_plan, view
from wizard.edge.apply import apply_plan
from wizard.edge.journal import Journal, list_change_sets, unfinished
from wizard.edge.rollback import rollback_change_set
from wizard.sandbox.state import Rule


async def test_apply_reaches_desired_state_and_rollback_restores_snapshot(sandbox, tmp_path):
    before = view(sandbox)
    plan = sprint_plan(sandbox)
    steps: list[str] = []
    outcome = await apply_plan(plan, client(sandbox), tmp_path / "c1", on_step=steps.append)
    assert outcome.state == "applied", outcome.message
    assert outcome.mismatches == [] and outcome.calls < 30
    after = view(sandbox)
    assert ("CNAME", "www.acme.example", "acme.example", True, 1, None) in after["records"]
    assert after["settings"]["ssl"] == "strict" and after["settings"]["always_use_https"] == "on"
    assert [r[3] for r in after["rules"][CACHE]][-1] == "launch-ready: bypass the API host"
    assert "sending dns batch 1" in steps

    files = {p.name for p in (tmp_path / "c1").iterdir()}
    assert {"plan.json", "snapshot.json", "snapshot.zone", "journal.jsonl", "result.json"} <= files
    snapshot = json.loads((tmp_path / "c1" / "snapshot.json").read_text())
    assert len(snapshot["records"]) == len(before["records"])
    assert "acme.example" in (tmp_path / "c1" / "snapshot.zone").read_text()
    assert json.loads((tmp_path / "c1" / "result.json").read_text())["state"] == "applied"

    rolled = await rollback_change_set(tmp_path / "c1", client(sandbox))
    assert rolled.state == "rolled-back", rolled.message
    assert view(sandbox) == before
    [listed] = list_change_sets(tmp_path)
    assert (listed.id, listed.state, listed.verified) == ("c1", "rolled-back", False)
    assert unfinished(tmp_path) == []


async def test_dns_changes_go_in_one_batch(sandbox, tmp_path):
    seen: list = []
    sandbox.api.observer = seen.append
    outcome = await apply_plan(sprint_plan(sandbox, dns_only=True), client(sandbox), tmp_path / "c")
    assert outcome.state == "applied"
    writes = [e for e in seen if e.method != "GET"]
    assert [e.endpoint for e in writes] == ["/zones/{zone_id}/dns_records/batch"]


async def test_others_rules_in_the_phase_survive_apply_and_rollback(sandbox, tmp_path):
    plan = sprint_plan(sandbox)
    outcome = await apply_plan(plan, client(sandbox), tmp_path / "c1")
    assert outcome.state == "applied"
    zone = sandbox.world.zone_by_name("acme.example")
    with sandbox.world.lock:  # a teammate adds a rule in the dashboard after our apply
        theirs = Rule(id="theirs01", expression='(http.host eq "docs.acme.example")',
                      action="set_cache_settings", action_parameters={"cache": True}, description="docs")
        zone.rulesets[CACHE].rules.append(theirs)
        demo_rule = zone.rulesets[CACHE].rules[0]
    rolled = await rollback_change_set(tmp_path / "c1", client(sandbox))
    assert rolled.state == "rolled-back", rolled.message
    rules = zone.rulesets[CACHE].rules
    assert [(r.id, r.expression, r.action_parameters) for r in rules] == [
        (demo_rule.id, demo_rule.expression, demo_rule.action_parameters),
        ("theirs01", theirs.expression, theirs.action_parameters)]


async def test_a_zone_changed_since_the_plan_is_not_touched(sandbox, tmp_path):
    plan = sprint_plan(sandbox)
    with sandbox.world.lock:
        sandbox.world.zone_by_name("acme.example").settings["ssl"] = "full"
    before = view(sandbox)
    outcome = await apply_plan(plan, client(sandbox), tmp_path / "c1")
    assert outcome.state == "not-applied" and "setting ssl" in outcome.message
    assert view(sandbox) == before


async def test_the_journal_records_intent_before_and_done_after(sandbox, tmp_path):
    await apply_plan(sprint_plan(sandbox), client(sandbox), tmp_path / "c1")
    events = [(e["event"], e.get("step")) for e in Journal(tmp_path / "c1").entries()]
    batch = events.index(("intent", "dns batch 1"))
    assert events[batch + 1] == ("done", "dns batch 1")
    assert events[0][0] == "begin" and events[-1][0] == "end"
    created = Journal(tmp_path / "c1").created()
    assert any(key.startswith("dns CNAME www.acme.example") for key in created)
