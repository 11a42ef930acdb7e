"""Stage 2 checks of the product's API (OWASP API Security Top 10 2023: API2 broken
authentication, API1 broken object-level authorisation, API5 broken function-level
authorisation): protected routes refuse missing, garbage and forged tokens; user B cannot read,
change or delete user A's object; a normal user cannot reach admin routes, even claiming a role."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

import httpx

from stages.base import Check
from stages.checks.api_common import JSON, api_probe, each, json_of, seen
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.api_client import ApiSession, BoundReached, locate, marker, render
from wizard.probes.api_paths import PathFiller
from wizard.probes.jwt_forge import forged
from wizard.sections import Resource, split_route

REFUSED = (401, 403)
IDENTITY_KEYS = ("id", "sub", "user_id", "userId", "email", "username", "login")
MARKER_MIN = 4  # shorter values (ids like 1 or c_1) would match by chance


# ---------------------------------------------------------------- auth.protected-routes


def identity(data: Any) -> list[str]:
    """The identifying values (ids, e-mails) anywhere in a JSON response: what must not show to
    someone who is not signed in."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in IDENTITY_KEYS and isinstance(value, (str, int)) and len(str(value)) >= MARKER_MIN:
                found.append(str(value))
            else:
                found += identity(value)
    elif isinstance(data, list):
        for item in data:
            found += identity(item)
    return found


def _token_carrier(session: dict[str, str]) -> tuple[str | None, Any]:
    """User A's token, and how to send another token the same way (bearer header or cookie)."""
    if auth := session.get("Authorization", ""):
        return auth.removeprefix("Bearer ").strip(), lambda t: {"Authorization": f"Bearer {t}"}
    name, _, value = session.get("Cookie", "").partition("=")
    return value or None, lambda t: {"Cookie": f"{name}={t}"}


WRITES = ("POST", "PUT", "PATCH", "DELETE")
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}  # deletes last: they end objects


def reads_first(routes: list[str]) -> list[str]:
    return sorted(routes, key=lambda r: METHOD_ORDER[split_route(r)[0]])


@api_probe(write=False)
async def protected_routes(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    routes = s.api.protected_routes
    if not routes:
        return [check.finding(s.api.base_url or "", Status.SKIPPED, "api.protected_routes lists no route",
                              remediation="List the routes only a signed-in user may call (e.g. /api/me, "
                                          "PATCH /api/me), or run `launch-ready api discover`.")]
    token, carry = _token_carrier(await s.auth("user_a"))  # counted with the first route
    filler = PathFiller(s)
    return await each(check, s, filler, reads_first(routes),
                      lambda route: _try_route(check, s, filler, route, token, carry))


async def _try_route(check: Check, s: ApiSession, filler: PathFiller, route: str, token: str | None,
                     carry: Any) -> Finding:
    """One operation: what user A sees (GETs), then no token, garbage and forged tokens."""
    method, template = split_route(route)
    if method in WRITES:
        s.require_write()
    filled = await filler.fill(route)
    own_status, markers = None, [*filter(None, [s.api.accounts.user_a])]
    if method == "GET":  # the markers a refused caller must not see
        owned = await s.request("GET", filled.path, account="user_a")
        own_status, markers = owned.status_code, [*identity(json_of(owned)), *markers]
    attempts = {"no token": None, "garbage token": f"launch-ready-{secrets.token_hex(16)}",
                **forged(token, markers[0] if markers else None)}
    body = "{}" if method in ("POST", "PUT", "PATCH") else None
    tried, problem = [], None
    try:
        for name, value in attempts.items():
            headers = {**({} if value is None else carry(value)), **(JSON if body else {})}
            response = await s.request(method, filled.path, headers=headers, content=body)
            tried.append({"operation": f"{method} {template}", "attempt": name, "status": response.status_code,
                          "data_shown": seen(response, *markers)})
    except BoundReached as exc:
        problem = str(exc)
    return _route_finding(check, route, method, filled.path, own_status, tried, len(markers), problem)


def _route_finding(check: Check, route: str, method: str, path: str, own_status: int | None,
                   tried: list[dict], markers: int, problem: str | None) -> Finding:
    evidence = {"requests": 0, "method": method, "sent_to": path, "user_a_status": own_status,
                "markers_compared": markers, "attempts": tried}
    let_in = [t["attempt"] for t in tried if t["data_shown"] or 200 <= t["status"] < 300]
    odd = [f"{t['attempt']} -> {t['status']}" for t in tried if t["status"] not in REFUSED]
    name = f"{method} {path}"
    if let_in:
        shown = any(t["data_shown"] for t in tried)
        return check.finding(
            route, Status.FAIL, f"{name} let in: {', '.join(let_in)}"
            + (" (with user A's data)" if shown else ""), evidence,
            remediation="Check every request's token on the server: a valid signature with an "
                        "allow-list of algorithms (never 'none'), an unexpired 'exp', else 401 "
                        "with no data. Use your framework's auth middleware on every route.")
    if problem:
        return check.finding(route, Status.ERROR, problem, evidence)
    if odd:
        return check.finding(route, Status.WARN, f"{name} gave no data, but answered "
                             f"{', '.join(odd)} instead of 401", evidence,
                             remediation="Answer a missing or bad token with 401 (403 at most).")
    return check.finding(route, Status.PASS, f"{name} refused all {len(tried)} attempts "
                         "(no token, garbage, expired and alg:none JWTs)", evidence)


# ---------------------------------------------------------------- auth.bola


@api_probe(write=True)
async def bola(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    if not s.api.resources:
        return [check.finding(s.api.base_url or "", Status.SKIPPED, "api.resources lists no object",
                              remediation="Describe the objects a user owns (api.resources): how to "
                                          "create one and its URL with {id}; `launch-ready api "
                                          "discover` finds them in the OpenAPI document.")]
    await s.auth("user_b")  # both accounts first: nothing is created for a test that cannot run
    findings, mark = [], 0  # the logins count with the first object
    for resource in s.api.resources:
        try:
            finding = await _bola_one(check, s, resource)
        except BoundReached as exc:
            finding = check.finding(resource.url, Status.ERROR, str(exc), {})
        finding.evidence["requests"] = s.sent - mark
        mark = s.sent
        findings.append(finding)
    return findings


async def _bola_one(check: Check, s: ApiSession, resource: Resource) -> Finding:
    """User A creates an object with a marker; user B tries every method on it; A re-reads it."""
    subject = resource.url
    own, theirs = marker("bola-a"), marker("bola-b")
    created = await s.request(resource.create_method, resource.create_url, account="user_a",
                              headers=JSON, content=render(resource.create_body, marker=own))
    object_id = locate(created, resource.id_from)
    if created.status_code >= 300 or object_id in (None, ""):
        return check.finding(subject, Status.ERROR, f"creating the object as user A failed: "
                             f"{resource.create_method} {resource.create_url} answered "
                             f"{created.status_code} (id at {resource.id_from}: {object_id!r})", {})
    url = resource.url.replace("{id}", quote(str(object_id), safe=""))
    tried: list[dict] = []
    after: httpx.Response | None = None
    cleanup: int | None = None
    try:
        for method in sorted(resource.methods, key=METHOD_ORDER.__getitem__):
            body = render(resource.update_body, marker=theirs) if method in ("PUT", "PATCH", "POST") else None
            response = await s.request(method, url, account="user_b", headers=JSON if body else None,
                                       content=body)
            tried.append({"operation": f"{method} {resource.url}", "as": "user_b", "method": method,
                          "status": response.status_code, "marker_seen": seen(response, own)})
        after = await s.request("GET", url, account="user_a")
    finally:
        if after is None or after.status_code < 300:
            cleanup = (await s.request("DELETE", url, account="user_a")).status_code
    return _bola_finding(check, subject, resource, url, tried, after, own, theirs, cleanup)


def _bola_finding(check: Check, subject: str, resource: Resource, url: str, tried: list[dict],
                  after: httpx.Response, own: str, theirs: str, cleanup: int | None) -> Finding:
    gone = after.status_code >= 300
    unchanged = not gone and seen(after, own) and not seen(after, theirs)
    evidence = {"requests": 0, "object": url, "name": resource.name, "attempts": tried,
                "after": {"status": after.status_code, "unchanged": unchanged},
                "cleanup_status": cleanup}
    through = [f"{t['method']} -> {t['status']}" for t in tried
               if t["marker_seen"] or 200 <= t["status"] < 300]
    what = f"user A's {resource.name}" if resource.name else "user A's object"
    if through or not unchanged:
        effect = "deleted it" if gone else ("changed it" if not unchanged else "")
        return check.finding(subject, Status.FAIL, f"User B reached {what}: "
                             + ", ".join(filter(None, [*through, effect])), evidence,
                             remediation="Check ownership on the server for every object "
                                         "access: load the object by id AND the signed-in "
                                         "user, answer 404 (or 403) otherwise.")
    if any(t["status"] == 401 for t in tried):
        return check.finding(subject, Status.ERROR, "user B's requests were answered 401: is user B "
                             "signed in? (check the user-b credential)", evidence)
    odd = [f"{t['method']} -> {t['status']}" for t in tried if t["status"] not in (403, 404)]
    if odd:
        return check.finding(subject, Status.WARN, f"User B could not reach {what}, but "
                             f"got {', '.join(odd)} instead of 403/404", evidence,
                             remediation="Answer another user's object with 404 (or 403).")
    methods = ", ".join(t["method"] for t in tried)
    return check.finding(subject, Status.PASS, f"User B's {methods} of {what} "
                         "were refused and it is unchanged", evidence)


# ---------------------------------------------------------------- auth.admin-routes

ROLE_CLAIMS: tuple[tuple[str, dict[str, str], dict[str, str]], ...] = (
    ("user A", {}, {}),
    ("X-Role: admin", {"X-Role": "admin"}, {}),
    ("X-Admin: true", {"X-Admin": "true"}, {}),
    ("X-User-Role: admin", {"X-User-Role": "admin"}, {}),
    ("?admin=true", {}, {"admin": "true"}),
    ("?role=admin", {}, {"role": "admin"}),
    ("?debug=1", {}, {"debug": "1"}),
)


@api_probe(write=False)
async def admin_routes(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    routes = s.api.admin_routes
    if not routes:
        return [check.finding(s.api.base_url or "", Status.SKIPPED, "api.admin_routes lists no route",
                              remediation="List the admin API's routes (e.g. /api/admin/users).")]
    filler = PathFiller(s)
    return await each(check, s, filler, routes, lambda route: _admin_route(check, s, filler, route))


async def _admin_route(check: Check, s: ApiSession, filler: PathFiller, route: str) -> Finding:
    """One admin route as user A: plain, then claiming a role every way ROLE_CLAIMS knows."""
    method, template = split_route(route)
    if method != "GET":
        return check.finding(route, Status.SKIPPED, f"{route}: only GET admin routes are tried (a "
                             "write as a would-be admin could change data)", {})
    filled = await filler.fill(route)
    tried, problem = [], None
    try:
        for name, headers, params in ROLE_CLAIMS:
            response = await s.request("GET", filled.path, account="user_a", headers=headers,
                                       params=params or None)
            tried.append({"operation": f"GET {template}", "attempt": name, "status": response.status_code})
    except BoundReached as exc:
        problem = str(exc)
    return _admin_finding(check, route, template, tried, {"attempts": tried}, problem)


def _admin_finding(check: Check, route: str, path: str, tried: list[dict], evidence: dict,
                   problem: str | None) -> Finding:
    granted = [t["attempt"] for t in tried if 200 <= t["status"] < 300]
    if granted:
        return check.finding(route, Status.FAIL, f"GET {path} answered a normal user: "
                             + ", ".join(granted), evidence,
                             remediation="Check the admin role from the server-side session on "
                                         "every admin route; ignore role headers and query flags. "
                                         "Until then cf.waf-custom puts a challenge in front of them.",
                             fix="cf.waf-custom")
    if problem:
        return check.finding(route, Status.ERROR, problem, evidence)
    odd = [f"{t['attempt']} -> {t['status']}" for t in tried if t["status"] not in (*REFUSED, 404)]
    if odd:
        return check.finding(route, Status.WARN, f"GET {path} granted nothing, but answered "
                             + ", ".join(odd), evidence,
                             remediation="Answer a non-admin with 403 (or 401/404).")
    return check.finding(route, Status.PASS, f"GET {path} refused user A in all {len(tried)} "
                         "attempts (plain, role headers, query flags)", evidence)


API_STAGE2_CHECKS = (
    Check("auth.protected-routes", 2, "Protected API routes refuse missing and forged tokens",
          Severity.BLOCKER, protected_routes, timeout_s=120,
          description="Each api.protected_routes operation, every method, with no token, a garbage "
                      "token, an expired JWT and an alg:none JWT (forged from user A's session or "
                      "from scratch): 401 (403) with none of user A's data (OWASP API2:2023). "
                      "{slots} are filled from a fresh object of user A's or api.path_values; "
                      "writing methods only on staging, local or a confirmed production."),
    Check("auth.bola", 2, "One user cannot read, change or delete another user's object",
          Severity.BLOCKER, bola, timeout_s=120,
          description="For every api.resources object (by id or by name): user A creates one with a "
                      "marker, then user B tries each of its methods (GET, PATCH, PUT, DELETE): "
                      "403/404, no marker, object unchanged; deleted by user A afterwards (OWASP "
                      "API1:2023). Writes: staging, local or a confirmed production."),
    Check("auth.admin-routes", 2, "Admin API routes refuse normal users, whatever they claim",
          Severity.BLOCKER, admin_routes, timeout_s=120,
          description="Each api.admin_routes entry, GET as user A, then with X-Role / X-Admin / "
                      "X-User-Role headers and ?admin=true, ?role=admin, ?debug=1: 401/403 "
                      "every time (OWASP API5:2023)."),
)

CHECKS = API_STAGE2_CHECKS  # for stages.registry
