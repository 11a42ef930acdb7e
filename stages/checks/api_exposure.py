"""auth.data-exposure (OWASP API3:2023, excessive data exposure): what user A's own reads carry
beyond what a client needs. Every GET of api.protected_routes (and the account's own record) is
read as user A and searched for password hashes and secret-named fields, other users' e-mails,
and fields the OpenAPI document does not declare for that response; a route whose {slot} is
user A's own id (a `me:` path value) is also read with user B's id, as user A.

Reads only: objects a route needs are created and deleted as for auth.protected-routes (so those
routes need staging, local or a confirmed production)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from stages.base import Check
from stages.checks.api_accounts import account_of, row
from stages.checks.api_common import api_probe, each, json_of
from stages.checks.api_document import api_document
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.api_client import ApiSession
from wizard.probes.api_paths import PathFiller, locate_json, resource_for, slots
from wizard.probes.openapi_doc import Document
from wizard.sections import split_route

MAX_ROUTES = 25
SECRET_KEY = re.compile(r"^(?:password|passwd|pwd|pass_?hash|password_?(?:hash|digest|salt)|hashed_?password"
                        r"|salt|(?:client|api|otp|totp|mfa)_?secret|secret|(?:reset|refresh|"
                        r"verification)_?token|private_?key|ssn)$", re.IGNORECASE)
HASH_VALUE = re.compile(r"^(?:\$2[abxy]?\$\d\d\$|\$argon2(?:id|i|d)\$|\$[156]\$|pbkdf2[_:$]|scrypt[:$]"
                        r"|sha(?:1|256|512)\$|md5\$|bcrypt\$)")
EMAIL = re.compile(r"^[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+$")
MAX_NODES = 5000  # a response walked further than this is cut short


def exposures(data: Any, own: set[str]) -> tuple[list[str], list[str]]:
    """(secret fields and hash values, e-mail addresses that are not the caller's) anywhere in
    a JSON answer, as dotted paths."""
    secrets_, emails = [], []
    stack: list[tuple[str, Any]] = [("", data)]
    for _ in range(MAX_NODES):
        if not stack:
            break
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                if SECRET_KEY.match(str(key)) and item not in (None, "", False):
                    secrets_.append(path)
                else:
                    stack.append((path, item))
        elif isinstance(value, list):
            stack += [(f"{where}.{i}", item) for i, item in enumerate(value[:200])]
        elif isinstance(value, str):
            if HASH_VALUE.match(value):
                secrets_.append(f"{where} (a password hash)")
            elif EMAIL.match(value) and value.lower() not in own:
                emails.append(value)
    return sorted(secrets_), sorted(set(emails))


def undeclared(document: Document | None, template: str, data: Any) -> list[str]:
    """Top-level fields of a GET's answer that its documented response schema does not list."""
    operation = document.operation("GET", template) if document else None
    declared = operation.response_fields if operation else None
    if declared is None or not isinstance(data, dict):
        return []
    return sorted(k for k in data if k not in declared)


@api_probe(write=False)
async def data_exposure(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    account = account_of(s)
    routes = [r for r in dict.fromkeys([f"GET {account.me_url}", *s.api.protected_routes])
              if split_route(r)[0] == "GET"][:MAX_ROUTES]
    document, why = await api_document(ctx, s)
    filler = PathFiller(s)
    me_a = await filler.me("user_a")
    own = {str(v).lower() for v in (s.api.accounts.user_a, locate_json(me_a, f"json:{account.email_field}")) if v}
    findings = await each(check, s, filler, routes,
                          lambda route: _read(check, s, filler, route, document, own))
    if why:  # the undeclared-field part needed the document
        for finding in findings:
            finding.evidence["document"] = why
    return findings


async def _read(check: Check, s: ApiSession, filler: PathFiller, route: str,
                document: Document | None, own: set[str]) -> Finding:
    _, template = split_route(route)
    filled = await filler.fill(route)
    answer = await s.request("GET", filled.path, account="user_a")
    data = json_of(answer) if answer.status_code < 300 else None
    leaked, emails = exposures(data, own)
    extra = undeclared(document, template, data)
    notes = [f"secrets: {', '.join(leaked)}" if leaked else "",
             f"{len(emails)} other e-mail address(es)" if emails else "",
             f"undeclared: {', '.join(extra)}" if extra else ""]
    observed = "; ".join([str(answer.status_code), *filter(None, notes)])
    verdict = Status.FAIL if leaked or emails else (Status.WARN if extra else Status.PASS)
    attempts = [row(route, "user_a", "declared fields, no hashes, no one else's e-mail", observed, verdict)]
    cross = await _other_user(s, filler, route, template)
    if cross is not None:
        attempts.append(cross)
        verdict = Status.FAIL if cross["verdict"] == Status.FAIL.value else verdict
    evidence: dict[str, Any] = {"attempts": attempts, "secret_fields": leaked,
                                "other_emails": len(emails), "undeclared_fields": extra}
    if verdict is Status.FAIL:
        what = [*(["secrets: " + ", ".join(leaked)] if leaked else []),
                *([f"{len(emails)} other users' e-mail address(es)"] if emails else []),
                *(["user B's record, read as user A"] if cross and cross["verdict"] == "fail" else [])]
        return check.finding(route, Status.FAIL, f"{route} shows user A {'; '.join(what)}", evidence,
                             remediation="Answer with a response model that lists the fields a "
                                         "client needs (never password hashes or other users' "
                                         "addresses), and only the caller's own record.")
    if verdict is Status.WARN:
        return check.finding(route, Status.WARN, f"{route} answers fields its documented schema "
                             f"does not declare: {', '.join(extra)}", evidence,
                             remediation="Serialise through the documented response model (FastAPI: "
                                         "response_model=...), so new columns do not leak by default.")
    return check.finding(route, Status.PASS, f"{route}: {answer.status_code}, nothing beyond the "
                         "caller's own declared data", evidence)


async def _other_user(s: ApiSession, filler: PathFiller, route: str, template: str) -> dict | None:
    """The same route with user B's value in its `me:` slots (user B's own id), read as user A."""
    names = slots(template)
    mine = [n for n in names if s.api.path_values.get(n, "").startswith("me:")]
    if not mine or resource_for(s.api.resources, template) or not s.has_account("user_b"):
        return None
    values = {n: await filler.value(n, "user_b" if n in mine else None) for n in names}
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""), 1)
    answer = await s.request("GET", path, account="user_a")
    email_b = locate_json(await filler.me("user_b"), f"json:{account_of(s).email_field}")
    theirs = {str(v) for v in (email_b, *(values[n] for n in mine)) if v}
    shown = answer.status_code < 300 and any(v in answer.text for v in theirs)
    return row(f"{route} (user B's {', '.join(mine)})", "user_a", "403/404",
               f"{answer.status_code}{', user B data shown' if shown else ''}",
               Status.FAIL if shown else Status.PASS)


API_EXPOSURE_CHECKS = (
    Check("auth.data-exposure", 2, "API answers carry no password hashes, other users' e-mails or "
          "undeclared fields", Severity.BLOCKER, data_exposure, timeout_s=120,
          description="Each GET in api.protected_routes and the account's own record, read as user "
                      "A: no secret-named field or password hash, no e-mail but user A's, no field "
                      "the OpenAPI document (api.openapi) does not declare (a warning); a route "
                      "whose slot is user A's own id (path_values me:...) is read with user B's id "
                      "and must not show user B's record (OWASP API3:2023)."),
)

CHECKS = API_EXPOSURE_CHECKS  # for stages.registry
