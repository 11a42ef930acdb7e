"""Account notification policies (/accounts/{account_id}/alerting/v3/policies), after the official
SDK's types (cloudflare.types.alerting: the 2024 schema subset does not hold these paths).

An account exists when a zone of the world belongs to it. A health_check_status_notification
policy's filters.health_check_id must name health checks of the account's zones, as Cloudflare
checks them; other alert types are stored with their filters unchecked.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..state import new_id, timestamp
from .envelope import ApiError, not_found, validation_error
from .routing import ROUTES, Request

HEALTH_CHECK_ALERT = "health_check_status_notification"
ALERT_TYPE = re.compile(r"^[a-z0-9_]+$")
MECHANISMS = ("email", "webhooks", "pagerduty")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLLECTION = "/accounts/{account_id}/alerting/v3/policies"
ONE = "/accounts/{account_id}/alerting/v3/policies/{policy_id}"


def _account(req: Request) -> dict[str, dict[str, Any]]:
    account = req.params["account_id"]
    if not any(z.account_id == account for z in req.world.zones.values()):
        raise not_found(req.path)
    return req.world.policies.setdefault(account, {})


def _mechanisms(raw: Any) -> dict[str, list[dict[str, str]]]:
    if not isinstance(raw, dict) or not raw or set(raw) - set(MECHANISMS):
        raise validation_error(f"mechanisms: an object with {', '.join(MECHANISMS)}", pointer="/mechanisms")
    out = {}
    for kind, targets in raw.items():
        if not isinstance(targets, list) or not all(isinstance(t, dict) and isinstance(t.get("id"), str)
                                                    for t in targets):
            raise validation_error(f"mechanisms.{kind}: a list of {{id}}", pointer=f"/mechanisms/{kind}")
        if kind == "email" and not all(EMAIL.match(t["id"]) for t in targets):
            raise validation_error("mechanisms.email: each id is an e-mail address", pointer="/mechanisms/email")
        out[kind] = [{"id": t["id"]} for t in targets]
    return out


def _filters(req: Request, alert_type: str, raw: Any) -> dict[str, list[str]]:
    raw = raw or {}
    if not isinstance(raw, dict) or not all(isinstance(v, list) and all(isinstance(i, str) for i in v)
                                            for v in raw.values()):
        raise validation_error("filters: an object of string lists", pointer="/filters")
    if alert_type == HEALTH_CHECK_ALERT:
        account = req.params["account_id"]
        known = {i for z in req.world.zones.values() if z.account_id == account for i in z.healthchecks}
        if missing := [i for i in raw.get("health_check_id", []) if i not in known]:
            raise validation_error(f"filters.health_check_id: unknown health check(s) {', '.join(missing)}",
                                   pointer="/filters/health_check_id")
    return copy.deepcopy(raw)


def _checked(req: Request, merged: dict[str, Any]) -> dict[str, Any]:
    for field in ("name", "alert_type"):
        if not isinstance(merged.get(field), str) or not merged[field]:
            raise validation_error(f"Missing required field {field}", pointer=f"/{field}")
    if not ALERT_TYPE.match(merged["alert_type"]):
        raise validation_error(f"Unknown alert_type {merged['alert_type']!r}", pointer="/alert_type")
    if not isinstance(merged.get("enabled"), bool):
        raise validation_error("enabled must be a boolean", pointer="/enabled")
    return {"name": merged["name"], "alert_type": merged["alert_type"], "enabled": merged["enabled"],
            "description": merged.get("description") or "",
            "mechanisms": _mechanisms(merged.get("mechanisms")),
            "filters": _filters(req, merged["alert_type"], merged.get("filters"))}


def _one(req: Request) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    policies = _account(req)
    policy = policies.get(req.params["policy_id"])
    if policy is None:
        raise not_found(req.path)
    return policies, policy


@ROUTES.add("GET", COLLECTION, "Notifications Read")
def list_policies(req: Request) -> list[dict[str, Any]]:
    return [copy.deepcopy(p) for p in sorted(_account(req).values(), key=lambda p: p["created"])]


@ROUTES.add("POST", COLLECTION, "Notifications Write")
def create_policy(req: Request) -> dict[str, Any]:
    policies = _account(req)
    policy = {"id": new_id(), **_checked(req, req.object_body()), "created": timestamp()}
    policy["modified"] = policy["created"]
    policies[policy["id"]] = policy
    return {"id": policy["id"]}


@ROUTES.add("GET", ONE, "Notifications Read")
def get_policy(req: Request) -> dict[str, Any]:
    return copy.deepcopy(_one(req)[1])


@ROUTES.add("PUT", ONE, "Notifications Write")
def update_policy(req: Request) -> dict[str, Any]:
    """Cloudflare's PUT takes any subset of the fields (the SDK makes every one optional)."""
    _, policy = _one(req)
    body = req.object_body()
    if "id" in body and body["id"] != policy["id"]:
        raise ApiError(400, 1004, "The policy id cannot change")
    policy.update(_checked(req, {**policy, **body}), modified=timestamp())
    return {"id": policy["id"]}


@ROUTES.add("DELETE", ONE, "Notifications Write")
def delete_policy(req: Request) -> None:
    policies, policy = _one(req)
    del policies[policy["id"]]
