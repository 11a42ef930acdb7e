"""What a Cloudflare token can do for this sprint, found out without changing anything.

Cloudflare's verify endpoint says whether a token is active (and when it expires), not what it
may do; so each read the checks and fixes need is tried once. Write permissions cannot be proven
without writing: they are listed as required for the fixes, and the fixes report a 403 by name.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wizard.net import NetContext

if TYPE_CHECKING:
    import cloudflare

# (dashboard permission group, what it is for), in the order Cloudflare's token form lists them
READS = [
    ("Zone · Zone · Read", "find the zone"),
    ("Zone · DNS · Read", "read DNS records"),
    ("Zone · Zone Settings · Read", "read SSL/TLS and HTTPS settings"),
    ("Zone · Dynamic Redirect · Read", "read redirect rules"),
    ("Zone · Cache Rules · Read", "read cache rules"),
    ("Zone · Bot Management · Read", "read Bot Fight Mode"),
]
LEAST_PRIVILEGE = [
    "Zone · Zone · Read",
    "Zone · DNS · Edit",
    "Zone · Zone Settings · Edit",
    "Zone · Dynamic Redirect · Edit",
    "Zone · Cache Rules · Edit",
    "Zone · Bot Management · Edit",
]
# Only when the sprint watches URLs (monitoring.urls): ops.monitoring and the fix cf.healthchecks.
MONITORING_READS = [
    ("Zone · Health Checks · Read", "read health checks (ops.monitoring)"),
    ("Account · Notifications · Read", "read notification policies (cf.healthchecks)"),
]
MONITORING_EDITS = ["Zone · Health Checks · Edit", "Account · Notifications · Edit"]
NOT_NEEDED = "not needed"  # a read the zone's plan makes pointless (no health checks on Free)
_GLOBAL_KEY = re.compile(r"^[0-9a-f]{37}$")


def reads(monitoring: bool = False) -> list[tuple[str, str]]:
    """The reads a sprint's token needs: with `monitoring`, the health-check ones too."""
    return READS + (MONITORING_READS if monitoring else [])


def looks_like_global_key(value: str) -> bool:
    """Global API Keys are 37 lower-case hex characters; API tokens are 40 of [A-Za-z0-9_-]."""
    return bool(_GLOBAL_KEY.match(value.strip()))


def token_recipe(zone: str, monitoring: bool = False) -> str:
    """The exact token to create for this sprint, in the dashboard's words."""
    permissions = LEAST_PRIVILEGE + (MONITORING_EDITS if monitoring else [])
    return ("Create a Custom Token (My Profile > API Tokens) with: " + "; ".join(permissions)
            + f"; Zone Resources: Include > Specific zone > {zone}"
            + ("; Account Resources: Include > the zone's account" if monitoring else ""))


@dataclass
class TokenReport:
    zone: str
    rejected: bool = False
    status: str | None = None  # "active", "disabled", "expired"; None when verify did not know it
    expires_on: str | None = None
    reads: dict[str, str] = field(default_factory=dict)  # permission -> "ok" | "missing" | reason

    @property
    def missing(self) -> list[str]:
        return [p for p, state in self.reads.items() if state != "ok" and not state.startswith(NOT_NEEDED)]


async def check_token(token: str, zone: str, net: NetContext, api_base_url: str | None,
                      monitoring: bool = False) -> TokenReport:
    """Verify the token, then try each read the sprint needs (about eight API calls; two more
    with `monitoring`). The SDK loads here: the credentials screen opens without it."""
    from wizard.edge.client import build_client

    client = build_client(token, net, api_base_url)
    return await asyncio.to_thread(_check, client, zone, monitoring)


def _check(client: cloudflare.Cloudflare, zone_name: str, monitoring: bool = False) -> TokenReport:
    import cloudflare

    report = TokenReport(zone=zone_name)
    try:
        verified = client.user.tokens.verify()
        if verified is not None:  # an answer without a result says nothing: the reads decide
            report.status, report.expires_on = verified.status, _text(verified.expires_on)
    except cloudflare.AuthenticationError:
        pass  # an account-owned token is unknown to the user endpoint; the reads below decide
    except cloudflare.PermissionDeniedError:
        pass
    try:
        zones = client.zones.list(name=zone_name).result
    except cloudflare.AuthenticationError:
        report.rejected = True
        return report
    except cloudflare.PermissionDeniedError:
        zones = []
    if not zones:
        report.reads = {p: "missing" if i == 0 else "not checked (no zone)"
                        for i, (p, _) in enumerate(reads(monitoring))}
        return report
    zone_id = zones[0].id
    attempts = [
        lambda: client.dns.records.list(zone_id=zone_id, per_page=5),
        lambda: client.zones.settings.get(setting_id="ssl", zone_id=zone_id),
        lambda: client.rulesets.phases.get(ruleset_phase="http_request_dynamic_redirect", zone_id=zone_id),
        lambda: client.rulesets.phases.get(ruleset_phase="http_request_cache_settings", zone_id=zone_id),
        lambda: client.bot_management.get(zone_id=zone_id),
    ]
    report.reads[READS[0][0]] = "ok"
    for (permission, _), attempt in zip(READS[1:], attempts, strict=True):
        report.reads[permission] = _try(attempt)
    if monitoring:
        zone = zones[0]
        plan = (getattr(zone.plan, "name", None) or "") if zone.plan else ""
        if plan.lower().startswith("free"):
            for permission, _ in MONITORING_READS:
                report.reads[permission] = f"{NOT_NEEDED} ({plan})"
        else:
            account = getattr(zone.account, "id", None)
            report.reads[MONITORING_READS[0][0]] = _try(lambda: client.healthchecks.list(zone_id=zone_id))
            report.reads[MONITORING_READS[1][0]] = _try(
                lambda: client.alerting.policies.list(account_id=account)) if account else "not checked (no account)"
    return report


def _try(call) -> str:
    import cloudflare

    try:
        call()
    except cloudflare.NotFoundError:
        return "ok"  # a phase never used answers 404 (10003) to a token that may read it
    except cloudflare.PermissionDeniedError:
        return "missing"
    except cloudflare.APIStatusError as exc:
        return f"not checked ({exc.status_code})"
    return "ok"


def _text(value) -> str | None:
    return None if value is None else str(value)
