"""The applied change sets: when, which fixes, how each ended and whether it verified; roll one
back (after typing the zone's name), or finish or roll back one that was interrupted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from wizard.application.fixes import ChangeSet, change_sets
from wizard.tui.screens.dialogs import NoteDialog
from wizard.tui.session import Session
from wizard.tui.widgets.title_bar import TitleBar
from wizard.vault import screen_text

if TYPE_CHECKING:
    from textual import getters

    from wizard.tui.app import LaunchReadyApp

STATE_WORD = {"applied": "✓ APPLIED", "rolled-back": "↺ ROLLED BACK", "not-applied": "- NOT APPLIED",
              "rollback-failed": "✗ ROLLBACK FAILED", "unfinished": "! UNFINISHED"}


class ChangesScreen(Screen):
    if TYPE_CHECKING:  # self.app is the LaunchReadyApp (textual's typed-app getter, types only:
        app = getters.app(LaunchReadyApp)  # a runtime one would import wizard.tui.app circularly)

    DEFAULT_CSS = """
    ChangesScreen DataTable { height: auto; max-height: 60%; margin: 1 1 0 1; }
    ChangesScreen #change-details { height: 1fr; padding: 1 2; }
    """
    BINDINGS = [
        Binding("r", "rollback", "Roll back"),
        Binding("f", "finish", "Finish interrupted"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.change_sets: list[ChangeSet] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(f"launch-ready · {self.session.config.name} · Cloudflare changes", "esc back")
        yield DataTable(cursor_type="row", id="change-sets")
        yield Static("", id="change-details", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("change set", "state", "verified", "fixes")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.change_sets = change_sets(self.session.sprint)
        table = self.query_one(DataTable)
        table.clear()
        for change in self.change_sets:
            verified = {True: "✓ yes", False: "✗ no", None: "–"}[self._verified(change)]
            table.add_row(change.id, STATE_WORD.get(change.state, change.state), verified,
                          ", ".join(change.fixes), key=change.id)
        self._details()

    def _verified(self, change: ChangeSet) -> bool | None:
        entry = next((c for c in self.session.progress.changes if c.id == change.id), None)
        return entry.verified if entry else None

    def on_data_table_row_highlighted(self) -> None:
        self._details()

    @property
    def current(self) -> ChangeSet | None:
        if not self.change_sets:
            return None
        return self.change_sets[min(self.query_one(DataTable).cursor_row, len(self.change_sets) - 1)]

    def _details(self) -> None:
        change = self.current
        body = self.query_one("#change-details", Static)
        if change is None:
            body.update("No Cloudflare change yet: press f on a failing check with a fix.")
            return
        body.update(screen_text(f"{change.id} · {change.state}\n{change.summary}\n\n"
                                f"Snapshot and journal: changes/{change.id}/ in the sprint folder"))

    def _confirm(self, verb: str, change: ChangeSet, then) -> None:
        zone = self.session.zone
        dialog = NoteDialog(f"{verb} {change.id}", f"This changes the live zone. Type {zone} to go on.")
        self.app.push_screen(dialog, lambda typed: then() if typed and typed.strip().lower() == zone
                             else self.notify("Nothing done: the zone name did not match."))

    def action_rollback(self) -> None:
        change = self.current
        if change is None or change.state not in ("applied", "unfinished", "rollback-failed"):
            self.notify("Pick an applied or interrupted change set to roll back.")
            return
        self._confirm("Roll back", change, lambda: self.app.start_change("rollback", change.id))

    def action_finish(self) -> None:
        change = self.current
        if change is None or change.state != "unfinished":
            self.notify("Only an interrupted change set can be finished.")
            return
        self._confirm("Finish", change, lambda: self.app.start_change("finish", change.id))
