"""The stage screen, where users live: where am I, what is wrong, what do I do next.

Every change (answer, decision, note, stage, row) is saved through the Session as it happens.
Check runs belong to the App (see app.start_run), so leaving this screen never kills one; the
screen just redraws whenever the App publishes run progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static

from stages import STAGES, get_stage, is_manual, manual_item
from wizard.application.fixes import asked_fixes
from wizard.errors import LaunchReadyError
from wizard.sprint import Progress
from wizard.tui.screens.dialogs import AnswerDialog, Dialog, NoteDialog
from wizard.tui.session import Session, needs_attention
from wizard.tui.widgets.details import FindingDetails
from wizard.tui.widgets.findings_table import FindingsTable
from wizard.tui.widgets.stage_list import StageList
from wizard.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from textual import getters

    from wizard.tui.app import LaunchReadyApp

T = TypeVar("T")


class StageScreen(Screen):
    if TYPE_CHECKING:  # self.app is the LaunchReadyApp (textual's typed-app getter, types only:
        app = getters.app(LaunchReadyApp)  # a runtime one would import wizard.tui.app circularly)

    DEFAULT_CSS = """
    StageScreen #main { border: round $primary; border-title-color: $text; border-title-style: bold;
                        height: 1fr; width: 1fr; }
    StageScreen #goal { color: $text-muted; height: auto; padding: 0 1; }
    StageScreen #run-state { height: auto; max-height: 6; padding: 0 1; color: $warning; }
    StageScreen #run-state.-idle { display: none; }
    """
    BINDINGS = [
        Binding("r", "run", "Run"),
        Binding("a", "decide('accepted-risk')", "Accept risk"),
        Binding("d", "decide('deferred')", "Defer"),
        Binding("m", "answer", "Answer"),
        Binding("n", "note", "Note"),
        Binding("s", "setup", "Setup", show=False),
        Binding("h", "handover", "Handover preview", show=False),
        Binding("c", "credentials", "Credentials", show=False),
        Binding("f", "fix", "Fix"),
        Binding("F", "fix_all", "Fix all", show=False),
        Binding("x", "changes", "Cloudflare changes", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit", show=False),
        *(Binding(str(s.number), f"show_stage({s.number})", f"Stage {s.number}: {s.short}",
                  show=False) for s in STAGES),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.stage = session.progress.position.stage

    def compose(self) -> ComposeResult:
        yield TitleBar(self._title())
        with Horizontal():
            yield StageList()
            with Vertical(id="main"):
                yield Static("", id="goal", markup=False)
                yield Static("", id="run-state", classes="-idle", markup=False)
                yield FindingsTable(id="findings")
                yield FindingDetails()
        yield Footer()

    def on_mount(self) -> None:
        self.app.run_progress.subscribe(self, self._run_changed)
        self.refresh_view(row=self._saved_row())
        self.query_one(FindingsTable).focus()

    def _run_changed(self, state: str) -> None:
        """A finished check changes the rows (the headline's count); a request only the lines of
        running probes, so the table is left alone then."""
        headline = state.split("\n")[0]
        if headline != getattr(self, "_headline", None):
            self._headline = headline
            self.refresh_view()
        else:
            self._show_run_state(state)

    def _show_run_state(self, running: str) -> None:
        state = self.query_one("#run-state", Static)
        state.update(running)
        state.set_class(not running, "-idle")
        headline = running.split("\n")[0]
        self.query_one(TitleBar).set_right(
            f"stage {self.stage}/{len(STAGES)}" + (f" · {headline}" if running else ""))

    def _saved_row(self) -> int:
        """The row the user left: by its finding key, else by its index."""
        position = self.session.progress.position
        keys = [f.key for f in self.session.findings(self.stage)]
        return keys.index(position.key) if position.key in keys else position.row

    def on_screen_resume(self) -> None:
        self.query_one(TitleBar).set_left(self._title())
        self.refresh_view()

    def _title(self) -> str:
        cfg = self.session.config
        return f"launch-ready · {cfg.name} · {cfg.target.domain}"

    # ------------------------------------------------------------ drawing

    def refresh_view(self, row: int | None = None) -> None:
        """Redraw from the Session: sidebar, table (cursor kept), details, run state."""
        stage = get_stage(self.stage)
        table = self.query_one(FindingsTable)
        findings = self.session.findings(self.stage)
        if row is None:  # stay on the same finding while rows arrive or move
            current = table.current
            keys = [f.key for f in findings]
            row = keys.index(current.key) if current and current.key in keys else table.cursor_row
        main = self.query_one("#main")
        main.border_title = f"{stage.number} {stage.title}"
        self.query_one("#goal", Static).update(stage.goal)
        self.query_one(StageList).show(self.session, self.stage)
        table.show(findings, self.session.progress, row)
        self._show_run_state(self.app.run_state)
        self._show_details()

    def _show_details(self) -> None:
        finding = self.query_one(FindingsTable).current
        manual = finding is not None and is_manual(finding)
        self.query_one(FindingDetails).show(finding, self.session.progress, manual)

    @on(DataTable.RowHighlighted)
    def _row_moved(self) -> None:
        self._show_details()
        table = self.query_one(FindingsTable)
        current = table.current
        self._save(row=table.cursor_row, key=current.key if current else None)

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        finding = self.query_one(FindingsTable).current
        if finding is not None and is_manual(finding):
            self.action_answer()
        else:
            self.query_one(FindingDetails).focus()

    @on(OptionList.OptionHighlighted, "#stage-options")
    def _sidebar_moved(self, event: OptionList.OptionHighlighted) -> None:
        # Redrawing the sidebar highlights options too; only the user's moves switch stages.
        if event.option.id is None:  # every stage option has its number as id
            return
        number = int(event.option.id)
        if event.option_list.has_focus and number != self.stage:
            self.action_show_stage(number)

    # ------------------------------------------------------------ saving

    def _save(self, **position) -> None:
        try:
            self.session.set_position(**position)
        except LaunchReadyError as exc:
            self.notify(str(exc), severity="error")

    def _commit(self, change: Callable[[Progress], None]) -> None:
        """Apply a change to progress, save it, redraw; a save failure is one line."""
        try:
            change(self.session.progress)
            self.session.save()
        except (LaunchReadyError, ValueError) as exc:
            self.notify(str(exc).splitlines()[0], severity="error")
        self.refresh_view()

    def _ask(self, dialog: Dialog[T], apply: Callable[[Progress, T], None]) -> None:
        """Show a dialog; unless cancelled, apply its result to progress and save."""

        def done(result: T | None) -> None:
            if result is not None:
                self._commit(lambda progress: apply(progress, result))

        self.app.push_screen(dialog, done)

    # ------------------------------------------------------------ actions

    def action_show_stage(self, number: int) -> None:
        """Switch stages (keys 1-7, the sidebar, or the command palette)."""
        self.stage = number
        self._save(stage=number, row=0)
        self.refresh_view(row=0)

    def action_run(self) -> None:
        self.app.start_run(self.stage)

    def action_decide(self, kind: str) -> None:
        finding = self.query_one(FindingsTable).current
        if finding is None or not needs_attention(finding):
            self.notify("Nothing to decide here: pick a failing, warning or unanswered row.")
            return
        verb = "Accept the risk of" if kind == "accepted-risk" else "Defer"
        existing = self.session.progress.decisions.get(finding.key)
        dialog = NoteDialog(
            f"{verb}: {finding.title}",
            f"{finding.label()} {finding.subject}. Why is this {kind.replace('-', ' ')}? "
            "The note goes into the handover.",
            existing.note if existing else "",
        )
        self._ask(dialog, lambda p, note: p.decide(finding.key, kind, note))

    def action_answer(self) -> None:
        finding = self.query_one(FindingsTable).current
        if finding is None or not is_manual(finding):
            self.notify("Only manual items (TODO rows) are answered; use a or d for checks.")
            return
        item = manual_item(finding.id)
        current = self.session.progress.manual.get(item.id)
        dialog = AnswerDialog(item.question, item.help, current.answer if current else None,
                              current.note if current else "")
        self._ask(dialog, lambda p, result: p.answer(item.id, *result))

    def action_note(self) -> None:
        """Edit the row's note: its decision's or answer's when it has one, else a free note."""
        finding = self.query_one(FindingsTable).current
        if finding is None:
            return
        progress = self.session.progress
        decision = progress.decisions.get(finding.key)
        answer = progress.manual.get(finding.id) if is_manual(finding) else None
        if decision is not None:
            self._ask(NoteDialog("Note", f"{decision.kind}: {finding.title}", decision.note),
                      lambda p, note: p.decide(finding.key, decision.kind, note))
        elif answer is not None:
            self._ask(NoteDialog("Note", f"answered {answer.answer}: {finding.title}",
                                 answer.note, required=False),
                      lambda p, note: p.answer(finding.id, answer.answer, note))
        elif is_manual(finding):
            self.action_answer()
        else:
            note = progress.notes.get(finding.key)
            self._ask(NoteDialog("Note", f"{finding.label()} {finding.title} · {finding.subject}. "
                                 "An empty note removes it.", note.text if note else "", required=False),
                      lambda p, text: p.note(finding.key, text))

    def action_setup(self) -> None:
        self.app.open_setup()

    def action_handover(self) -> None:
        self.app.open_handover()

    def action_credentials(self) -> None:
        self.app.open_credentials()

    def action_changes(self) -> None:
        self.app.open_changes()

    def action_fix(self) -> None:
        """Plan the highlighted row's Cloudflare fix, review it, apply it."""
        finding = self.query_one(FindingsTable).current
        if finding is None or not finding.fix:
            self.notify("This row has no Cloudflare fix; F fixes everything the checks ask for.")
            return
        self.app.start_fix([finding.fix])

    def action_fix_all(self) -> None:
        fixes = asked_fixes(self.session.progress)
        if not fixes:
            self.notify("No failing check asks for a Cloudflare fix (run the checks first: r).")
            return
        self.app.start_fix(fixes)

    def action_help(self) -> None:
        self.app.open_help()
