"""Stage 1: quick audit. Find the launch blockers in under half a day."""

from stages.base import Deliverable, ManualItem, Stage
from wizard.findings import Severity

STAGE = Stage(
    number=1,
    short="Quick audit",
    title="Quick audit",
    goal="Find the launch blockers in under half a day.",
    failure_signals=(
        "Nobody can list every domain, subdomain and DNS record that is live.",
        "Production settings live in someone's laptop or a dashboard nobody else can open.",
        "There is no monitoring, so the first outage report would come from a customer.",
    ),
    manual=(
        ManualItem("audit.deploy-map", 1,
                   "Every place the product runs is listed (hosting, database, model API, email, analytics)",
                   "Write down each service with its account owner and region; the deployment map is built from it.",
                   Severity.BLOCKER),
        ManualItem("audit.env-vars", 1,
                   "Production environment variables are listed, with where each one is set",
                   "List names only (never values) and the dashboard or file that sets each."),
        ManualItem("audit.launch-traffic", 1,
                   "The launch date and the expected first-week traffic are known",
                   "A rough number is enough: it sizes rate limits, model quotas and alert thresholds."),
    ),
    deliverables=(
        Deliverable("risk-list", "Risk list: must fix before launch / can wait", "risk-list.md.j2"),
        Deliverable("deployment-map", "Deployment map: DNS, subdomains, env vars, monitoring",
                    "deployment-map.md.j2"),
        Deliverable("ci-workflow", "GitHub Actions workflow: secret scan on every push, ai.* on prompt changes",
                    "launch-ready.yml.j2", output="launch-ready-ci.yml"),
    ),
)
