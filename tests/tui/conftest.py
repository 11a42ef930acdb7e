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
