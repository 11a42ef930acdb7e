"""Zones, the zone's DNS settings and bot management, and the token verify endpoint."""

from __future__ import annotations

from typing import Any

from ..state import Zone
from .envelope import Ok, Page, validation_error
from .routing import ROUTES, Request

PLAN_NAMES = {"free": "Free Website", "pro": "Pro Website", "business": "Business Website",
              "enterprise": "Enterprise Website"}


def serialize_zone(zone: Zone) -> dict[str, Any]:
    return {
        "id": zone.id, "name": zone.name, "status": zone.status, "paused": False, "type": "full",
        "development_mode": 0, "name_servers": list(zone.name_servers),
        "original_name_servers": None, "original_registrar": None, "original_dnshost": None,
        "created_on": zone.created_on, "modified_on": zone.created_on, "activated_on": zone.created_on,
        "meta": {"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3,
                 "phishing_detected": False},
        "owner": {"id": zone.account_id, "type": "organization", "name": zone.account_name},
        "account": {"id": zone.account_id, "name": zone.account_name},
        "plan": {"id": zone.plan, "name": PLAN_NAMES.get(zone.plan, zone.plan), "price": 0,
                 "currency": "USD", "frequency": "", "legacy_id": zone.plan,
                 "is_subscribed": True, "can_subscribe": False},
        "permissions": ["#zone:read"], "vanity_name_servers": [],
    }


@ROUTES.add("GET", "/zones", "Zone Read")
def list_zones(req: Request) -> Page:
    zones = sorted(req.world.zones.values(), key=lambda z: z.name)
    if (name := req.arg("name")) is not None:
        zones = [z for z in zones if z.name == name.lower().rstrip(".")]
    if (status := req.arg("status")) is not None:
        zones = [z for z in zones if z.status == status]
    page, per_page = req.int_arg("page", 1, 1, 1_000_000), req.int_arg("per_page", 20, 5, 50)
    return Page.of([serialize_zone(z) for z in zones], page, per_page)


@ROUTES.add("GET", "/zones/{zone_id}", "Zone Read")
def get_zone(req: Request) -> dict[str, Any]:
    return serialize_zone(req.zone())


@ROUTES.add("GET", "/zones/{zone_id}/dns_settings", "DNS Read")
def dns_settings(req: Request) -> dict[str, Any]:
    zone = req.zone()
    return {
        "foundation_dns": False, "multi_provider": False, "secondary_overrides": False,
        "zone_mode": "standard", "ns_ttl": 86400, "nameservers": {"type": "cloudflare.standard"},
        "soa": {"mname": zone.name_servers[0], "rname": "dns.cloudflare.com", "refresh": 10000,
                "retry": 2400, "expire": 604800, "min_ttl": 1800, "ttl": 3600},
    }


BOT_FIELDS = {"fight_mode": bool, "enable_js": bool}


@ROUTES.add("GET", "/zones/{zone_id}/bot_management", "Bot Management Read")
def get_bot_management(req: Request) -> dict[str, Any]:
    return {**req.zone().bot_management, "using_latest_model": True}


@ROUTES.add("PUT", "/zones/{zone_id}/bot_management", "Bot Management Write")
def put_bot_management(req: Request) -> dict[str, Any]:
    zone, body = req.zone(), req.object_body()
    for key, value in body.items():
        if key not in BOT_FIELDS:
            raise validation_error(f"{key} is not a Bot Fight Mode setting (the zone's plan is "
                                   f"{zone.plan}; the sandbox serves fight_mode and enable_js)")
        if not isinstance(value, BOT_FIELDS[key]):
            raise validation_error(f"{key} must be a boolean")
    zone.bot_management.update(body)
    return get_bot_management(req)


@ROUTES.add("GET", "/user/tokens/verify", None)
def verify_token(req: Request) -> Ok:
    result = {"id": req.token.id, "status": req.token.status}
    if req.token.expires_on:
        result["expires_on"] = req.token.expires_on
    return Ok(result, [{"code": 10000, "message": "This API Token is valid and active", "type": None}])
