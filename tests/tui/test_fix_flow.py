"""Fixing from the stage screen: f on a failing row -> plan review -> the zone's name -> applied,
verified, in the change log; x shows it; r there rolls it back after the zone's name again."""

from __future__ import annotations

from tests.tui.conftest import SIZE, goto_row, until
from wizard.tui.screens.changes import ChangesScreen
from wizard.tui.screens.dialogs import NoteDialog
from wizard.tui.screens.plan_review import PlanReviewScreen
from wizard.tui.screens.stage import StageScreen


async def test_fix_review_apply_and_roll_back(sprint, sandbox, open_app, monkeypatch):
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await goto_row(pilot, app, "edge.min-tls@acme.example")
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        assert app.screen.plan.fixes == ["cf.min-tls"]
        await pilot.press(*"acme.exampl", "enter")  # a typo applies nothing
        await pilot.pause()
        assert isinstance(app.screen, PlanReviewScreen)
        await pilot.press("e", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert sandbox.world.zone_by_name("acme.example").settings["min_tls_version"] == "1.2"
        assert [(c.state, c.verified) for c in app.session.progress.changes] == [("applied", True)]
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChangesScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"acme.example", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sandbox.world.zone_by_name("acme.example").settings["min_tls_version"] == "1.0"
    assert [c.state for c in sprint.load_progress().changes] == ["rolled-back"]


async def test_an_interrupted_change_set_is_shown_first(sprint, open_app):
    from datetime import UTC, datetime

    from wizard.edge.journal import Journal, write_json
    from wizard.edge.plan import Plan

    change_dir = sprint.changes_dir / "20260105-093000-dead"
    change_dir.mkdir(parents=True)
    plan = Plan(zone="acme.example", zone_id="0" * 32, fixes=["cf.min-tls"],
                created_at=datetime(2026, 1, 5, tzinfo=UTC))
    write_json(change_dir / "plan.json", plan.model_dump(mode="json", by_alias=True))
    Journal(change_dir).write("begin", action="apply")  # killed before its end line
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChangesScreen)
        assert app.screen.current.state == "unfinished"
