"""Stage 7: handover for scale. The founder keeps control."""

from stages.base import Deliverable, ManualItem, Stage
from wizard.findings import Severity

OWNERSHIP = {
    "registrar": "the domain registrar",
    "cloudflare": "Cloudflare",
    "email": "e-mail (the mail provider and its DNS records)",
    "hosting": "hosting",
    "monitoring": "monitoring and alerting",
}

STAGE = Stage(
    number=7,
    short="Handover",
    title="Handover for scale",
    goal="The founder keeps control.",
    failure_signals=(
        "Only the consultant or a former contractor can log in to the registrar or Cloudflare.",
        "Nobody knows where a credential is kept or who can rotate it.",
        "Known problems live in someone's head instead of a backlog.",
    ),
    manual=tuple(
        ManualItem(f"handover.owner-{key}", 7,
                   f"Ownership of {what} is clear",
                   "Answer with who owns the account and where its credentials are kept (names, never secrets).",
                   Severity.BLOCKER if key in ("registrar", "cloudflare") else Severity.CAN_WAIT)
        for key, what in OWNERSHIP.items()
    ) + (
        ManualItem("handover.two-admins", 7,
                   "At least two people can reach every admin console",
                   "One person's lost phone must not lock the company out."),
    ),
    deliverables=(
        Deliverable("handover", "Handover checklist", "handover.md.j2"),
        Deliverable("admin-access-map", "Admin access map", "admin-access-map.md.j2"),
        Deliverable("post-launch-backlog", "Post-launch backlog", "post-launch-backlog.md.j2"),
    ),
)
