"""Zone phase entrypoints for dynamic redirects and cache rules: PUT replaces every rule and
makes a new version, old versions stay readable; expressions must be in the edge's subset."""

from __future__ import annotations

from typing import Any

from .. import expressions
from ..state import Rule, Ruleset, Zone, new_id, timestamp
from .envelope import ApiError, not_found, validation_error
from .routing import ROUTES, Request

PHASES = {  # phase -> (the one action its rules take, permission group stem)
    "http_request_dynamic_redirect": ("redirect", "Dynamic Redirect"),
    "http_request_cache_settings": ("set_cache_settings", "Cache Rules"),
}
REDIRECT_CODES = (301, 302, 303, 307, 308)
ENTRYPOINT = "/zones/{zone_id}/rulesets/phases/{ruleset_phase}/entrypoint"


def _permission(access: str):
    def needs(params: dict[str, str]) -> str | None:
        phase = PHASES.get(params["ruleset_phase"])
        return f"{phase[1]} {access}" if phase else None  # unknown phases answer 7003 after auth
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
    return {"id": rule.id, "version": rule.version, "action": rule.action,
            "action_parameters": rule.action_parameters, "expression": rule.expression,
            "description": rule.description, "enabled": rule.enabled,
            "last_updated": rule.last_updated, "ref": rule.ref or rule.id}


def _serialize(ruleset: Ruleset, version: int | None = None, *, with_rules: bool = True) -> dict[str, Any]:
    version = version or ruleset.version
    out: dict[str, Any] = {
        "id": ruleset.id, "name": ruleset.name, "description": ruleset.description,
        "kind": "zone", "phase": ruleset.phase, "version": str(version),
        "last_updated": ruleset.history_updated.get(version, ruleset.last_updated)}
    if with_rules:
        out["rules"] = [_serialize_rule(r) for r in ruleset.history.get(version, ruleset.rules)]
    return out


def _check_expression(text: Any, pointer: str) -> None:
    if not isinstance(text, str):
        raise validation_error("expression must be a string", pointer=pointer)
    try:
        expressions.parse(text)
    except expressions.ExpressionError as error:
        raise validation_error(f"'{text}' is not supported by the sandbox's edge: {error}",
                               pointer=pointer) from None


def _check_redirect(params: Any, pointer: str) -> None:
    from_value = params.get("from_value") if isinstance(params, dict) else None
    target = from_value.get("target_url") if isinstance(from_value, dict) else None
    if (not isinstance(from_value, dict) or not isinstance(target, dict)
            or len({"value", "expression"} & target.keys()) != 1):
        raise validation_error("a redirect needs from_value.target_url with value or expression",
                               pointer=pointer)
    if "expression" in target:
        _check_expression(target["expression"], pointer + "/from_value/target_url/expression")
    if from_value.get("status_code", 301) not in REDIRECT_CODES:
        raise validation_error(f"status_code must be one of {REDIRECT_CODES}",
                               pointer=pointer + "/from_value/status_code")


def _check_cache(params: Any, pointer: str) -> None:
    if not isinstance(params, dict) or not isinstance(params.get("cache", True), bool):
        raise validation_error("action_parameters.cache must be a boolean", pointer=pointer)


def _rule(phase: str, data: Any, index: int, version: str, old: dict[str, Rule]) -> Rule:
    pointer = f"/rules/{index}"
    action = PHASES[phase][0]
    if not isinstance(data, dict):
        raise validation_error("a rule must be a JSON object", pointer=pointer)
    if data.get("action") != action:
        raise validation_error(f"rules of phase {phase} take the action {action!r}",
                               pointer=pointer + "/action")
    _check_expression(data.get("expression"), pointer + "/expression")
    params = data.get("action_parameters", {})
    (_check_redirect if action == "redirect" else _check_cache)(params, pointer + "/action_parameters")
    rule_id: str = data["id"] if data.get("id") in old else new_id()
    return Rule(id=rule_id, expression=data["expression"], action=action, action_parameters=params,
                description=str(data.get("description", "")), enabled=bool(data.get("enabled", True)),
                ref=data.get("ref") or (old[rule_id].ref if rule_id in old else rule_id),
                version=version)


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
    version = ruleset.version + 1 if ruleset else 1
    old = {r.id: r for r in ruleset.rules} if ruleset else {}
    rules = [_rule(phase, data, i, str(version), old) for i, data in enumerate(rules_data)]
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
