"""Everything a plan can touch in a zone, read completely or not at all.

A plan computed on a partial read could delete what it did not see, so unlike the checks' zone
state (which reports an unreadable part and carries on), any part that cannot be read stops the
read. The same object is the apply's snapshot and its re-read after applying, so it round-trips
through plain JSON (snapshot.json) and compares by value.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any

import cloudflare
from cloudflare import Cloudflare

from wizard.edge.client import call
from wizard.edge.zone_state import (
    SETTINGS,
    ZoneStateError,
    describe,
    has_healthchecks,
    plain_value,
    plan_name,
    policy_dict,
    read_healthchecks,
    read_records,
)
from wizard.net import NetContext

REDIRECT_PHASE = "http_request_dynamic_redirect"
CACHE_PHASE = "http_request_cache_settings"
HEADERS_PHASE = "http_response_headers_transform"
RATELIMIT_PHASE = "http_ratelimit"
CUSTOM_PHASE = "http_request_firewall_custom"
PHASES = (REDIRECT_PHASE, CACHE_PHASE, HEADERS_PHASE, RATELIMIT_PHASE, CUSTOM_PHASE)
NO_ENTRYPOINT = 10003  # a phase never used: no entrypoint ruleset yet, i.e. no rules
SERVER_FIELDS = frozenset({"version", "last_updated"})  # set by Cloudflare, never sent back
LIVE_ZONE_SCHEMA = "launch-ready/live-zone@1"


@dataclass
class LiveZone:
    """zone id/name/plan; records {"id","type","name","content","proxied","ttl",["priority"]};
    settings: setting id -> value (the five of zone_state.SETTINGS); bot_fight_mode; rules:
    phase -> its rules in order, each with every field a PUT sends back (all but SERVER_FIELDS);
    healthchecks and policies (zone_state.healthcheck_dict / policy_dict): read only when a plan
    asks for cf.healthchecks and the zone's plan has them, else None."""

    zone_id: str
    name: str
    plan: str
    records: list[dict[str, Any]]
    settings: dict[str, Any]
    bot_fight_mode: bool
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    account_id: str = ""
    healthchecks: list[dict[str, Any]] | None = None
    policies: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"schema": LIVE_ZONE_SCHEMA, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveZone:
        if data.get("schema") != LIVE_ZONE_SCHEMA:
            raise ValueError(f"not a {LIVE_ZONE_SCHEMA} document (schema {data.get('schema')!r})")
        return cls(**{k: v for k, v in data.items() if k != "schema"})


async def read_live_zone(client: Cloudflare, net: NetContext, zone_name: str, *,
                         monitoring: bool = False) -> LiveZone:
    """One zone lookup, then concurrently: every record page, each setting, bot management and
    both rule phases (1 + pages + 5 + 1 + 2 calls, all spent from the run's budget); with
    `monitoring`, on a plan that has them, the health checks and the account's notification
    policies too (+ pages + 1)."""
    try:
        zones = await call(net, client.zones.list, name=zone_name)
    except (cloudflare.APIError, TimeoutError) as exc:
        raise ZoneStateError(f"could not look up the zone {zone_name}: {describe(exc)}",
                             rejected=isinstance(exc, cloudflare.AuthenticationError)) from None
    if not zones.result:
        raise ZoneStateError(f"the token sees no zone named {zone_name}")
    zone = zones.result[0]
    try:
        records, bots, *rest = await asyncio.gather(
            read_records(client, net, zone.id),
            call(net, client.bot_management.get, zone_id=zone.id),
            *(call(net, client.zones.settings.get, setting_id=s, zone_id=zone.id) for s in SETTINGS),
            *(_phase_rules(client, net, zone.id, phase) for phase in PHASES),
            _monitors(client, net, zone, monitoring),
        )
    except (cloudflare.APIError, TimeoutError) as exc:
        raise ZoneStateError(f"could not read all of the zone {zone_name}: {describe(exc)}",
                             rejected=isinstance(exc, cloudflare.AuthenticationError)) from None
    settings, rules, (checks, policies) = rest[:len(SETTINGS)], rest[len(SETTINGS):-1], rest[-1]
    return LiveZone(
        zone_id=zone.id, name=zone.name, plan=plan_name(zone),
        records=sorted(records, key=lambda r: (r["name"], r["type"], r["content"], r["id"])),
        settings={s: plain_value(v.value) for s, v in zip(SETTINGS, settings, strict=True)},
        bot_fight_mode=bool(getattr(bots, "fight_mode", False)),
        rules=dict(zip(PHASES, rules, strict=True)),
        account_id=str(getattr(zone.account, "id", None) or ""), healthchecks=checks, policies=policies,
    )


async def _monitors(client: Cloudflare, net: NetContext, zone: Any, wanted: bool):
    """(health checks, notification policies), or (None, None) when not wanted or not on the plan."""
    if not wanted or not has_healthchecks(plan_name(zone)):
        return None, None
    checks, policies = await asyncio.gather(
        read_healthchecks(client, net, zone.id),
        call(net, client.alerting.policies.list, account_id=zone.account.id))
    return checks, [policy_dict(p, checks) for p in policies.result]


async def _phase_rules(client: Cloudflare, net: NetContext, zone_id: str, phase: str) -> list[dict[str, Any]]:
    """The phase's rules as plain JSON from the raw answer: a PUT replaces the whole phase, so
    others' rules must go back with every field they were read with, not a model's view of them."""
    try:
        raw = await call(net, client.rulesets.phases.with_raw_response.get,
                         ruleset_phase=phase, zone_id=zone_id)
    except cloudflare.NotFoundError as exc:
        if any(e.code == NO_ENTRYPOINT for e in exc.errors or []):
            return []
        raise
    body = raw.json()
    result = (body.get("result") if isinstance(body, dict) else None) or {}
    return [{k: v for k, v in rule.items() if k not in SERVER_FIELDS} for rule in result.get("rules") or []]
