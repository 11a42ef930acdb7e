"""Running a stage's checks from the stage screen: rows fill in as checks finish."""

from __future__ import annotations

from stages import select_checks
from tests.tui.conftest import SIZE
from wizard.findings import Status
from wizard.tui.screens.stage import StageScreen
from wizard.tui.widgets.findings_table import FindingsTable


async def test_run_stage_3_shows_dns_results(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StageScreen)
        rows = {(f.id, f.subject): f.status for f in screen.query_one(FindingsTable).rows_shown}
        assert rows[("dns.resolves", "www.acme.example")] is Status.FAIL
        assert rows[("dns.resolves", "acme.example")] is Status.PASS
        assert app.run_state == ""
        sidebar = str(screen.query_one("#stage-options").get_option_at_index(2).prompt)
        assert "✗ FAIL" in sidebar
    saved = sprint.load_progress().results
    assert saved["dns.resolves@www.acme.example"].finding.status is Status.FAIL


async def test_run_progress_is_published_per_check(sprint, open_app):
    app = open_app(sprint)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.run_progress.subscribe(app.screen, seen.append, immediate=True)
        await pilot.press("3", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
    total = len(select_checks([3]))
    headlines = [state.split("\n")[0] for state in seen]
    assert list(dict.fromkeys(headlines)) == [f"running {n}/{total}…" for n in range(total + 1)] + [""]
    # between them, each running probe on a line of its own, with the requests it has sent
    probe_lines = [line for state in seen for line in state.split("\n")[1:]]
    assert any(line.endswith("requests sent") for line in probe_lines), probe_lines
    assert all(line.startswith("  ") and ": " in line for line in probe_lines)


async def test_stage_without_checks_says_so(sprint, open_app):
    app = open_app(sprint)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("7", "r")  # the handover stage has manual items only
        await pilot.pause()
        assert not app.workers
        assert any("no automated checks" in n.message for n in app._notifications)
