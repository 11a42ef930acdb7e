"""Stage 2: fix core auth and secret handling. Stop obvious data leaks before traffic arrives."""

from stages.base import Deliverable, ManualItem, Stage
from wizard.findings import Severity

STAGE = Stage(
    number=2,
    short="Auth/secrets",
    title="Fix core auth and secret handling",
    goal="Stop obvious data leaks before traffic arrives.",
    failure_signals=(
        "An API key for the model provider ships in the browser bundle or sits in the repository.",
        "One user can read another user's chats by changing an id in a request.",
        "Admin pages are hidden rather than protected.",
    ),
    manual=(
        ManualItem("auth.secret-inventory", 2,
                   "Every secret is listed with its owner and a rotation plan",
                   "Model API keys, database, payments, email, webhooks: name, owner, where it is stored, when it rotates.",
                   Severity.BLOCKER),
        ManualItem("auth.leaked-rotated", 2,
                   "Every key that was ever committed, pasted or shared has been rotated",
                   "Rotate first, then remove it from history; a key in git history is a leaked key.",
                   Severity.BLOCKER),
        ManualItem("auth.secrets-rotated", 2,
                   "Every secret in the secret inventory has been rotated",
                   "Answer with the date in the note once each key the scan found is replaced at its "
                   "provider; the secret inventory shows this answer.",
                   Severity.BLOCKER),
    ),
    deliverables=(
        Deliverable("secret-inventory", "Secret inventory with rotation plan", "secret-inventory.md.j2"),
        Deliverable("authz-results", "Basic authorization test results", "authz-results.md.j2"),
    ),
)
