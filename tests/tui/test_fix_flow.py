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


async def test_rate_limit_thresholds_are_edited_from_the_plan_review(sprint, sandbox, open_app, monkeypatch):
    """ctrl+t in the review of cf.rate-limit: the thresholds (validated as sprint.yaml is),
    saved, and the plan made again with them; nothing is applied until the zone's name."""
    from wizard.tui.screens.plan_review import RateLimitDialog, plan_text

    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_fix(["cf.rate-limit"])
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        assert "10 requests per 10 s" in str(plan_text(app.screen.plan))
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RateLimitDialog)
        dialog.query_one("#requests").value = ""
        await pilot.press(*"0", "enter")
        await pilot.pause()
        assert "greater than or equal to 1" in str(dialog.query_one(".dialog-error").content)
        dialog.query_one("#requests").value = ""
        await pilot.press(*"25", "enter")
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen)
                    and "25 requests per 10 s" in str(plan_text(app.screen.plan)))
        assert sprint.load_config().cloudflare.rate_limit.requests_per_period == 25
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    assert not sprint.load_progress().changes  # reviewed, never applied
    assert not sandbox.world.zone_by_name("acme.example").rulesets.get("http_ratelimit")
