"""SVG snapshots of the main screens at 80x24 and 120x36 (`pytest --snapshot-update` to accept).

Nothing time- or machine-dependent is rendered: findings carry fixed evidence, sprint paths are
shown relative to the (temporary) sprints home, and cursors do not blink."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.tui.conftest import SIZE
from wizard.findings import Finding, Severity, Status
from wizard.sprint import Progress, Sprint, SprintConfig, remember
from wizard.tui.app import LaunchReadyApp

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
