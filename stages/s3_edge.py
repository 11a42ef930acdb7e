"""Stage 3: harden the edge (DNS, SSL, Cloudflare). A public surface that is stable and hard to abuse."""

from __future__ import annotations

from stages.base import Deliverable, ManualItem, Stage

STAGE = Stage(
    number=3,
    short="Edge",
    title="Harden the edge (DNS, SSL, Cloudflare)",
    goal="Make the public surface stable and hard to abuse.",
    failure_signals=(
        "www or the apex does not resolve, or they serve different sites.",
        "http:// pages load without redirecting to https://; pages mix http:// content.",
        "The origin's address is public, so the edge can be bypassed.",
    ),
    manual=(
        ManualItem("edge.unused-records", 3,
                   "Unused DNS records and forgotten subdomains are removed",
                   "Old staging hosts and records pointing at deleted services invite takeovers."),
        ManualItem("edge.staging-private", 3,
                   "Staging and preview hosts are not publicly reachable without a login",
                   "Put them behind access control or take them off public DNS."),
    ),
    deliverables=(
        Deliverable("edge-report", "Clean DNS records, HTTPS enforced, subdomains organised"),
    ),
)
