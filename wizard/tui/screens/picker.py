"""The sprint picker: resume a recent sprint or start a new one.

Paths are shown relative to the sprints home when they live there, so the list reads the same on
every machine. A sprint that cannot be opened (locked, corrupt) says why in one line and the
picker stays."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from wizard.errors import LaunchReadyError
from wizard.sprint import RecentEntry, Sprint, recent_sprints, sprints_home
from wizard.tui.session import sprint_summary
from wizard.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from textual import getters

    from wizard.tui.app import LaunchReadyApp

EMPTY = (
    "No sprints yet.\n\n"
    "Press n to start one: you give it a name and the product's domain, then check the hosts "
    "and pages it should look at. Everything is saved in a sprint folder you can resume "
    "tomorrow.\n\nFrom a shell: launch-ready new NAME --domain DOMAIN"
)


def shown_path(path: str) -> str:
    """Relative to the sprints home when inside it (no machine-specific prefix on screen)."""
    home = sprints_home().expanduser().resolve()
    try:
        return str(Path(path).relative_to(home))
    except ValueError:
        return path


def entry_prompt(entry: RecentEntry) -> Text:
    sprint = Sprint(Path(entry.path))
    text = Text(entry.name, style="bold")
    try:
        config, progress = sprint.load_config(), sprint.load_progress()
        text.append(f"  {config.target.domain}\n")
        text.append(f"  {sprint_summary(progress)} · {shown_path(entry.path)}", style="dim")
    except LaunchReadyError as exc:
        text.append(f"\n  cannot be read: {exc}", style="red")
    return text


class PickerScreen(Screen):
    if TYPE_CHECKING:  # self.app is the LaunchReadyApp (textual's typed-app getter, types only:
        app = getters.app(LaunchReadyApp)  # a runtime one would import wizard.tui.app circularly)

    DEFAULT_CSS = """
    PickerScreen #picker { padding: 1 2; }
    PickerScreen #heading { text-style: bold; margin-bottom: 1; }
    PickerScreen #sprints { height: auto; max-height: 1fr; }
    PickerScreen #empty { color: $text-muted; }
    PickerScreen #picker-error { color: $error; height: auto; margin-top: 1; }
    """
    BINDINGS = [
        Binding("n", "new", "New sprint"),
        Binding("question_mark", "app.open_help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar("launch-ready", "pick a sprint")
        with Vertical(id="picker"):
            yield Static("Resume a sprint (enter) or start a new one (n)", id="heading")
            yield OptionList(id="sprints")
            yield Static(EMPTY, id="empty", markup=False)
            yield Static("", id="picker-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.entries: list[RecentEntry] = []
        try:
            self.entries = recent_sprints()
        except LaunchReadyError as exc:
            self.show_error(str(exc))
        options = self.query_one("#sprints", OptionList)
        for entry in self.entries:
            options.add_option(Option(entry_prompt(entry)))
        options.add_option(Option(Text("+ new sprint", style="bold"), id="new"))
        self.query_one("#empty").display = not self.entries
        options.highlighted = 0
        options.focus()

    def show_error(self, message: str) -> None:
        self.query_one("#picker-error", Static).update(f"✗ {message}")

    @on(OptionList.OptionSelected, "#sprints")
    def action_open(self) -> None:
        options = self.query_one("#sprints", OptionList)
        index = options.highlighted
        if index is None:
            return
        if index >= len(self.entries):
            self.action_new()
            return
        try:
            self.app.open_sprint(Sprint(Path(self.entries[index].path)))
        except LaunchReadyError as exc:
            self.show_error(str(exc))

    def action_new(self) -> None:
        self.app.open_new_sprint()
