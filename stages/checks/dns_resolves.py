"""dns.resolves: each host in target.hosts has an address, following CNAMEs (stage 3)."""

from __future__ import annotations

import asyncio

from stages.base import Check
from stages.checks.per_run import needs_domain
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

CHECKS = (DNS_RESOLVES,)
