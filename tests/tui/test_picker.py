"""The sprint picker: resume, start new, and a locked sprint explained in one line."""

from __future__ import annotations

from stages import sprint_done
from tests.tui.conftest import SIZE
from wizard.filelock import FileLock
from wizard.sprint import Progress, remember
from wizard.tui.app import LaunchReadyApp
from wizard.tui.screens.picker import PickerScreen
from wizard.tui.screens.setup import SetupScreen
from wizard.tui.screens.stage import StageScreen


async def test_empty_picker_explains_what_to_do(home):
    app = LaunchReadyApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "No sprints yet" in str(app.screen.query_one("#empty").content)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


async def test_picker_lists_recent_sprint_and_opens_it(sprint):
    remember(sprint, "acme")
    app = LaunchReadyApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        prompt = str(app.screen.query_one("#sprints").get_option_at_index(0).prompt)
        total = sprint_done(Progress())[1]
        assert "acme  acme.example" in prompt and f"stage 1/7 · 0/{total} done · acme" in prompt
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert app.session.sprint.root == sprint.root and app.session.sprint.is_locked_here
    FileLock(sprint.root / ".lock").acquire()  # released on quit: anyone can take it now


async def test_locked_sprint_shows_the_holder_and_stays(sprint):
    remember(sprint, "acme")
    other = FileLock(sprint.root / ".lock")
    other.acquire()
    try:
        app = LaunchReadyApp()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            error = str(app.screen.query_one("#picker-error").content)
            assert "is in use by another launch-ready" in error and "\n" not in error
    finally:
        other.release()


async def test_opening_a_locked_sprint_directly_falls_back_to_the_picker(sprint):
    other = FileLock(sprint.root / ".lock")
    other.acquire()
    try:
        app = LaunchReadyApp(sprint)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            assert "in use by another launch-ready" in str(
                app.screen.query_one("#picker-error").content)
    finally:
        other.release()


async def test_picker_help_lists_its_keys(home):
    app = LaunchReadyApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help Static").content)
        assert "New sprint" in text and "Quit" in text
