"""Stage 2 checks of the product's accounts (OWASP API Security Top 10 2023: API3 broken object
property level authorisation, API2 broken authentication): a user cannot grant themselves a role
or hand an object to someone else through extra body fields (mass assignment); one user cannot
change another user's e-mail or password; log-in and sign-up answer alike for an existing and an
unknown account (user enumeration).

Each attempt is one evidence row: the operation, who sent it, what it should get, what it got and
the verdict, the shape the authorization test results list. Whatever a probe changes it puts
back (the e-mail, a role that took) or deletes (objects); an account a sign-up created cannot be
deleted through the API, so its e-mail is named in the evidence."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import quote

import httpx

from stages.base import Check
from stages.checks.api_common import JSON, api_probe, json_of
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.api_client import ApiProblem, ApiSession, locate, marker, render, render_form
from wizard.probes.api_paths import PathFiller, locate_json, with_fields
from wizard.sections import Account, Resource

PRIVILEGED: dict[str, Any] = {"role": "admin", "is_admin": True, "admin": True, "is_superuser": True}
OWNER_FIELDS = ("owner", "owner_id", "user_id")
WHO = {"user_a": "user A", "user_b": "user B", None: "no one signed in"}


def row(operation: str, who: str | None, expected: str, observed: str, verdict: Status) -> dict[str, str]:
    """One attempt as the authorization test results list it."""
    return {"operation": operation, "as": WHO.get(who, who or ""), "expected": expected,
            "observed": observed, "verdict": verdict.value}


def account_of(s: ApiSession) -> Account:
    """api.account, or its defaults (the me route only) when the section does not set one."""
    return s.api.account or Account(me_url=s.config.release.me_path or "/api/me")


def _user_url(template: str, user_id: str) -> str:
    return template.replace("{id}", quote(user_id, safe=""))


def _took(before: Any, after: Any) -> list[str]:
    """The privileged fields that now hold the value we sent (and did not before)."""
    def get(data: Any, key: str) -> Any:
        return data.get(key) if isinstance(data, dict) else None
    return [k for k, v in PRIVILEGED.items() if get(after, k) == v and get(before, k) != v]


# ---------------------------------------------------------------- auth.mass-assignment


@api_probe(write=True, changes_accounts=True)
async def mass_assignment(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    account = account_of(s)
    filler = PathFiller(s)
    findings: list[Finding] = []
    mark = 0
    parts = [("own", account.update_url), *(("object", r) for r in s.api.resources[:3]),
             ("signup", s.api.signup)]
    for kind, part in parts:
        if part is None:
            continue
        try:
            if kind == "own":
                finding = await _own_record(check, s, filler, account)
            elif kind == "object":
                assert isinstance(part, Resource)
                finding = await _object_owner(check, s, filler, account, part)
            else:
                finding = await _signup_role(ctx, check, s, filler, account)
        except ApiProblem as problem:
            finding = check.finding(str(getattr(part, "url", part)), Status.SKIPPED, str(problem), {})
        finding.evidence["requests"] = s.sent - mark
        mark = s.sent
        findings.append(finding)
    if not findings:
        return [check.finding(s.api.base_url or "", Status.SKIPPED, "nothing to try: api.account."
                              "update_url, api.resources and api.signup are all unset",
                              remediation="Run `launch-ready api discover` or describe them by hand.")]
    return findings


async def _own_record(check: Check, s: ApiSession, filler: PathFiller, account: Account) -> Finding:
    """User A updates their own record with privileged fields; A's record is read back."""
    assert account.update_url
    before = await filler.me("user_a")
    url = _user_url(account.update_url, str(locate_json(before, account.id_from) or ""))
    operation = f"{account.update_method} {account.update_url}"
    sent = await s.request(account.update_method, url, account="user_a", headers=JSON,
                           content=json.dumps(PRIVILEGED))
    filler.forget("user_a")
    after = await filler.me("user_a")
    took = _took(before, after)
    restored = None
    if took:  # put back what took, as A (who may now do so)
        undo = {k: before.get(k) if isinstance(before, dict) else None for k in took}
        restored = (await s.request(account.update_method, url, account="user_a", headers=JSON,
                                    content=json.dumps(undo))).status_code
    verdict = Status.FAIL if took else Status.PASS
    evidence = {"attempts": [row(operation, "user_a", "extra fields ignored or refused",
                                 f"{sent.status_code}; took: {', '.join(took) or 'none'}", verdict)],
                "fields_sent": sorted(PRIVILEGED), "restored_status": restored}
    if took:
        return check.finding(operation, Status.FAIL, f"{operation}: user A made themselves "
                             f"{', '.join(f'{k}={PRIVILEGED[k]}' for k in took)}", evidence,
                             remediation="Bind request bodies to an explicit schema of the fields a "
                                         "user may change (an allow-list, e.g. a pydantic model "
                                         "without role); set roles only in admin code.")
    return check.finding(operation, Status.PASS, f"{operation}: role, is_admin, admin and "
                         f"is_superuser in the body did not take ({sent.status_code})", evidence)


async def _object_owner(check: Check, s: ApiSession, filler: PathFiller, account: Account,
                        resource: Resource) -> Finding:
    """User A creates an object naming user B as its owner; B then tries to read it."""
    b_id = str(locate_json(await filler.me("user_b"), account.id_from) or "")
    operation = f"{resource.create_method} {resource.create_url}"
    body = with_fields(render(resource.create_body, marker=marker("owner")),
                       dict.fromkeys(OWNER_FIELDS, b_id))
    created = await s.request(resource.create_method, resource.create_url, account="user_a",
                              headers=JSON, content=body)
    object_id = locate(created, resource.id_from)
    if created.status_code >= 300 or object_id in (None, ""):
        return check.finding(operation, Status.WARN, f"{operation} with owner fields answered "
                             f"{created.status_code}: nothing was created to read back",
                             {"attempts": [row(operation, "user_a", "2xx, owner fields ignored",
                                               str(created.status_code), Status.WARN)]})
    url = resource.url.replace("{id}", quote(str(object_id), safe=""))
    data = json_of(created)
    named = [f for f in OWNER_FIELDS if isinstance(data, dict) and str(data.get(f)) == b_id and b_id]
    as_b = await s.request("GET", url, account="user_b")
    gone = (await s.request("DELETE", url, account="user_a")).status_code
    if gone >= 300:  # A no longer owns it: its new owner deletes it
        gone = (await s.request("DELETE", url, account="user_b")).status_code
    took = bool(named)
    verdict = Status.FAIL if took else Status.PASS
    attempts = [row(operation, "user_a", "owner fields ignored",
                    f"{created.status_code}; owner: {'user B' if took else 'user A'}", verdict),
                row(f"GET {resource.url}", "user_b", "403/404 (user A's object)", str(as_b.status_code),
                    Status.PASS if as_b.status_code in (403, 404) else Status.WARN)]
    evidence = {"attempts": attempts, "fields_sent": list(OWNER_FIELDS), "cleanup_status": gone}
    if took:
        return check.finding(operation, Status.FAIL, f"{operation}: the body's {', '.join(named)} "
                             f"made user B the owner of user A's new {resource.name or 'object'}",
                             evidence, remediation="Set an object's owner from the signed-in user on "
                                                   "the server; never from the request body.")
    return check.finding(operation, Status.PASS, f"{operation}: owner fields in the body were "
                         "ignored", evidence)


async def _signup_role(ctx: RunContext, check: Check, s: ApiSession, filler: PathFiller,
                       account: Account) -> Finding:
    """A new account signs up with privileged fields; its role is read from the answer and, when
    the login template is set, from its own record after logging in."""
    signup = s.api.signup
    assert signup is not None
    email = f"{marker('signup')}@{ctx.config.target.domain}"
    password = f"Lr-{secrets.token_urlsafe(12)}"
    operation = f"{signup.method} {signup.url}"
    body = with_fields(render(signup.body, login=email, password=password, marker=marker("signup")),
                       PRIVILEGED)
    answer = await s.request(signup.method, signup.url, headers=JSON, content=body)
    took = _took({}, json_of(answer))
    if not took and s.api.login and answer.status_code < 300:
        login = s.api.login
        form = login.encoding == "form"
        sent = (render_form if form else render)(login.body, login=email, password=password)
        session = await s.request(login.method, login.url, content=sent, headers={
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json"})
        token = locate(session, login.token)
        if isinstance(token, str) and token:
            mine = await s.request("GET", account.me_url, headers={"Authorization": f"Bearer {token}"})
            took = _took({}, json_of(mine))
    verdict = Status.FAIL if took else Status.PASS
    evidence = {"attempts": [row(operation, None, "a plain user", f"{answer.status_code}; "
                                 f"took: {', '.join(took) or 'none'}", verdict)],
                "created_account": email if answer.status_code < 300 else None}
    if took:
        return check.finding(operation, Status.FAIL, f"{operation}: a new account signed up as "
                             f"{', '.join(f'{k}={PRIVILEGED[k]}' for k in took)}", evidence,
                             remediation="Sign-up takes e-mail, password and name only; a new "
                                         "account is always a plain user.")
    return check.finding(operation, Status.PASS, f"{operation}: privileged fields at sign-up did "
                         f"not take ({answer.status_code})", evidence)


# ---------------------------------------------------------------- auth.account-takeover


@api_probe(write=True, changes_accounts=True)
async def account_takeover(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    account = account_of(s)
    targets = [u for u in (account.update_url, account.password_url) if u and "{id}" in u]
    if not targets:
        return [check.finding(account.update_url or s.api.base_url or "", Status.SKIPPED,
                              "no route changes a user by id (api.account.update_url or "
                              "password_url with {id}): users change only their own record",
                              remediation="If the API has /users/{id} routes, set them in api.account.")]
    filler = PathFiller(s)
    me_a = await filler.me("user_a")
    await s.auth("user_b")
    a_id = str(locate_json(me_a, account.id_from) or "")
    if not a_id:
        raise ApiProblem(f"user A's id is not at {account.id_from} in GET {account.me_url}")
    findings = []
    mark = 0
    if account.update_url and "{id}" in account.update_url:
        findings.append(await _email_change(ctx, check, s, filler, account, me_a, a_id))
        findings[-1].evidence["requests"] = s.sent - mark
        mark = s.sent
    if account.password_url and "{id}" in account.password_url:
        findings.append(await _password_change(check, s, account, a_id))
        findings[-1].evidence["requests"] = s.sent - mark
    return findings


async def _email_change(ctx: RunContext, check: Check, s: ApiSession, filler: PathFiller,
                        account: Account, me_a: Any, a_id: str) -> Finding:
    assert account.update_url
    field = account.email_field
    operation = f"{account.update_method} {account.update_url}"
    original = locate_json(me_a, f"json:{field}")
    taken = f"{marker('takeover')}@{ctx.config.target.domain}"
    url = _user_url(account.update_url, a_id)
    sent = await s.request(account.update_method, url, account="user_b", headers=JSON,
                           content=json.dumps({field: taken}))
    filler.forget("user_a")
    changed = locate_json(await filler.me("user_a"), f"json:{field}") == taken
    restored = None
    if changed:
        restored = (await s.request(account.update_method, url, account="user_a", headers=JSON,
                                    content=json.dumps({field: original}))).status_code
    verdict = Status.FAIL if changed else (Status.PASS if sent.status_code in (401, 403, 404) else Status.WARN)
    evidence = {"attempts": [row(operation, "user_b", f"403/404, user A's {field} unchanged",
                                 f"{sent.status_code}, {'changed' if changed else 'unchanged'}", verdict)],
                "restored_status": restored}
    if changed:
        return check.finding(operation, Status.FAIL, f"{operation}: user B changed user A's {field} "
                             "(an account takeover: a password reset goes to the new address)",
                             evidence, remediation="Change a user's record only for that user (or an "
                                                   "admin): compare the path's id with the signed-in "
                                                   "user's on the server; re-confirm e-mail changes.")
    if verdict is Status.WARN:
        return check.finding(operation, Status.WARN, f"{operation}: user A's {field} did not change, "
                             f"but user B got {sent.status_code} instead of 403/404", evidence,
                             remediation="Answer another user's record with 404 (or 403).")
    return check.finding(operation, Status.PASS, f"{operation}: user B could not change user A's "
                         f"{field} ({sent.status_code})", evidence)


async def _password_change(check: Check, s: ApiSession, account: Account, a_id: str) -> Finding:
    """User B sets user A's password to the one A has (so nothing changes if it takes): only
    when A's credential is a password the login template uses, so A can be checked after."""
    assert account.password_url
    operation = f"{account.password_method} {account.password_url}"
    secret = s.vault.get("user-a")
    if not (s.api.login and s.api.accounts.user_a and secret):
        return check.finding(operation, Status.SKIPPED, "not tried: user A signs in with a bearer "
                             "token, so a password user B managed to set could not be put back (set "
                             "api.accounts.user_a and api.login, and store user A's password as user-a)",
                             {"attempts": [row(operation, "user_b", "403/404", "not sent", Status.SKIPPED)]})
    url = _user_url(account.password_url, a_id)
    sent = await s.request(account.password_method, url, account="user_b", headers=JSON,
                           content=render(account.password_body, password=secret.value))
    accepted = 200 <= sent.status_code < 300
    verdict = Status.FAIL if accepted else Status.PASS
    evidence = {"attempts": [row(operation, "user_b", "403/404", str(sent.status_code), verdict)],
                "password_sent": "user A's current one (no change if it took)"}
    if accepted:
        return check.finding(operation, Status.FAIL, f"{operation}: user B's request to set user A's "
                             f"password was accepted ({sent.status_code})", evidence,
                             remediation="Change a password only for the signed-in user, and ask "
                                         "for the current password (or a reset link).")
    return check.finding(operation, Status.PASS, f"{operation}: user B could not set user A's "
                         f"password ({sent.status_code})", evidence)


# ---------------------------------------------------------------- auth.user-enumeration

_VOLATILE = re.compile(r"[0-9a-f]{8,}|\d+", re.IGNORECASE)  # request ids, timestamps


def _same(a: httpx.Response, b: httpx.Response) -> bool:
    return a.status_code == b.status_code and _VOLATILE.sub("#", a.text) == _VOLATILE.sub("#", b.text)


@api_probe(write=False)
async def user_enumeration(ctx: RunContext, check: Check, s: ApiSession) -> list[Finding]:
    login, signup = s.api.login, s.api.signup
    if login is None and signup is None:
        return [check.finding(s.api.base_url or "", Status.SKIPPED, "api.login and api.signup are unset",
                              remediation="Describe the log-in (and sign-up) operations, or run "
                                          "`launch-ready api discover`.")]
    account = account_of(s)
    known = s.api.accounts.user_a or str(locate_json(await PathFiller(s).me("user_a"),
                                                     f"json:{account.email_field}") or "")
    if "@" not in known:
        raise ApiProblem("user A's e-mail is unknown: set api.accounts.user_a")
    unknown = f"{marker('nobody')}@{ctx.config.target.domain}"
    findings, mark = [], 0
    if login is not None:
        wrong = f"launch-ready-wrong-{secrets.token_hex(6)}"
        form = login.encoding == "form"
        type_ = {"Content-Type": "application/x-www-form-urlencoded" if form else "application/json"}
        fill = render_form if form else render
        answers = [await s.request(login.method, login.url, headers=type_,
                                   content=fill(login.body, login=who, password=wrong)) for who in (known, unknown)]
        findings.append(_compare(check, f"{login.method} {login.url}", "a wrong password", answers,
                                 s.sent - mark))
        mark = s.sent
    if signup is not None and s.api.may_write:
        password = f"Lr-{secrets.token_urlsafe(12)}"
        answers = [await s.request(signup.method, signup.url, headers=JSON,
                                   content=render(signup.body, login=who, password=password,
                                                  marker=marker("signup")))
                   for who in (known, unknown)]
        finding = _compare(check, f"{signup.method} {signup.url}", "signing up", answers, s.sent - mark)
        finding.evidence["created_account"] = unknown if answers[1].status_code < 300 else None
        findings.append(finding)
    return findings


def _compare(check: Check, operation: str, doing: str, answers: list[httpx.Response], sent: int) -> Finding:
    existing, unknown = answers
    if 429 in (existing.status_code, unknown.status_code):  # a limit answered, not the account check
        return check.finding(operation, Status.WARN, f"{operation}: rate limited ({existing.status_code}"
                             f" and {unknown.status_code}), so the answers could not be compared",
                             {"requests": sent, "attempts": [
                                 row(operation, None, "the same answer for both",
                                     f"{who}: {a.status_code}", Status.WARN)
                                 for who, a in (("existing account", existing), ("unknown account", unknown))]},
                             remediation="Re-run when the limit's window has passed: "
                                         "`launch-ready check NAME --only auth.user-enumeration`.")
    alike = _same(existing, unknown)
    verdict = Status.PASS if alike else Status.FAIL
    evidence = {"requests": sent, "attempts": [
        row(operation, None, "the same answer for both", f"existing account: {existing.status_code}",
            verdict),
        row(operation, None, "the same answer for both", f"unknown account: {unknown.status_code}",
            verdict)]}
    if not alike:
        how = (f"{existing.status_code} vs {unknown.status_code}" if existing.status_code != unknown.status_code
               else "different bodies")
        return check.finding(operation, Status.FAIL, f"{operation}: {doing} tells an existing account "
                             f"from an unknown one ({how})", evidence,
                             remediation="Answer log-in failures with one message and status for "
                                         "both cases; at sign-up, say 'check your e-mail' either way.")
    return check.finding(operation, Status.PASS, f"{operation}: {doing} answers an existing and an "
                         f"unknown account alike ({existing.status_code})", evidence)


API_ACCOUNT_CHECKS = (
    Check("auth.mass-assignment", 2, "Extra body fields cannot grant a role or change an owner",
          Severity.BLOCKER, mass_assignment, timeout_s=120,
          description="User A updates their own record (api.account.update_url) with role/is_admin/"
                      "admin/is_superuser; creates an object (api.resources) naming user B as "
                      "owner; a new account signs up (api.signup) with the same fields. Read back: "
                      "none may take (OWASP API3:2023). Whatever took is put back or deleted."),
    Check("auth.account-takeover", 2, "One user cannot change another user's e-mail or password",
          Severity.BLOCKER, account_takeover, timeout_s=120,
          description="User B sends api.account.update_url with user A's id and a new e-mail, and "
                      "password_url with A's current password (only when A signs in with a "
                      "password, so nothing changes): 403/404 and A's record unchanged (OWASP "
                      "API1/API2:2023). A changed e-mail is put back."),
    Check("auth.user-enumeration", 2, "Log-in and sign-up do not tell which accounts exist",
          Severity.CAN_WAIT, user_enumeration, timeout_s=60,
          description="A wrong password for user A's e-mail and for an unknown one at api.login; "
                      "signing up with A's e-mail and a new one at api.signup (staging, local or a "
                      "confirmed production): the same status and body (ids and numbers aside)."),
)

CHECKS = API_ACCOUNT_CHECKS  # for stages.registry
