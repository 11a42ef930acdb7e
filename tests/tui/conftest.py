"""TUI fixtures: apps at the 80x24 the screens are designed for."""

from __future__ import annotations

import pytest

from wizard.sprint import Sprint
from wizard.tui.app import LaunchReadyApp

SIZE = (80, 24)


@pytest.fixture
def open_app():
    """An app on a sprint whose lock is held here, as the CLI hands it over."""

    def make(sprint: Sprint) -> LaunchReadyApp:
        sprint.locked().acquire()
        return LaunchReadyApp(sprint)

    return make


def screen_of(app: LaunchReadyApp) -> str:
    """The text of what the app shows now (the exported SVG, entities and no-break spaces undone)."""
    import html

    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def goto_row(pilot, app: LaunchReadyApp, key: str) -> None:
    """Move the stage table's cursor to the finding `key` with the arrow keys, as a user would."""
    table = app.screen.query_one("FindingsTable")
    target = [f.key for f in table.rows_shown].index(key)
    step = "down" if target > table.cursor_row else "up"
    await pilot.press(*[step] * abs(target - table.cursor_row))
    await pilot.pause()


async def until(pilot, condition, rounds: int = 2000) -> None:
    """Let the app process its messages until `condition()` holds (bounded; no timers): for a
    worker that ends by showing a screen and then waits on it."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the app never reached the expected state")
