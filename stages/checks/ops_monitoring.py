"""ops.monitoring: which monitoring.urls a Cloudflare health check watches.

The roadmap's failure signal is customers reporting downtime before you know it, so an
unwatched URL is a blocker; it is a WARN, not a FAIL, because an external monitor this tool
cannot see may watch it (the manual item ops.external-monitor asks which one). The zone comes
from the run's one zone-state read; the health checks are one more call (zone_state's
read_healthchecks, the reader cf.healthchecks plans from), made only on a plan that has them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import cloudflare

from stages.base import Check
from stages.checks.cloudflare import Unavailable, zone_state
from stages.checks.per_run import once
from wizard.edge.client import build_client
from wizard.edge.fix_healthchecks import EXTERNAL, watch_url
from wizard.edge.zone_state import (
    PERMISSION,
    PartUnreadable,
    ZoneState,
    describe,
    has_healthchecks,
    read_healthchecks,
)
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status

ASK = "answer which external monitor watches it (ops.external-monitor)"


async def _healthchecks(ctx: RunContext, state: ZoneState) -> list[dict[str, Any]] | str:
    """The zone's health checks, or why they could not be read (once per run)."""
    async def read() -> list[dict[str, Any]] | str:
        vault = ctx.credentials
        token = vault.get("cloudflare-token")
        if token is None:  # zone_state had it; it may have gone since
            return f"could not read the zone's health checks: {vault.missing('cloudflare-token')}"
        client = build_client(token.value, ctx.net, ctx.config.cloudflare.api_base_url)
        try:
            return await read_healthchecks(client, ctx.net, state.zone_id)
        except cloudflare.PermissionDeniedError as exc:
            return f"the token lacks the {PERMISSION['healthchecks']} permission ({describe(exc)})"
        except (cloudflare.APIError, PartUnreadable, TimeoutError) as exc:
            return f"could not read the zone's health checks: {describe(exc)}"
        finally:
            client.close()
    return await once(ctx.net, "cloudflare-healthchecks", read)


def watching(checks: list[dict[str, Any]], url: str) -> dict[str, Any] | None:
    """An active HTTP(S) health check on the URL's path, for its host (Host header or address)."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    for check in checks:
        config = check.get("http_config") or {}
        hosts = {h.lower() for h in (config.get("header") or {}).get("Host", [])} | {check.get("address", "").lower()}
        if (check.get("type") in ("HTTP", "HTTPS") and not check.get("suspended")
                and config.get("path", "/") == path and host in hosts):
            return check
    return None


def _in_zone(state: ZoneState, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(r["proxied"] for r in state.host_records(host))


async def _probe(ctx: RunContext, check: Check) -> list[Finding]:
    config = ctx.config
    urls = [watch_url(config, w) for w in config.monitoring.urls]
    if not urls:
        return [check.finding(config.target.domain, Status.SKIPPED,
                              "no monitoring.urls in sprint.yaml: nothing to watch",
                              remediation="List the home page, login, key API routes and the webhook "
                                          "under monitoring.urls.")]
    state = await zone_state(ctx)
    if isinstance(state, Unavailable):
        return [state.finding(check, config.target.domain)]
    plan = state.plan.split()[0] if state.plan else "unknown"
    if not has_healthchecks(state.plan):
        return [check.finding(url, Status.WARN, f"not watched by a Cloudflare health check (none on the "
                              f"{plan} plan): {ASK}", {"url": url, "plan": state.plan},
                              f"Watch it every minute from outside: {EXTERNAL}.") for url in urls]
    checks = await _healthchecks(ctx, state)
    if isinstance(checks, str):
        return [check.finding(config.target.domain, Status.ERROR, checks,
                              remediation="Give the token the Health Checks Read permission, then re-run.")]
    findings = []
    for url in urls:
        found = watching(checks, url)
        if found:
            findings.append(check.finding(url, Status.PASS, f"watched by the Cloudflare health check "
                                          f"{found['name']} every {found.get('interval')} s",
                                          {"url": url, "healthcheck": found}))
            continue
        fixable = _in_zone(state, url)
        findings.append(check.finding(
            url, Status.WARN, f"not watched by a Cloudflare health check: {ASK}",
            {"url": url, "plan": state.plan, "healthchecks": [c["name"] for c in checks]},
            "Plan cf.healthchecks (a health check every 60 s and an e-mail alert)" if fixable else
            f"The host is not proxied by the zone: {EXTERNAL}.", "cf.healthchecks" if fixable else None))
    return findings


OPS_MONITORING = Check(
    id="ops.monitoring", stage=5, title="The monitored URLs are watched", severity=Severity.BLOCKER,
    probe=_probe,
    description="Which monitoring.urls a Cloudflare health check watches (Pro plan and higher); the "
                "others need an external monitor, asked in ops.external-monitor.")
OPS_MONITORING_CHECKS = (OPS_MONITORING,)

CHECKS = OPS_MONITORING_CHECKS  # for stages.registry
