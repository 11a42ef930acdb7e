"""The open sprint: its store, config, and the one Progress object every screen edits.

Screens never load or save files themselves; they go through the Session so that a live check
run and a manual answer typed meanwhile update the same Progress and nothing is lost.
"""

from __future__ import annotations

from stages import STAGES, sprint_done, sprint_findings
from wizard.application.open_sprint import OpenSprint
from wizard.findings import Finding
from wizard.sprint import Progress, Sprint, remember
from wizard.vault import screen_text


class Session(OpenSprint):
    """The application layer's open sprint, held for the app's life, plus what screens show."""

    @classmethod
    def open(cls, sprint: Sprint) -> Session:
        """Hold the sprint's lock (unless this process already does) and load it.

        Raises SprintLocked / SprintFileError (one-line messages); the lock is not kept then."""
        acquired = not sprint.is_locked_here
        if acquired:
            sprint.locked().acquire()
        try:
            session = cls(sprint, sprint.load_config(), sprint.load_progress())
            remember(sprint, session.name)
        except BaseException:
            if acquired:
                sprint.locked().release()
            raise
        return session

    def close(self) -> None:
        self.sprint.locked().release()

    def findings(self, stage: int) -> list[Finding]:
        """What the stage table shows: what needs doing first (failures, errors, warnings, then
        questions to answer, then what passed), masked for the screen (more so while sharing)."""
        rows = [f for f in sprint_findings(self.config, self.progress) if f.stage == stage]
        rows.sort(key=lambda f: f.rank)  # stable: check order kept within
        return [f.masked(screen_text) for f in rows]

    def set_position(self, stage: int | None = None, row: int | None = None,
                     key: str | None = None) -> None:
        """Remember where the user is; saved at once so reopening lands on the same row."""
        position = self.progress.position
        new = (position.stage if stage is None else stage, position.row if row is None else row, key)
        if new != (position.stage, position.row, position.key):
            position.stage, position.row, position.key = new
            self.save()


def sprint_summary(progress: Progress) -> str:
    """`stage 3/7 · 9/21 done`: the picker's one-line state of a sprint."""
    done, total = sprint_done(progress)
    return f"stage {progress.position.stage}/{len(STAGES)} · {done}/{total} done"


def needs_attention(finding: Finding) -> bool:
    """Findings a decision (accept risk / defer) makes sense for."""
    return finding.needs_decision

