"""The details pane: everything about the highlighted row a person needs to act on it."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.findings import SEVERITY_WORD, Finding, Status
from wizard.sprint import Progress
from wizard.tui.widgets.status import compact_evidence, status_text
from wizard.vault import screen_text


def describe(finding: Finding, progress: Progress, manual: bool) -> Text:
    text = Text.assemble(status_text(finding.status), (
        f" · {SEVERITY_WORD[finding.severity]} · {finding.id} · {finding.subject}\n", "dim"))
    text.append(finding.title + "\n", style="bold")
    if manual:
        answer = progress.manual.get(finding.id)
        if answer is None:
            text.append("Not answered yet: press m (or enter) to answer yes / no / n.a.\n")
        else:
            note = f" · note: {screen_text(answer.note)}" if answer.note else ""
            text.append(f"Answer: {answer.answer}{note}\n")
    else:
        text.append(finding.summary + "\n")
        if finding.evidence:
            text.append("Evidence: ", style="bold")
            text.append(compact_evidence(finding.evidence) + "\n")
    if finding.remediation and finding.status is not Status.PASS:
        text.append("What to do: ", style="bold")
        text.append(finding.remediation + "\n")
    if finding.fix:
        text.append("Fix: ", style="bold")
        text.append(finding.fix + "\n")
    decision = progress.decisions.get(finding.key)
    if decision:
        text.append(f"Decision: {decision.kind} · note: {screen_text(decision.note)}\n", style="italic")
    free_note = progress.notes.get(finding.key)
    if free_note:
        text.append(f"Note: {screen_text(free_note.text)}\n", style="italic")
    return text


class FindingDetails(VerticalScroll):
    DEFAULT_CSS = """
    FindingDetails { height: 1fr; min-height: 4; border-top: solid $border; }
    FindingDetails > Static { width: 1fr; }
    """

    def compose(self):
        yield Static("", id="details-text")

    def show(self, finding: Finding | None, progress: Progress, manual: bool) -> None:
        body = self.query_one("#details-text", Static)
        if finding is None:
            body.update("Nothing here yet: press r to run this stage's checks.")
        else:
            body.update(describe(finding, progress, manual))
        self.scroll_home(animate=False)
