"""Zone phase entrypoints (dynamic redirects, cache rules, custom rules, rate limiting rules,
response header transforms): PUT replaces every rule and makes a new version, old versions stay
readable; expressions must be in the edge's subset; the security phases hold the zone's plan
limits (plans.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..state import Rule, Ruleset, Zone, new_id, timestamp
from .envelope import ApiError, not_found, validation_error
from .plans import CUSTOM_RULES, RATE_LIMITS, TRANSFORM_RULES, not_entitled, plan_of
from .routing import ROUTES, Request
from .security_rules import (
    check_custom,
    check_ratelimit,
    check_ratelimit_action,
    check_rewrite,
    parsed,
)

REDIRECT_CODES = (301, 302, 303, 307, 308)
ENTRYPOINT = "/zones/{zone_id}/rulesets/phases/{ruleset_phase}/entrypoint"
SECURITY_ACTIONS = ("block", "managed_challenge", "js_challenge", "challenge", "log")


@dataclass(frozen=True)
class Phase:
    actions: tuple[str, ...]
    permission: str  # the permission group stem: "<stem> Read" / "<stem> Write"
    check: Callable[[str, Any, str], None]  # (action, action_parameters, pointer)
    max_rules: Callable[[str], int] | None = None  # by plan; None: not limited here
    what: str = "rules"


def _check_redirect(action: str, params: Any, pointer: str) -> None:
    from_value = params.get("from_value") if isinstance(params, dict) else None
    target = from_value.get("target_url") if isinstance(from_value, dict) else None
    if (not isinstance(from_value, dict) or not isinstance(target, dict)
            or len({"value", "expression"} & target.keys()) != 1):
        raise validation_error("a redirect needs from_value.target_url with value or expression",
                               pointer=pointer)
    if "expression" in target:
        parsed(target["expression"], pointer + "/from_value/target_url/expression")
    if from_value.get("status_code", 301) not in REDIRECT_CODES:
        raise validation_error(f"status_code must be one of {REDIRECT_CODES}",
                               pointer=pointer + "/from_value/status_code")


def _check_cache(action: str, params: Any, pointer: str) -> None:
    if not isinstance(params, dict) or not isinstance(params.get("cache", True), bool):
        raise validation_error("action_parameters.cache must be a boolean", pointer=pointer)


PHASES = {
    "http_request_dynamic_redirect": Phase(("redirect",), "Dynamic Redirect", _check_redirect),
    "http_request_cache_settings": Phase(("set_cache_settings",), "Cache Rules", _check_cache),
    "http_request_firewall_custom": Phase((*SECURITY_ACTIONS, "skip"), "Zone WAF", check_custom,
                                          CUSTOM_RULES.__getitem__, "custom rules"),
    "http_ratelimit": Phase(SECURITY_ACTIONS, "Zone WAF", check_ratelimit_action,
                            lambda plan: RATE_LIMITS[plan].rules, "rate limiting rules"),
    "http_response_headers_transform": Phase(("rewrite",), "Transform Rules",
                                             lambda action, params, pointer: check_rewrite(params, pointer),
                                             TRANSFORM_RULES.__getitem__, "response header transform rules"),
}


def _permission(access: str):
    def needs(params: dict[str, str]) -> str | None:
        phase = PHASES.get(params["ruleset_phase"])
        return f"{phase.permission} {access}" if phase else None  # unknown phases answer 7003 after auth
    return needs


def _ruleset(req: Request) -> tuple[Zone, str, Ruleset | None]:
    zone, phase = req.zone(), req.params["ruleset_phase"]
    if phase not in PHASES:
        raise not_found(req.path)
    return zone, phase, zone.rulesets.get(phase)


def _existing(req: Request) -> tuple[Zone, Ruleset]:
    zone, phase, ruleset = _ruleset(req)
    if ruleset is None:
        raise ApiError(404, 10003, f"could not find entrypoint ruleset in the {phase} phase")
    return zone, ruleset


def _serialize_rule(rule: Rule) -> dict[str, Any]:
    out = {"id": rule.id, "version": rule.version, "action": rule.action,
           "action_parameters": rule.action_parameters, "expression": rule.expression,
           "description": rule.description, "enabled": rule.enabled,
           "last_updated": rule.last_updated, "ref": rule.ref or rule.id}
    if rule.ratelimit is not None:
        out["ratelimit"] = rule.ratelimit
    return out


def _serialize(ruleset: Ruleset, version: int | None = None, *, with_rules: bool = True) -> dict[str, Any]:
    version = version or ruleset.version
    out: dict[str, Any] = {
        "id": ruleset.id, "name": ruleset.name, "description": ruleset.description,
        "kind": "zone", "phase": ruleset.phase, "version": str(version),
        "last_updated": ruleset.history_updated.get(version, ruleset.last_updated)}
    if with_rules:
        out["rules"] = [_serialize_rule(r) for r in ruleset.history.get(version, ruleset.rules)]
    return out


def _rule(zone: Zone, phase: str, data: Any, index: int, version: str, old: dict[str, Rule]) -> Rule:
    pointer, spec = f"/rules/{index}", PHASES[phase]
    if not isinstance(data, dict):
        raise validation_error("a rule must be a JSON object", pointer=pointer)
    action = data.get("action")
    if action not in spec.actions:
        raise validation_error(f"rules of phase {phase} take the action(s) {', '.join(spec.actions)}",
                               pointer=pointer + "/action")
    parsed(data.get("expression"), pointer + "/expression")
    params = data.get("action_parameters", {})
    spec.check(action, params, pointer + "/action_parameters")
    ratelimit = None
    if phase == "http_ratelimit":
        ratelimit = check_ratelimit(plan_of(zone.plan), data, pointer)
    elif "ratelimit" in data:
        raise validation_error(f"rules of phase {phase} take no ratelimit", pointer=pointer + "/ratelimit")
    rule_id: str = data["id"] if data.get("id") in old else new_id()
    return Rule(id=rule_id, expression=data["expression"], action=action, action_parameters=params,
                description=str(data.get("description", "")), enabled=bool(data.get("enabled", True)),
                ref=data.get("ref") or (old[rule_id].ref if rule_id in old else rule_id),
                version=version, ratelimit=ratelimit)


def _check_count(zone: Zone, phase: str, rules: list[Any]) -> None:
    spec, plan = PHASES[phase], plan_of(zone.plan)
    if spec.max_rules is not None and len(rules) > (most := spec.max_rules(plan)):
        raise not_entitled(f"more than {most} {spec.what} (this ruleset has {len(rules)})", plan,
                           f"/rules/{most}")


@ROUTES.add("GET", ENTRYPOINT, _permission("Read"))
def get_entrypoint(req: Request) -> dict[str, Any]:
    return _serialize(_existing(req)[1])


@ROUTES.add("PUT", ENTRYPOINT, _permission("Write"))
def put_entrypoint(req: Request) -> dict[str, Any]:
    zone, phase, ruleset = _ruleset(req)
    body = req.object_body()
    rules_data = body.get("rules", [])
    if not isinstance(rules_data, list):
        raise validation_error("rules must be a list", pointer="/rules")
    _check_count(zone, phase, rules_data)
    version = ruleset.version + 1 if ruleset else 1
    old = {r.id: r for r in ruleset.rules} if ruleset else {}
    rules = [_rule(zone, phase, data, i, str(version), old) for i, data in enumerate(rules_data)]
    if ruleset is None:
        ruleset = zone.rulesets[phase] = Ruleset(id=new_id(), phase=phase, name=body.get("name", "default"))
    ruleset.rules, ruleset.version, ruleset.last_updated = rules, version, timestamp()
    ruleset.name = body.get("name", ruleset.name)
    ruleset.description = body.get("description", ruleset.description)
    ruleset.history[version] = rules
    ruleset.history_updated[version] = ruleset.last_updated
    return _serialize(ruleset)


@ROUTES.add("GET", ENTRYPOINT + "/versions", _permission("Read"))
def list_versions(req: Request) -> list[dict[str, Any]]:
    ruleset = _existing(req)[1]
    return [_serialize(ruleset, v, with_rules=False) for v in sorted(ruleset.history, reverse=True)]


@ROUTES.add("GET", ENTRYPOINT + "/versions/{ruleset_version}", _permission("Read"))
def get_version(req: Request) -> dict[str, Any]:
    ruleset = _existing(req)[1]
    raw = req.params["ruleset_version"]
    if not raw.isdigit() or int(raw) not in ruleset.history:
        raise ApiError(404, 10003, f"could not find version {raw} of the entrypoint ruleset")
    return _serialize(ruleset, int(raw))
