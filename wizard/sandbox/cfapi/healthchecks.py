"""Zone health checks (/zones/{zone_id}/healthchecks): Cloudflare's standalone health checks,
stored, validated and served; never run (see the emulator's differences).

The contract is the official SDK's types (cloudflare.types.healthchecks): the 2024 schema subset
in shared/cloudflare does not hold these paths. Health checks are a Pro-and-higher feature
(planAvailability free: false): on a Free zone every route answers PLAN_REFUSAL.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..state import Zone, new_id, timestamp
from .envelope import ApiError, Page, not_found, validation_error
from .routing import ROUTES, Request
from .settings import PLAN_RANK

PLAN_REFUSAL = 1002  # the emulator's choice: Cloudflare's real code for this refusal is not documented
NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # "only alphanumeric characters, hyphens and underscores"
TYPES = ("HTTP", "HTTPS")  # TCP is not served
REGIONS = frozenset({"WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "IN",
                     "SEAS", "NEAS", "ALL_REGIONS"})
EXPECTED_CODE = re.compile(r"^[1-5](\d\d|xx)$")
# field -> (type, low, high, default) for the top-level integers
BOUNDS = {"interval": (5, 3600, 60), "retries": (0, 5, 2), "timeout": (1, 10, 5),
          "consecutive_fails": (1, 10, 1), "consecutive_successes": (1, 10, 1)}
HTTP_DEFAULTS = {"method": "GET", "path": "/", "expected_codes": ["200"], "expected_body": "",
                 "follow_redirects": False, "allow_insecure": False, "header": None}
COLLECTION = "/zones/{zone_id}/healthchecks"
ONE = "/zones/{zone_id}/healthchecks/{healthcheck_id}"


def _zone(req: Request) -> Zone:
    zone = req.zone()
    if PLAN_RANK.get(zone.plan, 0) < PLAN_RANK["pro"]:
        raise ApiError(403, PLAN_REFUSAL, f"Health Checks are not available on this zone's plan "
                                          f"({zone.plan}): they need the Pro plan or higher")
    return zone


def _invalid(field: str, why: str) -> ApiError:
    return validation_error(f"Invalid health check {field}: {why}", pointer=f"/{field}")


def _http_config(kind: str, raw: Any) -> dict[str, Any]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise _invalid("http_config", "expected an object")
    unknown = set(raw) - set(HTTP_DEFAULTS) - {"port"}
    if unknown:
        raise _invalid("http_config", f"unknown field(s) {', '.join(sorted(unknown))}")
    config = {**copy.deepcopy(HTTP_DEFAULTS), "port": 443 if kind == "HTTPS" else 80, **raw}
    if config["method"] not in ("GET", "HEAD"):
        raise _invalid("http_config.method", "GET or HEAD")
    if not isinstance(config["path"], str) or not config["path"].startswith("/"):
        raise _invalid("http_config.path", "a path starting with /")
    codes = config["expected_codes"]
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and EXPECTED_CODE.match(c) for c in codes):
        raise _invalid("http_config.expected_codes", 'a list like ["200"] or ["2xx"]')
    if not isinstance(config["port"], int) or not 1 <= config["port"] <= 65535:
        raise _invalid("http_config.port", "1 to 65535")
    header = config["header"]
    if header is not None and not (isinstance(header, dict) and all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in header.values())):
        raise _invalid("http_config.header", 'an object of lists, e.g. {"Host": ["app.example.com"]}')
    return config


def _checked(body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stored fields of a health check from a body (over `current` for a PATCH)."""
    merged = {**(current or {}), **body}
    for field in ("name", "address"):
        if not isinstance(merged.get(field), str) or not merged[field]:
            raise validation_error(f"Missing required field {field}", pointer=f"/{field}")
    if not NAME.match(merged["name"]):
        raise _invalid("name", "only alphanumeric characters, hyphens and underscores are allowed")
    kind = merged.get("type") or "HTTP"
    if kind not in TYPES:
        raise _invalid("type", f"the sandbox serves {' and '.join(TYPES)}")
    out = {"name": merged["name"], "address": merged["address"], "type": kind,
           "description": merged.get("description") or "", "suspended": bool(merged.get("suspended", False))}
    for field, (low, high, default) in BOUNDS.items():
        value = merged.get(field, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise _invalid(field, f"an integer from {low} to {high}")
        out[field] = value
    regions = merged.get("check_regions")
    if regions is not None and not (isinstance(regions, list) and set(regions) <= REGIONS):
        raise _invalid("check_regions", f"a list of {', '.join(sorted(REGIONS))}, or null")
    out["check_regions"] = regions
    out["http_config"] = _http_config(kind, merged.get("http_config"))
    return out


def serialize(check: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(check), "status": "suspended" if check["suspended"] else "unknown",
            "failure_reason": "", "tcp_config": None}


def _one(req: Request) -> tuple[Zone, dict[str, Any]]:
    zone = _zone(req)
    check = zone.healthchecks.get(req.params["healthcheck_id"])
    if check is None:
        raise not_found(req.path)
    return zone, check


@ROUTES.add("GET", COLLECTION, "Health Checks Read")
def list_healthchecks(req: Request) -> Page:
    checks = sorted(_zone(req).healthchecks.values(), key=lambda c: c["created_on"])
    page, per_page = req.int_arg("page", 1, 1, 1_000_000), req.int_arg("per_page", 25, 5, 1000)
    return Page.of([serialize(c) for c in checks], page, per_page)


@ROUTES.add("POST", COLLECTION, "Health Checks Write")
def create_healthcheck(req: Request) -> dict[str, Any]:
    zone = _zone(req)
    check = {"id": new_id(), **_checked(req.object_body()), "created_on": timestamp()}
    check["modified_on"] = check["created_on"]
    zone.healthchecks[check["id"]] = check
    return serialize(check)


@ROUTES.add("GET", ONE, "Health Checks Read")
def get_healthcheck(req: Request) -> dict[str, Any]:
    return serialize(_one(req)[1])


def _replace(req: Request, over: dict[str, Any] | None) -> dict[str, Any]:
    _, check = _one(req)
    check.update(_checked(req.object_body(), over), modified_on=timestamp())
    return serialize(check)


@ROUTES.add("PUT", ONE, "Health Checks Write")
def update_healthcheck(req: Request) -> dict[str, Any]:
    return _replace(req, None)


@ROUTES.add("PATCH", ONE, "Health Checks Write")
def edit_healthcheck(req: Request) -> dict[str, Any]:
    return _replace(req, {k: v for k, v in _one(req)[1].items() if k not in ("id", "created_on", "modified_on")})


@ROUTES.add("DELETE", ONE, "Health Checks Write")
def delete_healthcheck(req: Request) -> dict[str, Any]:
    zone, check = _one(req)
    del zone.healthchecks[check["id"]]
    return {"id": check["id"]}
