"""Security rule fixes: cf.rate-limit, one rate limiting rule (phase http_ratelimit) over the
log-in, chat and webhook paths of the `api:` section; cf.waf-custom, the custom rules the
section justifies (phase http_request_firewall_custom).

The plan says what the zone's plan allows, and keeps to it: on Free one rate limiting rule whose
expression may test the path only (so it counts every host of the zone), a 10 s period and a
10 s mitigation timeout, counted per visitor IP and Cloudflare data centre. The thresholds come
from `cloudflare.rate_limit` in sprint.yaml (the setup form edits them); a value the plan cannot
take is replaced by the nearest allowed one, and the plan says so. Others' rules stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from wizard.edge.draft import Draft
from wizard.edge.fix_rules import merge_rule, quote
from wizard.edge.live_zone import CUSTOM_PHASE, RATELIMIT_PHASE
from wizard.sections import split_route
from wizard.sprint import SprintConfig

RATE_LIMIT_REF = "launch_ready_rate_limit"


@dataclass(frozen=True)
class Allowed:
    """What a plan allows for rate limiting rules (Cloudflare's availability table)."""

    rules: int
    periods: tuple[int, ...]
    timeouts: tuple[int, ...]
    host_field: bool  # may the expression test http.host


ALLOWED = {
    "free": Allowed(1, (10,), (10,), host_field=False),
    "pro": Allowed(2, (10, 60), (10, 60, 3600), host_field=True),
    "business": Allowed(5, (10, 60, 600), (10, 60, 600, 3600, 86_400), host_field=True),
}


def allowed(plan: str) -> Allowed:
    """The plan's limits; unknown plans (Enterprise) get Business's, the safe lower bound."""
    return ALLOWED.get(plan.split()[0].lower(), ALLOWED["business"])


def limited_paths(config: SprintConfig) -> list[str]:
    """The paths of api.login, api.chat and api.webhook on the API host, in that order."""
    api = config.api
    urls = [api.login.url if api.login else None, api.chat.url if api.chat else None,
            api.webhook.url if api.webhook else None]
    return list(dict.fromkeys(urlsplit(split_route(u)[1]).path or "/" for u in urls if u))


def _nearest(value: int, choices: tuple[int, ...]) -> int:
    return min(choices, key=lambda c: (abs(c - value), c))


def plan_rate_limit(draft: Draft, config: SprintConfig, fix: str) -> None:
    paths = limited_paths(config)
    if not paths:
        draft.note(fix, "api.login, api.chat and api.webhook are unset: no path to limit")
        return
    limits, wanted_limits = allowed(draft.live.plan), config.cloudflare.rate_limit
    period = _nearest(wanted_limits.period_s, limits.periods)
    timeout = _nearest(wanted_limits.mitigation_timeout_s, limits.timeouts)
    for name, asked, got in (("period", wanted_limits.period_s, period),
                             ("mitigation timeout", wanted_limits.mitigation_timeout_s, timeout)):
        if asked != got:
            draft.note(fix, f"the {name} of {asked} s is not available on the {draft.live.plan} plan: {got} s")
    expression = "http.request.uri.path in {" + " ".join(map(quote, paths)) + "}"
    host = urlsplit(config.api.base_url or "").hostname
    if limits.host_field and host:
        expression = f"(http.host eq {quote(host)} and {expression})"
    wanted = {
        "ref": RATE_LIMIT_REF,
        "description": f"launch-ready {fix}: {', '.join(paths)}",
        "expression": expression,
        "action": "block",
        "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": period,
                      "requests_per_period": wanted_limits.requests_per_period,
                      "mitigation_timeout": timeout},
        "enabled": True,
    }
    others = [r for r in draft.rules[RATELIMIT_PHASE] if r.get("ref") != RATE_LIMIT_REF]
    if len(others) >= limits.rules:
        draft.note(fix, f"the {draft.live.plan} plan allows {limits.rules} rate limiting rule(s) and "
                        f"the zone has {len(others)} already: nothing planned; merge ours into one of them")
        return
    scope = ("every host of the zone (the Free plan's expressions test the path only)"
             if not limits.host_field else host or "the zone")
    merge_rule(draft, fix, RATELIMIT_PHASE, RATE_LIMIT_REF, wanted, last=True,
               note=f"{wanted_limits.requests_per_period} requests per {period} s per visitor IP on "
                    f"{', '.join(paths)} at {scope}; over it: 429 for {timeout} s")
    if len(paths) > 1 and limits.rules == 1:
        draft.note(fix, "one rule on this plan: the paths share one counter per visitor; with more rules "
                        "(Pro and up) each path can get its own threshold")


WAF_REF = "launch_ready_waf"  # + "_webhook_post_only" / "_admin_challenge"
OTHER_METHODS = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")
CUSTOM_RULES_ALLOWED = {"free": 5, "pro": 20, "business": 100}


def _path_match(paths: list[str]) -> str:
    """Exact paths in one set; a path with {slots} matches by its prefix before the first slot."""
    exact = [p for p in paths if "{" not in p]
    prefixes = list(dict.fromkeys(p.split("{")[0] for p in paths if "{" in p))
    terms = ([f"http.request.uri.path in {{{' '.join(map(quote, exact))}}}"] if exact else [])
    terms += [f"starts_with(http.request.uri.path, {quote(p)})" for p in prefixes]
    return " or ".join(terms)


def plan_waf_custom(draft: Draft, config: SprintConfig, fix: str) -> None:
    """Custom rules (phase http_request_firewall_custom) the api: section justifies: only POST
    reaches the webhook path; the admin routes get a managed challenge (a stopgap while the app
    checks roles itself: auth.admin-routes found normal users getting in)."""
    api, host = config.api, urlsplit(config.api.base_url or "").hostname
    on_host = f"http.host eq {quote(host)} and " if host else ""
    ours: list[tuple[str, dict, str]] = []
    if api.webhook:
        path = urlsplit(api.webhook.url).path or "/"
        ours.append((f"{WAF_REF}_webhook_post_only", {
            "description": f"launch-ready {fix}: only POST reaches the webhook {path}",
            "expression": f"({on_host}http.request.uri.path eq {quote(path)} and "
                          f"http.request.method in {{{' '.join(map(quote, OTHER_METHODS))}}})",
            "action": "block", "enabled": True},
            f"{path}: every method but POST blocked (the payment provider only POSTs)"))
    admin = [split_route(r)[1] for r in api.admin_routes]
    if admin:
        ours.append((f"{WAF_REF}_admin_challenge", {
            "description": f"launch-ready {fix}: admin routes challenged",
            "expression": f"({on_host}({_path_match(admin)}))",
            "action": "managed_challenge", "enabled": True},
            "admin routes get a managed challenge: a browser passes it, scripts and scanners do "
            "not (an admin API client of yours then needs a skip rule for its address)"))
    if not ours:
        draft.note(fix, "api.webhook and api.admin_routes are unset: no custom rule to add")
        return
    limit = CUSTOM_RULES_ALLOWED.get(draft.live.plan.split()[0].lower(), 100)
    others = [r for r in draft.rules[CUSTOM_PHASE] if not str(r.get("ref", "")).startswith(WAF_REF)]
    if len(others) + len(ours) > limit:
        draft.note(fix, f"the {draft.live.plan} plan allows {limit} custom rules and the zone has "
                        f"{len(others)}: nothing planned")
        return
    for ref, rule, note in ours:
        merge_rule(draft, fix, CUSTOM_PHASE, ref, {"ref": ref, **rule}, last=True, note=note)
    draft.note(fix, "Bot Fight Mode cannot skip /api/* on the Free plan (Super Bot Fight Mode on Pro "
                    "and up can, with a skip rule); the zone's security level is left as it is")
