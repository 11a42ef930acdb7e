"""Rule fixes: the canonical redirect (cf.redirect-canonical), the private-URL cache bypass
(cf.cache-bypass-private) and the security headers (cf.security-headers), each rule of ours
merged into a phase others may use too.

Our rule is found again by its `ref` (a rule field Cloudflare keeps across PUTs), so re-planning
updates it in place instead of adding a second one. Every other rule stays, with its id, fields
and order. Placement follows Cloudflare's semantics: redirect rules stop at the first match, so
ours goes last and a more specific redirect someone wrote keeps winning; cache rules all apply
and a later rule overrides an earlier one, so the bypass goes last to win over a cache-everything
rule. Expressions stay inside the subset Cloudflare and the sandbox both accept (eq, in, and, or,
concat, http.host, http.request.uri.path).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from wizard.edge.draft import Draft
from wizard.edge.live_zone import CACHE_PHASE, HEADERS_PHASE, REDIRECT_PHASE
from wizard.edge.origin_facts import PlanFacts
from wizard.security_headers import to_add
from wizard.sprint import SprintConfig

REDIRECT_REF = "launch_ready_canonical_redirect"
BYPASS_REF = "launch_ready_private_no_cache"
HEADERS_REF = "launch_ready_security_headers"  # + "_<n>": one rule per set of hosts lacking the same headers
REDIRECT_CODES = (301, 308)
COMPARED = ("expression", "action", "action_parameters", "ratelimit", "enabled")  # what makes our rule ours


def quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid rules-language string literal


def _host_match(hosts: list[str]) -> str:
    if len(hosts) == 1:
        return f"http.host eq {quote(hosts[0])}"
    return "http.host in {" + " ".join(quote(h) for h in hosts) + "}"


def merge_rule(draft: Draft, fix: str, phase: str, ref: str, wanted: dict[str, Any], last: bool, note: str) -> bool:
    """Put `wanted` (our rule) into the phase: replaced in place, or moved/added last when
    `last`; unchanged (False) when the rule there already matches."""
    rules = draft.rules[phase]
    index = next((i for i, r in enumerate(rules) if r.get("ref") == ref), None)
    ours = rules[index] if index is not None else None
    in_place = ours is not None and (not last or index == len(rules) - 1)
    if in_place and ours is not None and all(ours.get(k) == wanted.get(k) for k in COMPARED):
        return False
    merged = {**(ours or {}), **wanted}
    others = [r for r in rules if r.get("ref") != ref]
    if in_place:
        new = [merged if r.get("ref") == ref else r for r in rules]
    else:
        new = [*others, merged]
    kept = f"; the {len(others)} other rule(s) of the phase are kept with their ids and order" if others else ""
    draft.set_rules(fix, phase, new, note=note + kept)
    return True


def plan_canonical_redirect(draft: Draft, config: SprintConfig, fix: str, status_code: int) -> None:
    if status_code not in REDIRECT_CODES:
        raise ValueError(f"the canonical redirect is permanent: status {status_code} is not one of {REDIRECT_CODES}")
    target = config.target
    canonical = target.canonical or target.domain  # what Target's validation makes it
    variants = [h for h in target.hosts if h != canonical and h in (target.domain, f"www.{target.domain}")]
    if not variants:
        draft.note(fix, "no apex or www variant besides the canonical host in target.hosts: nothing to redirect")
        return
    wanted = {
        "ref": REDIRECT_REF,
        "description": f"launch-ready {fix}: {', '.join(variants)} -> https://{canonical}",
        "expression": f"({_host_match(variants)})",
        "action": "redirect",
        "action_parameters": {"from_value": {
            "status_code": status_code,
            "target_url": {"expression": f"concat({quote('https://' + canonical)}, http.request.uri.path)"},
            "preserve_query_string": True}},
        "enabled": True,
    }
    earlier = [r.get("description") or r.get("id") for r in draft.rules[REDIRECT_PHASE]
               if r.get("ref") != REDIRECT_REF and any(v in r.get("expression", "") for v in variants)]
    if earlier:
        draft.note(fix, f"existing redirect rule(s) {', '.join(map(str, earlier))} also match "
                        f"{', '.join(variants)} and run first (the first matching redirect wins)")
    merge_rule(draft, fix, REDIRECT_PHASE, REDIRECT_REF, wanted, last=False,
           note=f"{', '.join(variants)} redirect to https://{canonical} with {status_code}, path and query kept")


def api_host(config: SprintConfig) -> str | None:
    """The chatbot API's host, when the sprint has an `api:` section with a base URL (issue 8
    adds it); None until then."""
    base = getattr(getattr(config, "api", None), "base_url", None)
    return urlsplit(base).hostname if base else None


def plan_cache_bypass(draft: Draft, config: SprintConfig, fix: str) -> None:
    paths: dict[str, list[str]] = {}
    for url in config.target.private_urls:
        parts = urlsplit(url)
        host = parts.hostname
        assert host is not None  # Target's validation gives every private URL a host
        paths.setdefault(host, [])
        if (parts.path or "/") not in paths[host]:
            paths[host].append(parts.path or "/")
    api = api_host(config)
    terms = [f"(http.host eq {quote(h)} and http.request.uri.path in {{{' '.join(map(quote, p))}}})"
             for h, p in paths.items() if h != api]
    terms += [f"(http.host eq {quote(api)})"] if api else []
    if not terms:
        draft.note(fix, "no target.private_urls and no API host configured: nothing to bypass")
        return
    wanted = {"ref": BYPASS_REF, "description": f"launch-ready {fix}: never cache private responses",
              "expression": " or ".join(terms), "action": "set_cache_settings",
              "action_parameters": {"cache": False}, "enabled": True}
    if merge_rule(draft, fix, CACHE_PHASE, BYPASS_REF, wanted, last=True,
              note="last in the phase, so it overrides earlier cache rules (later cache rules win); "
                   "paths match exactly, any query string"):
        draft.note(fix, "copies the edge already cached stay until they expire: purge the cache after "
                        "applying, and send Cache-Control: private, no-store from the origin as well")


def plan_security_headers(draft: Draft, config: SprintConfig, fix: str, facts: PlanFacts) -> None:
    """Response header transform rules setting the security headers each host's origin does not
    send (measured at the origin, so our own rule never hides what the app sends): hosts lacking
    the same headers share one rule. Our earlier rules are replaced; others' rules are kept."""
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for host in config.target.hosts:
        headers = facts.headers.get(host)
        if headers is None:
            draft.note(fix, f"{host}: its origin did not answer GET https://{host}/, so no header is set for it")
            continue
        if wanted := tuple(sorted(to_add(headers).items())):
            groups.setdefault(wanted, []).append(host)
    ours = []
    for n, (wanted, hosts) in enumerate(sorted(groups.items(), key=lambda g: g[1])):
        ours.append({"ref": f"{HEADERS_REF}_{n}", "description": f"launch-ready {fix}: "
                     f"{', '.join(name for name, _ in wanted)} for {', '.join(hosts)}",
                     "expression": f"({_host_match(hosts)})", "action": "rewrite",
                     "action_parameters": {"headers": {name: {"operation": "set", "value": value}
                                                       for name, value in wanted}},
                     "enabled": True})
    rules = draft.rules[HEADERS_PHASE]
    others = [r for r in rules if not str(r.get("ref", "")).startswith(HEADERS_REF)]
    mine = {r.get("ref"): r for r in rules if r not in others}
    merged = [{**mine.get(rule["ref"], {}), **rule} for rule in ours]
    if [{k: r.get(k) for k in ("ref", *COMPARED)} for r in rules if r not in others] == \
            [{k: r.get(k) for k in ("ref", *COMPARED)} for r in merged]:
        if not ours:
            draft.note(fix, "every host's origin already sends the five security headers")
        return
    kept = f"; the {len(others)} other rule(s) of the phase are kept with their ids and order" if others else ""
    draft.set_rules(fix, HEADERS_PHASE, [*others, *merged],
                    note="headers the origin does not send, set at the edge; the origin's own are "
                         "left as they are (a header the app starts sending later is overridden "
                         f"by this rule: re-plan then){kept}")
    draft.note(fix, "Content-Security-Policy-Report-Only reports nothing until a report-to/report-uri "
                    "directive names a collector; enforce the policy once the browser console is clean")
