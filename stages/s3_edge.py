"""Stage 3: harden the edge (DNS, SSL, Cloudflare). A public surface that is stable and hard to abuse."""

from __future__ import annotations

import asyncio

from stages.base import Check, Deliverable, ManualItem, Stage
from stages.checks.cloudflare import STAGE3_CHECKS as CLOUDFLARE_CHECKS
from stages.checks.dns_caa import CAA
from stages.checks.per_run import needs_domain
from stages.checks.web import STAGE3_CHECKS as WEB_CHECKS
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.dns import Resolution, resolve_host


@needs_domain
async def _dns_resolves(ctx: RunContext, check: Check) -> list[Finding]:
    hosts = ctx.config.target.hosts
    results = await asyncio.gather(*(resolve_host(ctx.net, h) for h in hosts))
    return [_resolves_finding(check, r) for r in results]


def _resolves_finding(check: Check, r: Resolution) -> Finding:
    evidence = r.evidence()
    if r.outcome == "ok":
        via = f" via {r.final_name}" if r.final_name != r.host else ""
        return check.finding(r.host, Status.PASS, f"{r.host} resolves{via} to {', '.join(r.addresses)}", evidence)
    if r.outcome == "nxdomain":
        if r.final_name != r.host:
            return check.finding(
                r.host, Status.FAIL,
                f"{r.host} is a CNAME to {r.final_name}, which does not exist (NXDOMAIN)", evidence,
                remediation=f"Point {r.host} at a live target or delete the record: a dangling CNAME can be taken over.",
            )
        return check.finding(
            r.host, Status.FAIL, f"{r.host} does not exist in DNS (NXDOMAIN)", evidence,
            remediation=f"Create an A/AAAA or CNAME record for {r.host}, or remove it from target.hosts.",
            fix="cf.dns-www" if r.host.startswith("www.") else "cf.dns-apex",
        )
    if r.outcome == "nodata":
        return check.finding(
            r.host, Status.FAIL, f"{r.host} exists but has no A or AAAA record (NODATA)", evidence,
            remediation=f"Add an A/AAAA record (or a CNAME) for {r.host}.",
        )
    word = "timed out" if r.outcome == "timeout" else "failed (SERVFAIL or refused)"
    return check.finding(
        r.host, Status.ERROR, f"the DNS lookup of {r.host} {word}", evidence,
        remediation="Check network.nameservers in sprint.yaml and that the nameservers answer.",
    )


DNS_RESOLVES = Check(
    id="dns.resolves", stage=3, title="Host resolves", severity=Severity.BLOCKER,
    probe=_dns_resolves,
    description="Each host in target.hosts has an A or AAAA answer, following CNAMEs.",
)

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
    checks=(DNS_RESOLVES, *WEB_CHECKS, CAA, *CLOUDFLARE_CHECKS),
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
