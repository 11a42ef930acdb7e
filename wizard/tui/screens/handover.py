"""Handover preview: the deliverables as they would be written, and a key to write them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static, TabbedContent, TabPane

from wizard.errors import LaunchReadyError
from wizard.tui.session import Session
from wizard.tui.widgets.title_bar import TitleBar
from wizard.vault import screen_text


class HandoverScreen(Screen):
    DEFAULT_CSS = """
    HandoverScreen #handover-status { height: auto; padding: 0 1; color: $success; }
    HandoverScreen #handover-status.-error { color: $error; }
    HandoverScreen TabbedContent { height: 1fr; }
    """
    BINDINGS = [
        Binding("w", "write", "Write to reports/"),
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        # here, not at the top: the templates and report builders are not needed for the first frame
        from wizard.application.deliverables import render_deliverables

        cfg = self.session.config
        yield TitleBar(f"launch-ready · {cfg.name} · handover preview", "w write · esc back")
        yield Static("Preview: nothing is written until you press w.", id="handover-status",
                     markup=False)
        try:
            documents = render_deliverables(cfg, self.session.progress)
        except Exception as exc:  # a template problem must read as one line, not a traceback
            yield Static(f"✗ The deliverables could not be rendered: {type(exc).__name__}: {exc}",
                         markup=False)
            documents = {}
        with TabbedContent():
            for name, markdown in documents.items():
                with TabPane(name):
                    with VerticalScroll():
                        yield Markdown(screen_text(markdown))
        yield Footer()

    def action_write(self) -> None:
        from wizard.application.deliverables import write_deliverables

        status = self.query_one("#handover-status", Static)
        try:
            paths = write_deliverables(self.session)
        except (LaunchReadyError, OSError) as exc:
            status.add_class("-error")
            status.update(f"✗ Not written: {exc}")
            return
        status.remove_class("-error")
        where = self.session.sprint.reports_dir
        status.update(f"✓ Wrote {len(paths)} files to {where}: {', '.join(p.name for p in paths)}")
        self.notify(f"Handover written to {where}")
