"""Every key that works on the screen the user came from, read from its live bindings (never a
hand-kept list, so it cannot drift from what the keys really do)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer, Static

from wizard.tui.widgets.title_bar import TitleBar

_RANK = {"On this screen": 0, "Everywhere": 1}


def section_name(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Everywhere"
    if isinstance(node, Screen):
        return "On this screen"
    return f"In the focused {type(node).__name__}"


def _declared_by(node: DOMNode, binding: Binding) -> bool:
    """Declared by the node's own class (not inherited from Screen or the widget base)."""
    return any(getattr(b, "key", b[0] if isinstance(b, tuple) else None) == binding.key
               for b in type(node).__dict__.get("BINDINGS", []))


def binding_lines(bindings: dict[str, ActiveBinding], key_display) -> Text:
    """`key  description` grouped by where the key works: this screen first, then everywhere,
    then the focused widget's own keys."""
    sections: dict[str, list[tuple[str, str]]] = {}
    own_first = sorted(bindings.values(), key=lambda a: not _declared_by(a.node, a.binding))
    for active in own_first:
        binding = active.binding
        if binding.action not in ("help", "app.open_help"):
            rows = sections.setdefault(section_name(active.node), [])
            rows.append((key_display(binding), binding.description or binding.action))
    order = sorted(sections, key=lambda name: _RANK.get(name, len(_RANK)))
    width = max((len(k) for rows in sections.values() for k, _ in rows), default=0)
    text = Text()
    for name in order:
        text.append(f"{name}\n", style="bold underline")
        for key, description in sections[name]:
            text.append(f"  {key:>{width}}", style="bold")
            text.append(f"  {description}\n")
        text.append("\n")
    return text


class HelpScreen(Screen):
    DEFAULT_CSS = """
    HelpScreen #help { padding: 1 2; }
    HelpScreen .help-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit", show=False),
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
