"""The stage's rows: status word and icon, severity, check title, subject.

Columns are sized to the pane so nothing is clipped mid-word at 80 columns; the details pane
shows the full text of the highlighted row."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from wizard.findings import SEVERITY_WORD, Finding
from wizard.sprint import Progress
from wizard.tui.widgets.status import clip, status_text

_STATUS_W, _SEVERITY_W = 7, 8
_GAP = 1  # columns are separated by one space (the cell padding would take four more)


class FindingsTable(DataTable):
    DEFAULT_CSS = """
    FindingsTable { height: auto; max-height: 60%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, cell_padding=0, **kwargs)
        self.rows_shown: list[Finding] = []
        self._progress: Progress | None = None

    def show(self, findings: list[Finding], progress: Progress, row: int) -> None:
        """Replace the rows, keeping the cursor on `row` (clamped)."""
        self.rows_shown, self._progress = findings, progress
        self._render_rows(progress, row)

    def on_resize(self) -> None:
        if self._progress is not None:
            self._render_rows(self._progress, self.cursor_row)

    def _render_rows(self, progress: Progress, row: int) -> None:
        width = max(self.scrollable_content_region.width, 40)
        subject_w = min(max((len(f.subject) for f in self.rows_shown), default=7), 24, width // 3)
        title_w = max(width - _STATUS_W - _SEVERITY_W - subject_w - 3 * _GAP, 10)
        self.clear(columns=True)
        self.add_column("status", width=_STATUS_W + _GAP)
        self.add_column("severity", width=_SEVERITY_W + _GAP)
        self.add_column("check", width=title_w + _GAP)
        self.add_column("subject", width=subject_w)
        for finding in self.rows_shown:
            decision = progress.decisions.get(finding.key)
            severity = decision.kind if decision else SEVERITY_WORD[finding.severity]
            self.add_row(
                status_text(finding.status),
                Text(clip(severity, _SEVERITY_W), style="italic" if decision else ""),
                clip(finding.title, title_w),
                clip(finding.subject, subject_w),
                key=finding.key,
            )
        if self.rows_shown:
            self.move_cursor(row=min(row, len(self.rows_shown) - 1), animate=False)

    @property
    def current(self) -> Finding | None:
        if not self.rows_shown:
            return None
        return self.rows_shown[min(self.cursor_row, len(self.rows_shown) - 1)]
