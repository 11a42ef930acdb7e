"""What each Cloudflare plan allows in the security phases, so a rule the emulator accepts on a
Free zone is one Cloudflare accepts there too.

Sources (Cloudflare's docs): rate limiting rules, "Availability" table
(developers.cloudflare.com/waf/rate-limiting-rules/#availability) and the API values of period
and mitigation_timeout (.../rate-limiting-rules/parameters/); custom rules, "Availability"
(developers.cloudflare.com/waf/custom-rules/#availability); Transform Rules, "Availability"
(developers.cloudflare.com/rules/transform/#availability). Fields the sandbox's edge cannot
evaluate (URI, query, user agent, bot fields) are left out of every plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from .envelope import ApiError

HOST, PATH, METHOD = "http.host", "http.request.uri.path", "http.request.method"
IP, NAT_IP, COLO = "ip.src", "cf.unique_visitor_id", "cf.colo.id"
CHALLENGES = frozenset({"managed_challenge", "js_challenge", "challenge"})
ENTITLEMENT = 20217  # Cloudflare's code for a ruleset its plan does not allow (seen on http_ratelimit)


@dataclass(frozen=True)
class RateLimitPlan:
    rules: int
    periods: tuple[int, ...]
    timeouts: tuple[int, ...]  # for block and log; challenges take 0 below Enterprise
    fields: frozenset[str]  # the rule expression's fields
    characteristics: frozenset[str]
    counting_expression: bool
    challenge_timeout: bool  # Enterprise may give a challenge a duration


_UP_TO_HOUR = (10, 60, 120, 300, 600, 3600)
RATE_LIMITS = {
    "free": RateLimitPlan(1, (10,), (10,), frozenset({PATH}), frozenset({IP, COLO}), False, False),
    "pro": RateLimitPlan(2, (10, 60), _UP_TO_HOUR, frozenset({HOST, PATH}), frozenset({IP, COLO}),
                         False, False),
    "business": RateLimitPlan(5, (10, 60, 120, 300, 600), (*_UP_TO_HOUR, 86400),
                              frozenset({HOST, PATH, METHOD}), frozenset({IP, NAT_IP, COLO}), True, False),
    "enterprise": RateLimitPlan(100, _UP_TO_HOUR, (0, *_UP_TO_HOUR, 86400),
                                frozenset({HOST, PATH, METHOD}), frozenset({IP, NAT_IP, COLO}), True, True),
}
CUSTOM_RULES = {"free": 5, "pro": 20, "business": 100, "enterprise": 1000}
TRANSFORM_RULES = {"free": 10, "pro": 25, "business": 50, "enterprise": 300}


def plan_of(plan: str) -> str:
    """The zone's plan as the tables know it (an unknown one is held to Free's limits)."""
    return plan if plan in RATE_LIMITS else "free"


def not_entitled(what: str, plan: str, pointer: str) -> ApiError:
    return ApiError(400, ENTITLEMENT, f"{what} is not available on the {plan} plan", pointer=pointer)
