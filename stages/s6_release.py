"""Stage 6: production deployment and release control. Ship without heroics."""

from stages.base import Deliverable, ManualItem, Stage
from wizard.findings import Severity

STAGE = Stage(
    number=6,
    short="Release",
    title="Production deployment and release control",
    goal="Ship without heroics.",
    failure_signals=(
        "Deploying needs one particular person's laptop.",
        "Nobody has rolled back a release, so nobody knows if it works.",
        "Database changes ship without a backup that was ever restored.",
    ),
    manual=(
        ManualItem("release.repeatable-deploy", 6,
                   "A deploy is one documented command or pipeline anyone on the team can run",
                   "Write it down; run it once from a second person's machine."),
        ManualItem("release.rollback", 6,
                   "A rollback takes under 15 minutes, was tried, and is written down so someone "
                   "could follow it at midnight",
                   "Roll back a harmless release on purpose and time it; note who can run it, the "
                   "procedure (or release.rollback) and the date it was last tried.",
                   Severity.BLOCKER),
        ManualItem("release.backups-restored", 6,
                   "Database backups exist and a restore has been tested",
                   "A backup that was never restored is a hope, not a backup.",
                   Severity.BLOCKER),
    ),
    deliverables=(
        Deliverable("release-checklist", "Release checklist", "release-checklist.md.j2"),
        Deliverable("rollback-note", "Rollback note someone could follow at midnight",
                    "rollback-note.md.j2"),
    ),
)
