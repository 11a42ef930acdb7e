"""The zone state the edge checks judge, read in as few API calls as Cloudflare allows.

One zone lookup, then concurrently: every page of DNS records, the five zone settings that
matter for HTTPS (per-setting endpoints only: the bulk one is retired), and bot management. A
part the token may not read is recorded as unreadable (the checks that need it say so); a
rejected token or a missing zone stops the whole read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeVar

import cloudflare
from cloudflare import Cloudflare
from cloudflare.pagination import V4PagePaginationArrayResultInfo

from wizard.edge.client import call
from wizard.net import NetContext

SETTINGS = ("ssl", "always_use_https", "min_tls_version", "automatic_https_rewrites",
            "security_header")
PER_PAGE = 5000
HC_PER_PAGE = 50
MAX_RECORD_PAGES = 20  # 100,000 records: far past any launch zone, and a bound on the loop
PROXIABLE = frozenset({"A", "AAAA", "CNAME"})

# The permission group each part needs (named in findings when the token lacks it).
PERMISSION = {"zone": "Zone Read", "records": "DNS Read", "settings": "Zone Settings Read",
              "bot_management": "Bot Management Read", "healthchecks": "Health Checks Read",
              "policies": "Notifications Read", "dnssec": "Zone Settings Read"}
HEALTHCHECK_FIELDS = ("id", "name", "description", "address", "type", "interval", "retries", "timeout",
                      "consecutive_fails", "consecutive_successes", "check_regions", "suspended",
                      "http_config")  # all but what Cloudflare sets (status, failure_reason, dates)
POLICY_FIELDS = ("id", "name", "description", "alert_type", "enabled", "mechanisms", "filters")


class ZoneStateError(Exception):
    """The zone state could not be read at all. `rejected`: Cloudflare refused the token."""

    def __init__(self, message: str, rejected: bool = False):
        super().__init__(message)
        self.rejected = rejected


class PartUnreadable(Exception):
    """One part of the state could not be read completely."""


UNREADABLE = (cloudflare.APIError, PartUnreadable, TimeoutError)
T = TypeVar("T")


@dataclass(frozen=True)
class ZoneState:
    zone_id: str
    name: str
    status: str
    name_servers: list[str]
    records: list[dict[str, Any]]
    settings: dict[str, Any]  # setting id -> value, for the settings that could be read
    bot_fight_mode: bool | None
    unreadable: dict[str, str] = field(default_factory=dict)  # part -> why it could not be read
    plan: str = ""  # the zone's plan name ("Free Website"): health checks need Pro or higher
    dnssec: dict[str, Any] | None = None  # status (disabled|pending|active|...), ds, key_tag, ...; None: unread

    def host_records(self, host: str) -> list[dict[str, Any]]:
        """The records a browser reaches for host: its A, AAAA and CNAME records."""
        host = host.lower().rstrip(".")
        return [r for r in self.records if r["name"] == host and r["type"] in PROXIABLE]


def describe(exc: Exception) -> str:
    """Cloudflare's own code and message (never the request, so never the token)."""
    if isinstance(exc, cloudflare.APIConnectionError | TimeoutError):
        return f"no answer from the Cloudflare API ({type(exc).__name__})"
    status = getattr(exc, "status_code", None)
    errors = getattr(exc, "errors", None) or []
    detail = "; ".join(f"code {e.code}: {e.message}" for e in errors[:3]) or type(exc).__name__
    return f"HTTP {status}, {detail}" if status else detail


def _refusal(part: str, exc: Exception) -> str:
    if isinstance(exc, PartUnreadable):
        return str(exc)
    if isinstance(exc, cloudflare.PermissionDeniedError):
        return f"the token lacks the {PERMISSION[part]} permission ({describe(exc)})"
    return describe(exc)


def _survive(part: T | BaseException) -> T | Exception:
    """A part of the read as gathered: its value, or the exception that made it unreadable.
    A rejected token stops the whole read; any other unexpected exception is raised."""
    if isinstance(part, cloudflare.AuthenticationError):
        raise ZoneStateError(f"Cloudflare rejected the API token ({describe(part)})", rejected=True)
    if isinstance(part, UNREADABLE):
        return part
    if isinstance(part, BaseException):
        raise part
    return part


async def read_zone_state(client: Cloudflare, net: NetContext, zone_name: str) -> ZoneState:
    try:
        zones = await call(net, client.zones.list, name=zone_name)
    except cloudflare.AuthenticationError as exc:
        raise ZoneStateError(f"Cloudflare rejected the API token ({describe(exc)})", rejected=True) from None
    except (cloudflare.APIError, TimeoutError) as exc:
        raise ZoneStateError(f"could not look up the zone {zone_name}: {_refusal('zone', exc)}") from None
    if not zones.result:
        raise ZoneStateError(f"the token sees no zone named {zone_name} (check cloudflare.zone in "
                             "sprint.yaml and that the token covers that zone)")
    zone = zones.result[0]
    unreadable: dict[str, str] = {}
    records_part, settings_part, bots_part, dnssec_part = await asyncio.gather(
        read_records(client, net, zone.id),
        asyncio.gather(*(call(net, client.zones.settings.get, setting_id=s, zone_id=zone.id)
                         for s in SETTINGS), return_exceptions=True),
        call(net, client.bot_management.get, zone_id=zone.id),
        call(net, client.dns.dnssec.get, zone_id=zone.id),
        return_exceptions=True,
    )
    if isinstance(settings_part, BaseException):  # only a cancelled inner gather gives one
        raise settings_part
    # In part order: a rejected token stops the read, an unexpected exception is raised.
    records = _survive(records_part)
    setting_values = [_survive(part) for part in settings_part]
    bots = _survive(bots_part)
    if isinstance(records, Exception):
        unreadable["records"], records = _refusal("records", records), []
    settings: dict[str, Any] = {}
    for setting, value in zip(SETTINGS, setting_values, strict=True):
        if isinstance(value, Exception):
            unreadable[setting] = _refusal("settings", value)
        elif value is not None and hasattr(value, "value"):
            settings[setting] = plain_value(value.value)
        else:  # the SDK's answer type allows it; Cloudflare sends a value for these settings
            unreadable[setting] = f"Cloudflare answered {setting} without a value"
    fight_mode = None
    if isinstance(bots, UNREADABLE):
        unreadable["bot_management"] = _refusal("bot_management", bots)
    else:
        fight_mode = bool(getattr(bots, "fight_mode", False))
    dnssec_read = _survive(dnssec_part)
    dnssec: dict[str, Any] | None = None
    if isinstance(dnssec_read, Exception):
        unreadable["dnssec"] = _refusal("dnssec", dnssec_read)
    else:
        dnssec = dnssec_read.model_dump(exclude_none=True)
    return ZoneState(zone_id=zone.id, name=zone.name, status=str(zone.status),
                     name_servers=list(zone.name_servers or []), records=records,
                     settings=settings, bot_fight_mode=fight_mode, unreadable=unreadable,
                     plan=plan_name(zone),
                     dnssec=dnssec)


async def read_records(client: Cloudflare, net: NetContext, zone_id: str) -> list[dict[str, Any]]:
    """Every DNS record, page by page until result_info says it was the last (no extra empty
    page, which is where the SDK's own iterator stops)."""
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_RECORD_PAGES + 1):
        answer = await call(net, client.dns.records.list, zone_id=zone_id, page=page, per_page=PER_PAGE)
        found.extend(record_dict(r) for r in answer.result)
        info = answer.result_info
        if not answer.result or info is None or page >= _total_pages(info):
            return found
    raise PartUnreadable(f"more than {MAX_RECORD_PAGES * PER_PAGE} DNS records; read the rest "
                         "in the dashboard")


def _total_pages(info: V4PagePaginationArrayResultInfo) -> int:
    """Cloudflare's result_info.total_pages (1 when it sends none)."""
    # Stub gap: the SDK's model declares only page and per_page; the total_pages Cloudflare
    # also sends is kept on it as an extra field.
    return info.total_pages or 1  # type: ignore[attr-defined]


def plan_name(zone: Any) -> str:
    return str(getattr(getattr(zone, "plan", None), "name", None) or "unknown")


def has_healthchecks(plan: str) -> bool:
    """Health checks come with the Pro plan and higher (Cloudflare's plan availability)."""
    return not plan.lower().startswith("free")


async def read_healthchecks(client: Cloudflare, net: NetContext, zone_id: str) -> list[dict[str, Any]]:
    """The zone's health checks (only on a plan that has them: a Free zone refuses the call)."""
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_RECORD_PAGES + 1):
        answer = await call(net, client.healthchecks.list, zone_id=zone_id, page=page, per_page=HC_PER_PAGE)
        found.extend(healthcheck_dict(h) for h in answer.result)
        info = answer.result_info
        if not answer.result or info is None or page >= _total_pages(info):
            return found
    raise PartUnreadable(f"more than {MAX_RECORD_PAGES * HC_PER_PAGE} health checks")


def healthcheck_dict(h: Any) -> dict[str, Any]:
    """A health check as plans and snapshots hold it: what a PUT sends back, no status."""
    data = plain_value(h.model_dump(exclude_none=True) if hasattr(h, "model_dump") else h)
    return {k: data[k] for k in HEALTHCHECK_FIELDS if k in data}


def policy_dict(p: Any, checks: list[dict[str, Any]]) -> dict[str, Any]:
    """A notification policy with the health checks it watches named (`watches`, sorted) instead
    of filters.health_check_id: health checks a plan creates have no id yet. An id that names
    no health check of `checks` stays as it is."""
    data = plain_value(p.model_dump(exclude_none=True) if hasattr(p, "model_dump") else p)
    out = {k: data[k] for k in POLICY_FIELDS if k in data}
    filters = dict(out.get("filters") or {})
    names = {c["id"]: c["name"] for c in checks}
    out["filters"] = filters
    out["watches"] = sorted(names.get(i, i) for i in filters.pop("health_check_id", []))
    return out


def policy_body(policy: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """What a create or PUT sends for a policy from policy_dict: `watches` back to ids."""
    ids = {c["name"]: c["id"] for c in checks if c.get("id")}
    body = {k: v for k, v in policy.items() if k not in ("id", "watches")}
    if policy.get("watches"):
        body["filters"] = {**policy.get("filters", {}), "health_check_id": [ids.get(w, w) for w in policy["watches"]]}
    return body


def record_dict(r: Any) -> dict[str, Any]:
    """A record as checks, plans and snapshots hold it, id included (the id names the object)."""
    out = {"id": r.id, "type": r.type, "name": r.name.lower().rstrip("."), "content": r.content,
           "proxied": bool(getattr(r, "proxied", False)), "ttl": r.ttl}
    if getattr(r, "priority", None) is not None:
        out["priority"] = int(r.priority)
    if r.type == "CAA" and getattr(r, "data", None) is not None:
        out["data"] = plain_value(r.data)
    return out


def plain_value(value: Any) -> Any:
    """Setting values come as strings or SDK models (security_header): keep plain data. The
    SDK types some integers as floats (HSTS max_age 0.0), which Cloudflare refuses when the
    value is written back (a rollback): whole floats become ints again."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(exclude_none=True)
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
