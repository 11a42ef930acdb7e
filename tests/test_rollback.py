"""Rollback of an applied change set: an object changed since is a conflict named in the
refusal; --force restores the snapshot anyway."""

from __future__ import annotations

import pytest

from tests.edge_plans import client, sprint_plan, view
from wizard.edge.apply import apply_plan
from wizard.edge.rollback import RollbackConflict, rollback_change_set


async def test_rollback_refuses_a_changed_object_and_force_restores(sandbox, tmp_path):
    before = view(sandbox)
    assert (await apply_plan(sprint_plan(sandbox), client(sandbox), tmp_path / "c1")).state == "applied"
    with sandbox.world.lock:  # someone sets ssl to full in the dashboard
        sandbox.world.zone_by_name("acme.example").settings["ssl"] = "full"
    changed = view(sandbox)
    with pytest.raises(RollbackConflict) as refused:
        await rollback_change_set(tmp_path / "c1", client(sandbox))
    assert refused.value.objects == ["setting ssl"]
    assert "setting ssl" in str(refused.value)
    assert view(sandbox) == changed  # nothing written
    outcome = await rollback_change_set(tmp_path / "c1", client(sandbox), force=True)
    assert outcome.state == "rolled-back", outcome.message
    assert view(sandbox) == before


async def test_a_changed_record_is_a_conflict(sandbox, tmp_path):
    assert (await apply_plan(sprint_plan(sandbox), client(sandbox), tmp_path / "c1")).state == "applied"
    zone = sandbox.world.zone_by_name("acme.example")
    with sandbox.world.lock:
        www = next(r for r in zone.records.values() if r.name == "www.acme.example")
        www.proxied = False
    with pytest.raises(RollbackConflict) as refused:
        await rollback_change_set(tmp_path / "c1", client(sandbox))
    assert refused.value.objects == ["dns CNAME www.acme.example"]
