"""Per-setting zone endpoints for the settings the sandbox's edge honours.

Plan rule (the emulator's choice, after Cloudflare's plan matrix): these eight settings are
editable on every plan, so `editable` is true; one value is gated: ssl `origin_pull` (strict,
SSL-only origin pull) needs the Enterprise plan, as on Cloudflare.
"""

from __future__ import annotations

from typing import Any

from ..state import DEFAULT_SETTINGS, Zone, timestamp
from .envelope import ApiError, not_found, validation_error
from .routing import ROUTES, Request

ON_OFF = ("on", "off")
CHOICES: dict[str, tuple[str, ...]] = {
    "ssl": ("off", "flexible", "full", "strict", "origin_pull"),
    "always_use_https": ON_OFF,
    "min_tls_version": ("1.0", "1.1", "1.2", "1.3"),
    "automatic_https_rewrites": ON_OFF,
    "tls_1_3": ("on", "off", "zrt"),
    "security_level": ("off", "essentially_off", "low", "medium", "high", "under_attack"),
    "browser_check": ON_OFF,
}
PLAN_RANK = {"free": 0, "pro": 1, "business": 2, "enterprise": 3}
VALUE_PLANS = {("ssl", "origin_pull"): "enterprise"}
HSTS_FIELDS = {"enabled": bool, "include_subdomains": bool, "preload": bool, "nosniff": bool,
               "max_age": int}
HSTS_MAX_AGE = 31_536_000
SETTING = "/zones/{zone_id}/settings/{setting_id}"


def _invalid(setting: str, why: str = "") -> ApiError:
    return validation_error(f"Invalid value for zone setting {setting}{': ' + why if why else ''}",
                            code=1007)


def _security_header(current: dict[str, Any], value: Any) -> dict[str, Any]:
    """Merge a security_header value over the current one, field by field, after checking it."""
    hsts = value.get("strict_transport_security") if isinstance(value, dict) else None
    if not isinstance(hsts, dict) or set(value) != {"strict_transport_security"}:
        raise _invalid("security_header", "expected {strict_transport_security: {...}}")
    for key, item in hsts.items():
        kind = HSTS_FIELDS.get(key)
        if kind is None or not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise _invalid("security_header", f"strict_transport_security.{key}")
    if not 0 <= hsts.get("max_age", 0) <= HSTS_MAX_AGE:
        raise _invalid("security_header", f"max_age must be between 0 and {HSTS_MAX_AGE}")
    return {"strict_transport_security": {**current["strict_transport_security"], **hsts}}


def _checked(zone: Zone, setting: str, value: Any) -> Any:
    if setting == "security_header":
        return _security_header(zone.settings[setting], value)
    if value not in CHOICES[setting]:
        raise _invalid(setting, f"expected one of {', '.join(CHOICES[setting])}")
    needed = VALUE_PLANS.get((setting, value))
    if needed and PLAN_RANK.get(zone.plan, 0) < PLAN_RANK[needed]:
        raise validation_error(f"Value {value!r} of zone setting {setting} needs the {needed} plan "
                               f"(this zone is on {zone.plan})", code=1007)
    return value


def _serialize(zone: Zone, setting: str) -> dict[str, Any]:
    return {"id": setting, "value": zone.settings[setting], "editable": True,
            "modified_on": zone.settings_modified.get(setting)}


def _setting(req: Request) -> tuple[Zone, str]:
    zone, setting = req.zone(), req.params["setting_id"]
    if setting not in DEFAULT_SETTINGS:
        raise not_found(req.path)
    return zone, setting


@ROUTES.add("GET", SETTING, "Zone Settings Read")
def get_setting(req: Request) -> dict[str, Any]:
    return _serialize(*_setting(req))


@ROUTES.add("PATCH", SETTING, "Zone Settings Write")
def edit_setting(req: Request) -> dict[str, Any]:
    zone, setting = _setting(req)
    body = req.object_body()
    if "value" not in body:
        raise validation_error("Missing required field value")
    zone.settings[setting] = _checked(zone, setting, body["value"])
    zone.settings_modified[setting] = timestamp()
    return _serialize(zone, setting)
