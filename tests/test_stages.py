"""The roadmap catalogue: seven stages, stable ids, manual answers read as findings."""

from __future__ import annotations

import re

import pytest

from stages import STAGES, get_stage, manual_findings, select_checks
from wizard.errors import UsageError
from wizard.findings import Status
from wizard.sprint import Progress, SprintConfig

ID = re.compile(r"^[a-z0-9-]+\.[a-z0-9.-]+$")


def test_seven_stages_in_roadmap_order():
    assert [s.number for s in STAGES] == [1, 2, 3, 4, 5, 6, 7]
    assert [s.short for s in STAGES] == [
        "Quick audit", "Auth/secrets", "Edge", "Abuse paths", "Observability", "Release", "Handover"]
    for stage in STAGES:
        assert stage.goal and stage.failure_signals and stage.manual and stage.deliverables
        assert len(stage.short) <= 14  # fits the sidebar at 80 columns


def test_ids_are_stable_dotted_and_unique():
    ids = [c.id for s in STAGES for c in s.checks] + [m.id for s in STAGES for m in s.manual]
    assert len(ids) == len(set(ids))
    assert all(ID.match(i) for i in ids), [i for i in ids if not ID.match(i)]
    for stage in STAGES:
        assert all(c.stage == stage.number for c in stage.checks)
        assert all(m.stage == stage.number for m in stage.manual)


def test_ownership_questions_ask_who_and_where():
    handover = get_stage(7)
    registrar = next(m for m in handover.manual if m.id == "handover.owner-registrar")
    assert "registrar" in registrar.question and "who" in registrar.help and "where" in registrar.help
    assert [d.template for d in handover.deliverables] == [
        "handover.md.j2", "admin-access-map.md.j2", "post-launch-backlog.md.j2"]


def test_manual_answers_become_findings():
    config = SprintConfig.starter("acme", "acme.example")
    progress = Progress()
    progress.answer("audit.deploy-map", "no", "hosting unknown")
    progress.answer("audit.env-vars", "yes", "")
    progress.answer("audit.launch-traffic", "n/a", "")
    found = {f.id: f for f in manual_findings(config, progress, [1])}
    assert found["audit.deploy-map"].status is Status.FAIL and found["audit.deploy-map"].is_blocker
    assert found["audit.deploy-map"].summary == "Answered no: hosting unknown"
    assert found["audit.env-vars"].status is Status.PASS
    assert found["audit.launch-traffic"].status is Status.SKIPPED
    unanswered = manual_findings(config, Progress(), [2])
    assert {f.status for f in unanswered} == {Status.MANUAL}


def test_selecting_checks():
    assert [c.id for c in select_checks([3])][0] == "dns.resolves"
    assert {"email.spf", "email.dmarc", "email.dkim"} <= {c.id for c in select_checks([1])}
    assert [c.id for c in select_checks([2])] == [
        "secrets.public-env-prefix", "auth.token-in-local-storage", "auth.protected-routes",
        "auth.bola", "auth.admin-routes", "auth.mass-assignment", "auth.account-takeover",
        "auth.user-enumeration", "auth.data-exposure", "logs.sensitive-payloads"]
    with pytest.raises(UsageError, match="no stage 0"):
        select_checks([0])


def test_done_counts_checks_that_ran_and_answered_items():
    from stages import sprint_done, stage_done
    from wizard.findings import Finding, Severity

    progress = Progress()
    total = len(get_stage(3).checks) + len(get_stage(3).manual)
    assert stage_done(progress, 3) == (0, total)
    ran = Finding(id="dns.resolves", stage=3, subject="acme.example", title="t",
                  status=Status.FAIL, severity=Severity.BLOCKER, summary="s")
    progress.record([ran], {"dns.resolves"})
    progress.answer("edge.unused-records", "yes", "")
    assert stage_done(progress, 3) == (2, total)
    done, total = sprint_done(progress)
    assert done == 2 and total == sum(len(s.checks) + len(s.manual) for s in STAGES)
