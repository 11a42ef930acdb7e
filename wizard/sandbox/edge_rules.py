"""The zone's security and transform rules as the edge runs them: custom rules
(http_request_firewall_custom), then rate limiting rules (http_ratelimit), both before the cache
and the origin; response header transforms (http_response_headers_transform) on what the cache
or the origin answered.

Answers: a block is Cloudflare's 403 "Error 1020" page (or the rule's custom response); a
challenge (managed, JS or interactive) is a 403 challenge page with `cf-mitigated: challenge`,
which no sandbox client can solve; a rate limiting block is 429 "Error 1015" with Retry-After.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from wizard.sandbox import expressions
from wizard.sandbox.edge_errors import EdgeError, error_page
from wizard.sandbox.edge_ratelimit import RateCounters
from wizard.sandbox.http_server import Request, Response

log = logging.getLogger(__name__)

COLO = "SBX"  # the sandbox's one pretend data center (cf.colo.id)
CHALLENGES = frozenset({"managed_challenge", "js_challenge", "challenge"})
ACCESS_DENIED = EdgeError(403, 1020, "Access denied", "A custom rule of the site's security settings "
                                                      "blocked this request.")
RATE_LIMITED = EdgeError(429, 1015, "You are being rate limited",
                         "A rate limiting rule of the site's security settings blocked this request.")
_CHALLENGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title></head>
<body><h1>Checking if the site connection is secure</h1>
<p>This challenge needs a browser; the sandbox's edge never lets it pass.</p></body></html>
"""


@lru_cache(maxsize=256)
def _parsed(expression: str) -> expressions.Node:
    return expressions.parse(expression)


def evaluate(expression: str, fields: dict[str, str]) -> Any:
    """The expression's value, or None when it is outside the supported subset."""
    try:
        return expressions.evaluate(_parsed(expression), fields)
    except expressions.ExpressionError as exc:
        log.warning("edge skips expression %r: %s", expression, exc)
        return None


def matches(rule: dict[str, Any], fields: dict[str, str]) -> bool:
    return evaluate(rule["expression"], fields) is True


def challenge_page() -> Response:
    return Response.html(403, _CHALLENGE_PAGE, [("cf-mitigated", "challenge"),
                                                ("Cache-Control", "private, max-age=0, no-store")])


def _answer(action: str, params: dict[str, Any], default: EdgeError, host: str, ray: str) -> Response:
    """What a terminating action answers: the block page (or its custom response), a challenge."""
    if action in CHALLENGES:
        return challenge_page()
    custom = params.get("response")
    if custom:
        return Response(int(custom["status_code"]), [("Content-Type", str(custom["content_type"]))],
                        str(custom["content"]).encode())
    return error_page(default, host, ray)


def custom_rules(rules: list[dict[str, Any]], fields: dict[str, str], host: str,
                 ray: str) -> tuple[Response | None, frozenset[str]]:
    """Run the custom rules in order: the answer of the first block or challenge (None if the
    request goes on), and the later phases a skip rule asked to skip."""
    skipped: set[str] = set()
    for rule in rules:
        if not matches(rule, fields):
            continue
        action, params = rule["action"], rule["action_parameters"]
        if action == "skip":
            skipped.update(params.get("phases", ()))
            if params.get("ruleset") == "current":
                break
        elif action != "log":
            return _answer(action, params, ACCESS_DENIED, host, ray), frozenset(skipped)
    return None, frozenset(skipped)


@dataclass
class RateLimiting:
    """Rate limiting rules over one request: the answer now, and the counts to make once the
    origin has answered (rules with requests_to_origin count only requests that reached it)."""

    counters: RateCounters
    now: float
    after_origin: list[tuple[Hashable, dict[str, Any]]] = field(default_factory=list)

    def check(self, rules: list[dict[str, Any]], request: Request, fields: dict[str, str],
              ray: str) -> Response | None:
        for rule in rules:
            limit, matched = rule["ratelimit"], matches(rule, fields)
            counting = limit.get("counting_expression")  # counts apart from the rule's expression
            counted = evaluate(counting, fields) is True if counting else matched
            if not (matched or counted):
                continue
            key = (rule["id"], *(_characteristic(name, request) for name in limit["characteristics"]))
            left = self.counters.mitigation_left(key, self.now) if matched else None
            if left is None and counted and limit.get("requests_to_origin"):
                self.after_origin.append((key, limit))
            elif left is None and counted:
                left = self._count(key, limit)
            if matched and left is not None and rule["action"] != "log":
                return self._answer(rule, left, request.host, ray)
        return None

    def origin_reached(self) -> None:
        """Count the requests_to_origin rules' requests (the cache did not answer)."""
        for key, limit in self.after_origin:
            self._count(key, limit)

    def _count(self, key: Hashable, limit: dict[str, Any]) -> int | None:
        """Count one request; the seconds of mitigation it triggers, None while under the rate."""
        period, timeout = int(limit["period"]), int(limit["mitigation_timeout"])
        if self.counters.count(key, period, self.now) <= int(limit["requests_per_period"]):
            return None
        if timeout:
            self.counters.mitigate(key, self.now + timeout)
            return timeout
        return self.counters.window_left(period, self.now)  # throttling: until the window ends

    @staticmethod
    def _answer(rule: dict[str, Any], left: int, host: str, ray: str) -> Response:
        response = _answer(rule["action"], rule["action_parameters"], RATE_LIMITED, host, ray)
        if rule["action"] == "block":
            response.set_header("Retry-After", str(left))
        return response


def _characteristic(name: str, request: Request) -> str:
    """The value a characteristic counts by: the client's address for ip.src and
    cf.unique_visitor_id (no NAT detection here), the sandbox's colo for cf.colo.id."""
    return COLO if name == "cf.colo.id" else request.client


def transform_headers(rules: list[dict[str, Any]], fields: dict[str, str], response: Response) -> None:
    """Every matching rule's header operations, in order: set replaces (whatever the origin
    sent), add appends another header of that name, remove drops them all."""
    for rule in rules:
        if rule["action"] != "rewrite" or not matches(rule, fields):
            continue
        for name, op in rule["action_parameters"].get("headers", {}).items():
            value = op["value"] if "value" in op else evaluate(op.get("expression", ""), fields)
            if op["operation"] == "remove":
                response.headers = [(k, v) for k, v in response.headers if k.lower() != name.lower()]
            elif value is None:
                continue
            elif op["operation"] == "set":
                response.set_header(name, str(value))
            else:
                response.headers.append((name, str(value)))
