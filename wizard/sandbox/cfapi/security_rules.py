"""Checks for the rules of the security and transform phases (custom rules, rate limiting rules,
response header transforms), each refusing what Cloudflare refuses with a source pointer."""

from __future__ import annotations

import re
from typing import Any

from .. import expressions
from .envelope import validation_error
from .plans import CHALLENGES, COLO, IP, NAT_IP, RATE_LIMITS, not_entitled

SKIPPABLE_PHASES = frozenset({"http_ratelimit", "http_request_sbfm", "http_request_firewall_managed"})
SKIPPABLE_PRODUCTS = frozenset({"bic", "hot", "rateLimit", "securityLevel", "uaBlock", "waf", "zoneLockdown"})
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
OPERATIONS = ("set", "add", "remove")


def parsed(text: Any, pointer: str) -> expressions.Node:
    """The parsed expression, or the 400 naming what the sandbox's edge cannot run."""
    if not isinstance(text, str):
        raise validation_error("expression must be a string", pointer=pointer)
    try:
        return expressions.parse(text)
    except expressions.ExpressionError as error:
        raise validation_error(f"'{text}' is not supported by the sandbox's edge: {error}",
                               pointer=pointer) from None


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_block(params: dict[str, Any], pointer: str, default_status: int) -> None:
    """A block's optional custom response: status 400-499, content and its type."""
    response = params.get("response")
    if set(params) - {"response"}:
        raise validation_error("a block takes only action_parameters.response", pointer=pointer)
    if response is None:
        return
    pointer += "/response"
    if not isinstance(response, dict) or not {"status_code", "content", "content_type"} <= response.keys():
        raise validation_error("response needs status_code, content and content_type "
                               f"(the default answer is {default_status})", pointer=pointer)
    status = response["status_code"]
    if not _int(status) or not 400 <= status <= 499:
        raise validation_error("status_code must be between 400 and 499", pointer=pointer + "/status_code")
    for key in ("content", "content_type"):
        if not isinstance(response[key], str) or not response[key]:
            raise validation_error(f"{key} must be a non-empty string", pointer=f"{pointer}/{key}")


def check_skip(params: dict[str, Any], pointer: str) -> None:
    """Skip the rest of this ruleset (`ruleset: current`), later phases, and/or legacy products."""
    if not params or set(params) - {"ruleset", "phases", "products"}:
        raise validation_error("a skip takes ruleset, phases or products", pointer=pointer)
    if "ruleset" in params and "phases" in params:
        raise validation_error("ruleset and phases cannot be combined", pointer=pointer)
    if "ruleset" in params and params["ruleset"] != "current":
        raise validation_error("ruleset must be 'current'", pointer=pointer + "/ruleset")
    for key, allowed in (("phases", SKIPPABLE_PHASES), ("products", SKIPPABLE_PRODUCTS)):
        values = params.get(key)
        if values is None:
            continue
        if (not isinstance(values, list) or not values or len(set(values)) != len(values)
                or not set(values) <= allowed):
            raise validation_error(f"{key} must be a non-empty list of {', '.join(sorted(allowed))}",
                                   pointer=f"{pointer}/{key}")


def check_custom(action: str, params: Any, pointer: str) -> None:
    if not isinstance(params, dict):
        raise validation_error("action_parameters must be an object", pointer=pointer)
    if action == "block":
        check_block(params, pointer, 403)
    elif action == "skip":
        check_skip(params, pointer)
    elif params:
        raise validation_error(f"the {action} action takes no action_parameters", pointer=pointer)


def check_ratelimit(plan: str, data: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The rule's ratelimit object, checked against the zone's plan; returned as stored."""
    limits, action, where = RATE_LIMITS[plan], data["action"], pointer + "/ratelimit"
    ratelimit = data.get("ratelimit")
    if not isinstance(ratelimit, dict):
        raise validation_error("a rate limiting rule needs a ratelimit object", pointer=where)
    unknown = set(ratelimit) - {"characteristics", "period", "requests_per_period", "mitigation_timeout",
                                "counting_expression", "requests_to_origin"}
    if unknown:
        raise validation_error(f"ratelimit does not take {', '.join(sorted(unknown))} in the sandbox",
                               pointer=where)
    characteristics = ratelimit.get("characteristics")
    if not isinstance(characteristics, list) or COLO not in characteristics:
        raise validation_error(f"characteristics must be a list including {COLO}",
                               pointer=where + "/characteristics")
    if {IP, NAT_IP} <= set(characteristics):
        raise validation_error(f"{IP} and {NAT_IP} cannot be combined", pointer=where + "/characteristics")
    if extra := set(characteristics) - limits.characteristics:
        raise not_entitled(f"characteristic {sorted(extra)[0]}", plan, where + "/characteristics")
    for key in ("period", "requests_per_period", "mitigation_timeout"):
        if not _int(ratelimit.get(key)) or ratelimit[key] < (0 if key == "mitigation_timeout" else 1):
            raise validation_error(f"{key} must be a positive integer", pointer=f"{where}/{key}")
    if ratelimit["period"] not in limits.periods:
        raise not_entitled(f"period {ratelimit['period']} (allowed: {_listed(limits.periods)})", plan,
                           where + "/period")
    timeouts = limits.timeouts if action not in CHALLENGES or limits.challenge_timeout else (0,)
    if ratelimit["mitigation_timeout"] not in timeouts:
        raise not_entitled(f"mitigation_timeout {ratelimit['mitigation_timeout']} with action {action} "
                           f"(allowed: {_listed(timeouts)})", plan, where + "/mitigation_timeout")
    if ratelimit.get("counting_expression"):
        if not limits.counting_expression:
            raise not_entitled("a custom counting_expression", plan, where + "/counting_expression")
        parsed(ratelimit["counting_expression"], where + "/counting_expression")
    if not isinstance(ratelimit.get("requests_to_origin", False), bool):
        raise validation_error("requests_to_origin must be a boolean", pointer=where + "/requests_to_origin")
    used = expressions.fields_of(parsed(data["expression"], pointer + "/expression"))
    if outside := used - limits.fields:
        raise not_entitled(f"the field {sorted(outside)[0]} in a rate limiting rule's expression", plan,
                           pointer + "/expression")
    return dict(ratelimit)


def check_ratelimit_action(action: str, params: Any, pointer: str) -> None:
    if not isinstance(params, dict):
        raise validation_error("action_parameters must be an object", pointer=pointer)
    if action == "block":
        check_block(params, pointer, 429)
    elif params:
        raise validation_error(f"the {action} action takes no action_parameters", pointer=pointer)


def check_rewrite(params: Any, pointer: str) -> None:
    """Response header operations: set / add need a value (or an expression), remove takes none."""
    headers = params.get("headers") if isinstance(params, dict) else None
    if not isinstance(headers, dict) or not headers or set(params) != {"headers"}:
        raise validation_error("a response header transform takes action_parameters.headers "
                               "(the sandbox does not rewrite URIs here)", pointer=pointer)
    for name, op in headers.items():
        where = f"{pointer}/headers/{name}"
        if not HEADER_NAME.match(name):
            raise validation_error(f"{name!r} is not a valid header name", pointer=where)
        operation = op.get("operation") if isinstance(op, dict) else None
        if operation not in OPERATIONS:
            raise validation_error(f"operation must be one of {', '.join(OPERATIONS)}",
                                   pointer=where + "/operation")
        sources = {"value", "expression"} & set(op)
        if set(op) - {"operation", "value", "expression"}:
            raise validation_error("a header operation takes operation, value or expression", pointer=where)
        if operation == "remove":
            if sources:
                raise validation_error("remove takes no value", pointer=where)
            continue
        if len(sources) != 1:
            raise validation_error(f"{operation} needs a value or an expression", pointer=where)
        if "value" in op and (not isinstance(op["value"], str) or not op["value"]):
            raise validation_error("value must be a non-empty string", pointer=where + "/value")
        if "expression" in op:
            parsed(op["expression"], where + "/expression")


def _listed(values: tuple[int, ...]) -> str:
    return ", ".join(map(str, values))
