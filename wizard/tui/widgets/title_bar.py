"""The one-line bar at the top of every screen: where am I (left), what is going on (right),
and a SHARING badge while screen-share mode masks what the screen shows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from wizard.vault import presenting


class TitleBar(Horizontal):
    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; background: $panel; }
    TitleBar > #title-left { width: 1fr; padding: 0 1; text-style: bold; }
    TitleBar > #title-right { width: auto; padding: 0 1; }
    TitleBar > #sharing { width: auto; padding: 0 1; background: $warning; color: $background;
                          text-style: bold; display: none; }
    TitleBar > #sharing.-on { display: block; }
    """

    def __init__(self, left: str, right: str = "") -> None:
        super().__init__()
        self._left, self._right = left, right

    def compose(self) -> ComposeResult:
        yield Static(self._left, id="title-left", markup=False)
        yield Static(self._right, id="title-right", markup=False)
        yield Static("SHARING", id="sharing", classes="-on" if presenting() else "")

    def show_sharing(self) -> None:
        self.query_one("#sharing").set_class(presenting(), "-on")

    def set_left(self, text: str) -> None:
        self.query_one("#title-left", Static).update(text)

    def set_right(self, text: str) -> None:
        self.query_one("#title-right", Static).update(text)
