"""Stage 5: observability and uptime. Know about an outage before customers do."""

from stages.base import Deliverable, ManualItem, Stage
from wizard.findings import Severity

STAGE = Stage(
    number=5,
    short="Observability",
    title="Observability and uptime",
    goal="Know about an outage before customers do.",
    failure_signals=(
        "No external uptime check hits the product and the chat endpoint.",
        "Alerts go to an inbox nobody watches at night.",
        "Nobody knows the p95 latency of a chat answer.",
    ),
    manual=(
        ManualItem("ops.external-monitor", 5,
                   "Which external monitor watches which URL, at which interval",
                   "Name the service (Uptime Kuma, Better Stack, ...), each URL and its interval; "
                   "ops.monitoring shows which a Cloudflare health check watches.",
                   Severity.BLOCKER),
        ManualItem("obs.alert-routing", 5,
                   "Alerts reach a person's phone, with a named person on call for launch week",
                   "Route to a pager or phone app, not only e-mail; say who answers.",
                   Severity.BLOCKER),
        ManualItem("ops.alert-received", 5,
                   "The test alert (ops.alert-route) arrived where the on-call person sees it",
                   "Note when it arrived and on which device; no alert after a few minutes is a no.",
                   Severity.BLOCKER),
        ManualItem("ops.log-alerts", 5,
                   "Alerts fire on repeated 401s, bursts of 5xx and spikes in model token spend",
                   "Ready-to-use rules: 401s > 50 in 5 min (or > 20 from one IP); 5xx > 1% of "
                   "requests over 5 min or > 10 in 1 min; token spend in an hour > 3x the hourly "
                   "average of the last 7 days (and a hard daily cap at the provider)."),
        ManualItem("obs.error-tracking", 5,
                   "Server errors are collected in one place with enough context to debug",
                   "An error tracker or structured logs searchable by request id."),
        ManualItem("obs.incident-checklist", 5,
                   "There is an incident checklist: who decides, where to talk, how to tell users",
                   "One page is enough; keep it next to the rollback note."),
    ),
    deliverables=(
        Deliverable("monitoring-plan", "Monitoring plan: health checks, alert routing, p95 latency",
                    "monitoring-plan.md.j2"),
        Deliverable("incident-checklist", "Incident checklist", "incident-checklist.md.j2"),
        Deliverable("monitor-workflow", "GitHub Actions workflow: smoke and uptime every 15 minutes",
                    "launch-ready-monitor.yml.j2", output="launch-ready-monitor.yml"),
    ),
)
