"""Hand-built plans against the sandbox demo zone, and a deep view of the zone to compare."""

from __future__ import annotations

import asyncio
import functools
import json
import tempfile
from datetime import UTC, datetime
from typing import Any

from cloudflare import Cloudflare

from wizard.edge.apply import apply_plan
from wizard.edge.plan import Change, Plan
from wizard.sandbox.demo import APP, DOMAIN
from wizard.sandbox.run import Sandbox

WWW = f"www.{DOMAIN}"
CACHE = "http_request_cache_settings"
REDIRECT = "http_request_dynamic_redirect"
BYPASS = {"action": "set_cache_settings", "expression": f'(http.host eq "api.{DOMAIN}")',
          "action_parameters": {"cache": False}, "description": "launch-ready: bypass the API host",
          "enabled": True}
TO_APEX = {"action": "redirect", "expression": f'(http.host eq "{WWW}")',
           "action_parameters": {"from_value": {"target_url": {"expression": f'concat("https://{DOMAIN}", http.request.uri.path)'},
                                                "status_code": 301, "preserve_query_string": True}},
           "description": "launch-ready: canonical host", "enabled": True}


def client(sandbox, **options) -> Cloudflare:
    return Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url,
                      max_retries=options.pop("max_retries", 2), timeout=options.pop("timeout", 2.0))


def zone_id(sandbox) -> str:
    return sandbox.world.zone_by_name(DOMAIN).id


def view(sandbox) -> dict[str, Any]:
    """Records and rules (without the ids the server gives), settings and bot management, as the
    emulator holds them: equal views mean equal zones, across sandboxes too."""
    zone = sandbox.world.zone_by_name(DOMAIN)
    with sandbox.world.lock:
        records = sorted((r.type, r.name, r.content, r.proxied, r.ttl, r.priority) for r in zone.records.values())
        rules = {phase: [(r.expression, r.action, json.dumps(r.action_parameters, sort_keys=True), r.description)
                         for r in rs.rules] for phase, rs in zone.rulesets.items() if rs.rules}
        return {"records": records, "settings": dict(zone.settings), "rules": rules,
                "bot": dict(zone.bot_management)}


def record_ids(sandbox) -> list[str]:
    return list(sandbox.world.zone_by_name(DOMAIN).records)


def _record(sandbox, rtype: str, name: str) -> dict[str, Any]:
    zone = sandbox.world.zone_by_name(DOMAIN)
    r = next(r for r in zone.records.values() if r.type == rtype and r.name == name)
    out = {"id": r.id, "type": r.type, "name": r.name, "content": r.content, "proxied": r.proxied, "ttl": r.ttl}
    return out


def _rules(sandbox, phase: str) -> list[dict[str, Any]]:
    rs = sandbox.world.zone_by_name(DOMAIN).rulesets.get(phase)
    return [{"id": r.id, "action": r.action, "expression": r.expression, "action_parameters": r.action_parameters,
             "description": r.description, "enabled": r.enabled} for r in (rs.rules if rs else [])]


def sprint_plan(sandbox, *, dns_only: bool = False) -> Plan:
    """www CNAME created, the apex A proxied, ssl flexible -> strict, always-use-https on, a cache
    bypass rule added to the phase holding the demo's own rule, a redirect rule in a new phase."""
    apex = _record(sandbox, "A", DOMAIN)
    changes = [
        Change(kind="dns", target=f"CNAME {WWW}", before=None, fix="cf.dns-www",
               after={"type": "CNAME", "name": WWW, "content": DOMAIN, "proxied": True, "ttl": 1}),
        Change(kind="dns", target=f"A {DOMAIN}", before=apex, after={**apex, "proxied": True}, fix="cf.proxy"),
    ]
    if not dns_only:
        cache = _rules(sandbox, CACHE)
        changes += [
            Change(kind="setting", target="ssl", before={"value": "flexible"}, after={"value": "strict"},
                   fix="cf.ssl-strict"),
            Change(kind="setting", target="always_use_https", before={"value": "off"}, after={"value": "on"},
                   fix="cf.always-use-https"),
            Change(kind="rules", target=CACHE, before={"rules": cache}, after={"rules": [*cache, BYPASS]},
                   fix="cf.cache-bypass-private"),
            Change(kind="rules", target=REDIRECT, before={"rules": []}, after={"rules": [TO_APEX]},
                   fix="cf.redirect-canonical"),
        ]
    return Plan(zone=DOMAIN, zone_id=zone_id(sandbox), fixes=sorted({c.fix for c in changes}),
                changes=changes, created_at=datetime.now(UTC))


def records_plan(sandbox, count: int) -> Plan:
    """count new TXT records (the benchmark's growing DNS part)."""
    changes = [Change(kind="dns", target=f"TXT r{i}.{DOMAIN}", before=None, fix="cf.bench",
                      after={"type": "TXT", "name": f"r{i}.{DOMAIN}", "content": f"bench {i}", "proxied": False, "ttl": 1})
               for i in range(count)]
    return Plan(zone=DOMAIN, zone_id=zone_id(sandbox), fixes=["cf.bench"], changes=changes,
                created_at=datetime.now(UTC))


@functools.cache
def desired_view() -> tuple[dict[str, Any], int]:
    """(the zone after a clean apply of sprint_plan, the API calls that apply made), measured in
    a sandbox of its own."""
    with Sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        outcome = asyncio.run(apply_plan(sprint_plan(sandbox), client(sandbox), f"{tmp}/c"))
        assert outcome.state == "applied", outcome.message
        return view(sandbox), outcome.calls


__all__ = ["APP", "client", "records_plan", "record_ids", "sprint_plan", "view"]
