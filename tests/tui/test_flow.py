"""A sprint created in the setup form, worked on, quit and reopened where it was left."""

from __future__ import annotations

from textual.widgets import RadioSet

from tests.tui.conftest import SIZE
from wizard.findings import Status
from wizard.sprint import Sprint
from wizard.tui.app import LaunchReadyApp
from wizard.tui.screens.stage import StageScreen
from wizard.tui.widgets.findings_table import FindingsTable


async def test_new_sprint_answer_quit_and_resume(home):
    app = LaunchReadyApp(new_name="shop", new_domain="shop.example")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert "stage 1/7" in str(app.screen.query_one("#title-right").content)
        await pilot.press("7")
        await pilot.press("down")
        table = app.screen.query_one(FindingsTable)
        item = table.current
        assert item.id == "handover.owner-cloudflare" and item.status is Status.MANUAL
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.query_one(RadioSet).has_focus
        await pilot.press("enter")  # the first choice: yes
        await pilot.press("tab", *"Dana, 1Password vault", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert table.current.status is Status.PASS
        await pilot.press("ctrl+q")

    sprint = Sprint.find("shop")
    assert sprint.config_path.parent == home / "shop"
    progress = sprint.load_progress()
    key = "handover.owner-cloudflare@shop.example"
    assert (progress.position.stage, progress.position.key) == (7, key)

    reopened = LaunchReadyApp(sprint)  # the lock was released on quit, so this can take it
    async with reopened.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reopened.screen
        assert isinstance(screen, StageScreen) and screen.stage == 7
        table = screen.query_one(FindingsTable)
        assert table.current.key == key  # answered rows sink below the open ones; the cursor follows
        assert table.current.status is Status.PASS
        details = str(screen.query_one("#details-text").content)
        assert "Answer: yes · note: Dana, 1Password vault" in details
        await pilot.press("ctrl+q")
    assert not sprint.is_locked_here
