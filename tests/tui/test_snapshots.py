"""SVG snapshots of the main screens at 80x24 and 120x36 (`pytest --snapshot-update` to accept).

Nothing time- or machine-dependent is rendered: findings carry fixed evidence, sprint paths are
shown relative to the (temporary) sprints home, and cursors do not blink."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.tui.conftest import SIZE
from wizard.edge.journal import Journal, write_json
from wizard.edge.plan import Change, Plan
from wizard.findings import Finding, Severity, Status
from wizard.sprint import ChangeLogEntry, Progress, Sprint, SprintConfig, remember
from wizard.tui.app import LaunchReadyApp
from wizard.tui.screens.plan_review import PlanReviewScreen

SIZES = [SIZE, (120, 36)]
AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def resolves(subject: str, status: Status, summary: str, **extra) -> Finding:
    return Finding(id="dns.resolves", stage=3, subject=subject, title="Host resolves",
                   status=status, severity=Severity.BLOCKER, summary=summary,
                   evidence={"outcome": "ok" if status is Status.PASS else "nxdomain"}, **extra)


@pytest.fixture
def worked_sprint(home):
    """acme at stage 3 after a run (www missing) with one stage-1 item answered; nothing in it
    touches the network, so the snapshots do not depend on any server."""
    sprint = Sprint.create(home / "acme", SprintConfig.starter("acme", "acme.example"))
    progress = Progress()
    progress.record([
        resolves("acme.example", Status.PASS, "acme.example resolves to 192.0.2.10"),
        resolves("app.acme.example", Status.PASS, "app.acme.example resolves via acme.example"),
        resolves("www.acme.example", Status.FAIL, "www.acme.example does not exist in DNS (NXDOMAIN)",
                 remediation="Create an A/AAAA or CNAME record for www.acme.example.",
                 fix="cf.dns-www"),
    ], {"dns.resolves"}, at=AT)
    progress.answer("audit.deploy-map", "yes", "see docs/deploy.md")
    progress.position.stage, progress.position.row = 3, 2
    sprint.save_progress(progress)
    remember(sprint, "acme")
    return sprint


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_picker(snap_compare, worked_sprint, size):
    assert snap_compare(LaunchReadyApp(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_setup_new(snap_compare, home, size):
    app = LaunchReadyApp(new_name="books", new_domain="bücher.example")
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stage(snap_compare, worked_sprint, size):
    assert snap_compare(LaunchReadyApp(worked_sprint), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, worked_sprint, size):
    assert snap_compare(LaunchReadyApp(worked_sprint), terminal_size=size, press=["question_mark"])


PLAN = Plan(
    zone="acme.example", zone_id="0" * 32, fixes=["cf.dns-www", "cf.ssl-strict"], created_at=AT,
    changes=[
        Change(kind="dns", target="CNAME www.acme.example", before=None, fix="cf.dns-www",
               after={"type": "CNAME", "name": "www.acme.example", "content": "acme.example",
                      "proxied": True, "ttl": 1}, note="www.acme.example follows acme.example"),
        Change(kind="setting", target="ssl", before={"value": "flexible"}, after={"value": "strict"},
               fix="cf.ssl-strict", note="the origin's certificate must stay valid or visitors get 526"),
    ],
    notes=["cf.hsts was not asked for"],
)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_plan_review(snap_compare, worked_sprint, size):
    async def review(pilot):
        pilot.app.push_screen(PlanReviewScreen(PLAN))
        await pilot.pause()

    assert snap_compare(LaunchReadyApp(worked_sprint), terminal_size=size, run_before=review)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_changes(snap_compare, worked_sprint, size):
    change_dir = worked_sprint.changes_dir / "20260105-093000-ab12"
    change_dir.mkdir(parents=True)
    write_json(change_dir / "plan.json", PLAN.model_dump(mode="json", by_alias=True))
    write_json(change_dir / "result.json", {"message": "applied and verified 2 change(s)"})
    Journal(change_dir).write("end", state="applied")
    progress = worked_sprint.load_progress()
    progress.log_change(ChangeLogEntry(id=change_dir.name, fixes=PLAN.fixes, state="applied",
                                       verified=True, summary="applied and verified", at=AT))
    worked_sprint.save_progress(progress)
    assert snap_compare(LaunchReadyApp(worked_sprint), terminal_size=size, press=["x"])
