"""Every key that works on the screen the user came from, read from its live bindings (never a
hand-kept list, so it cannot drift from what the keys really do)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from wizard.tui.widgets.title_bar import TitleBar


def binding_lines(bindings: dict[str, ActiveBinding], key_display) -> Text:
    """`key  description`, one per line, in the order the bindings were declared."""
    rows = [(key_display(ab.binding), ab.binding.description or ab.binding.action)
            for ab in bindings.values() if ab.binding.action not in ("help", "app.open_help")]
    width = max((len(k) for k, _ in rows), default=0)
    text = Text()
    for key, description in rows:
        text.append(f"{key:>{width}}", style="bold")
        text.append(f"  {description}\n")
    return text


class HelpScreen(Screen):
    DEFAULT_CSS = """
    HelpScreen #help { padding: 1 2; }
    HelpScreen .help-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, title: str, bindings: dict[str, ActiveBinding]) -> None:
        super().__init__()
        self.help_title, self.bindings = title, bindings

    def compose(self) -> ComposeResult:
        yield TitleBar(f"launch-ready · help: {self.help_title}", "esc back")
        with VerticalScroll(id="help"):
            yield Static(binding_lines(self.bindings, self.app.get_key_display))
            yield Static("Rows show a status word next to its icon: PASS, FAIL, WARN, ERROR "
                         "(the check could not run), SKIP (not applicable), TODO (a person "
                         "answers). Everything is saved as it changes.",
                         classes="help-hint", markup=False)
        yield Footer()
