"""abuse.injection (OWASP API8:2023, injection): injection-shaped values in path slots and in
the query parameters the OpenAPI document lists must not turn into a server error or a database
error. Each input is first sent with a plain value (the baseline); a 5xx the baseline did not
give, or an answer that error-leakage's signatures flag, fails.

GETs only, as user A; bounded by api.bounds.per_probe (inputs past the bound are named, not
sent). Objects a path needs are created and deleted as for auth.protected-routes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

import httpx

from stages.base import Check
from stages.checks.api_accounts import row
from stages.checks.api_common import api_probe, each
from stages.checks.api_document import api_document
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.api_client import ApiSession
from wizard.probes.api_paths import PathFiller, slots
from wizard.probes.leakage import scan_body
from wizard.probes.openapi_doc import Document
from wizard.sections import split_route

# SQL quoting, a tautology, a comment, template syntax: what breaks a query or a template
# built by string concatenation.
PAYLOADS = ("'", '"', "1' OR '1'='1", "x');--", "{{7*7}}")
BASELINE = "launchready"  # a query value; a path slot's baseline is the value it was filled with
LEAKS = ("database error", "Python stack trace", "Node stack trace", "Java stack trace",
         "Ruby stack trace", "PHP error", "debug page")


@dataclass(frozen=True)
class Target:
    route: str  # GET /api/search
    where: str  # "query" or "path"
    name: str  # the parameter or slot

    @property
    def label(self) -> str:
        return f"{self.route} ?{self.name}=" if self.where == "query" else f"{self.route} {{{self.name}}}"


def targets(routes: list[str], document: Document | None) -> list[Target]:
    """Every slot of the GET routes, and every string query parameter the document gives a GET
    of those routes (or of any unsecured GET it lists)."""
    found: list[Target] = []
    for route in dict.fromkeys(routes):
        method, path = split_route(route)
        if method == "GET":
            found += [Target(f"GET {path}", "path", name) for name in slots(path)
                      if "{" + name + "}" in path.split("/")]
    listed = {split_route(r)[1] for r in routes}
    for op in document.operations if document else []:
        if op.method == "GET" and (op.path in listed or not op.secured):
            found += [Target(f"GET {op.path}", "query", p.name) for p in op.params
                      if p.location == "query" and p.type in (None, "string")]
    return list(dict.fromkeys(found))


@api_probe(write=False)
async def injection(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    document, why = await api_document(ctx, s)
    found = targets([*s.api.protected_routes, *(f"GET {r}" if r.startswith("/") else r
                                                for r in s.api.admin_routes)], document)
    if not found:
        return [check.finding(s.api.base_url or "", Status.SKIPPED, "no GET route with a {slot} and "
                              f"no documented query parameter to try ({why or 'the document lists none'})",
                              remediation="Set api.openapi (or run `launch-ready api discover`).")]
    per_target = len(PAYLOADS) + 1
    room = max(1, (s.remaining - 2 * len(s.api.resources)) // per_target)
    tried, untried = found[:room], found[room:]
    filler = PathFiller(s)
    findings = await each(check, s, filler, tried, lambda target: _try(check, s, filler, target),
                          lambda target: target.label)
    if untried:
        findings.append(check.finding(s.api.base_url or "", Status.WARN, f"{len(untried)} input(s) "
                                      "not tried within api.bounds.per_probe",
                                      {"not_tried": [t.label for t in untried]},
                                      remediation="Raise api.bounds.per_probe to try them all."))
    return findings


async def _try(check: Check, s: ApiSession, filler: PathFiller, target: Target) -> Finding:
    filled = await filler.fill(target.route)
    _, template = split_route(target.route)

    async def send(value: str) -> httpx.Response:
        if target.where == "query":
            return await s.request("GET", filled.path, account="user_a", params={target.name: value})
        return await s.request("GET", with_slot(template, filled.path, target.name, value),
                               account="user_a")

    plain = BASELINE if target.where == "query" else _segment(template, filled.path, target.name)
    baseline = await send(plain)
    attempts = [row(target.label, "user_a", "the baseline", f"{plain!r}: {baseline.status_code}",
                    Status.PASS if baseline.status_code < 500 else Status.WARN)]
    broke: list[str] = []
    statuses = set()
    for payload in PAYLOADS:
        answer = await send(payload)
        statuses.add(answer.status_code)
        hits = [h.kind for h in scan_body(answer.text, target.label) if h.kind in LEAKS]
        bad = hits or (answer.status_code >= 500 and baseline.status_code < 500)
        attempts.append(row(target.label, "user_a", "a 4xx or the baseline's answer",
                            f"{payload!r}: {answer.status_code}{'; ' + ', '.join(hits) if hits else ''}",
                            Status.FAIL if bad else Status.PASS))
        if bad:
            broke.append(f"{payload!r} -> {answer.status_code}{' (' + ', '.join(hits) + ')' if hits else ''}")
    evidence = {"attempts": attempts, "baseline_status": baseline.status_code}
    if broke:
        return check.finding(target.label, Status.FAIL, f"{target.label}: {'; '.join(broke)}", evidence,
                             remediation="Pass inputs to the database as bound parameters (never by "
                                         "string formatting), validate them against the documented "
                                         "type, and answer bad input with 400/422.")
    return check.finding(target.label, Status.PASS, f"{target.label}: {len(PAYLOADS)} injection-shaped "
                         f"values answered {', '.join(map(str, sorted(statuses)))}, no server or "
                         "database error", evidence)


def _segment(template: str, filled: str, name: str) -> str:
    """The value the filling gave slot `name` (the baseline: a real id of user A's)."""
    return unquote(next(f for t, f in zip(template.split("/"), filled.split("/"), strict=True)
                        if t == "{" + name + "}"))


def with_slot(template: str, filled: str, name: str, value: str) -> str:
    """The filled path with slot `name` (a whole segment of the template) set to `value`."""
    slot = "{" + name + "}"
    return "/".join(quote(value, safe="") if t == slot else f
                    for t, f in zip(template.split("/"), filled.split("/"), strict=True))


INJECTION_CHECKS = (
    Check("abuse.injection", 4, "Injection-shaped input gets a 4xx, never a server or database error",
          Severity.BLOCKER, injection, timeout_s=120,
          description="Each {slot} of the GET routes in api.protected_routes and api.admin_routes, "
                      "and each string query parameter the OpenAPI document lists for them (or for "
                      "an unsecured GET), as user A: a plain baseline value, then ' \" 1' OR "
                      "'1'='1 x');-- and {{7*7}}. A 5xx the baseline did not give, or a database "
                      "error, stack trace or debug page in the answer, fails (OWASP API8:2023)."),
)

CHECKS = INJECTION_CHECKS  # for stages.registry
