"""The sidebar: the seven stages with their worst status and its count, and the done bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from stages import STAGES, sprint_done
from wizard.findings import overall_status
from wizard.tui.session import Session
from wizard.tui.widgets.status import status_text

_SHORT = max(len(s.short) for s in STAGES)


def done_bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "▓" * filled + "░" * (width - filled) + f" {done}/{total}"


class StageList(Vertical):
    DEFAULT_CSS = """
    StageList { width: 27; border: round $border; border-title-color: $text; height: 1fr; }
    StageList > OptionList { border: none; height: auto; max-height: 1fr; padding: 0; }
    StageList > #done-bar { height: 1; margin-top: 1; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield OptionList(id="stage-options")
        yield Static("", id="done-bar", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Stages"

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def show(self, session: Session, current: int) -> None:
        options = self.options
        options.clear_options()
        for stage in STAGES:
            findings = session.findings(stage.number)
            worst = overall_status(findings)
            count = sum(f.status is worst for f in findings) if worst else None
            prompt = Text(f"{stage.number} {stage.short:<{_SHORT}} ")
            prompt.append_text(status_text(worst, count))
            options.add_option(Option(prompt, id=str(stage.number)))
        options.highlighted = current - 1
        done, total = sprint_done(session.progress)
        self.query_one("#done-bar", Static).update(done_bar(done, total) + " done")
