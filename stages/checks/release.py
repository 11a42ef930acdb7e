"""The release.* checks (stage 6): is the deploy healthy and repeatable.

release.smoke is the one to run after every deploy (`launch-ready check NAME --only
release.smoke`): the home page, a test user's sign-in, the health endpoint and that user's
own data, in about five requests. The others look at what a deploy can break quietly: important
paths, the separation of staging and production settings, how the build is made, and whether
a signed-in answer is kept by a shared cache.

release.stale-auth-cache and edge.private-not-cached judge fetches the same way
(wizard.probes.private_cache). The edge check covers target.private_urls (stage 3: the edge's
cache rules); this one covers the API's release.me_path, signed in through the API's own
sessions (login template or token), because a deploy can change the app's caching headers. A
me URL already listed in target.private_urls is left to the edge check, so one leak is reported
once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from stages.base import Check
from stages.checks.secrets import repo_path
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.net import NetRefused
from wizard.probes.api_client import ApiProblem, ApiSession, BoundReached
from wizard.probes.build_files import inspect_build
from wizard.probes.env_files import compare, read_env_file
from wizard.probes.http import same_path, walk
from wizard.probes.private_cache import fetch_as_two_users

API_BOUND = 4  # the smoke's API requests: login (with a template), health, me, one spare
SMOKE_BOUND = API_BOUND + 2  # and the home page: its answer, or one redirect and its answer
NET_ERRORS = (httpx.HTTPError, NetRefused, OSError, ApiProblem, BoundReached)


def _canonical(ctx: RunContext, path: str) -> str:
    target = ctx.config.target
    return path if path.startswith(("http://", "https://")) else \
        urljoin(f"https://{target.canonical or target.domain}/", path)


def _session(ctx: RunContext, check: Check, bound: int) -> ApiSession | str:
    """The probe's API session, or the line saying why there is none."""
    try:
        return ApiSession(ctx.config, ctx.net, ctx.credentials, check.id, bound=bound)
    except ApiProblem as exc:
        return str(exc)


def _brief(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ApiProblem | BoundReached) else \
        " ".join(f"{type(exc).__name__}: {exc}".split())[:160]


# ---------------------------------------------------------------- release.smoke


class _Steps:
    """The smoke's steps in order, each timed, with the requests it cost."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.page_requests = 0

    async def run(self, name: str, target: str, work: Callable[[], Awaitable[tuple[bool, int | None, str]]]) -> bool:
        started = time.monotonic()
        try:
            ok, status, note = await work()
        except NET_ERRORS as exc:
            ok, status, note = False, None, _brief(exc)
        self.rows.append({"step": name, "target": target, "ok": ok, "status": status,
                          "ms": round((time.monotonic() - started) * 1000), "note": note})
        return ok

    def skip(self, name: str, why: str) -> None:
        self.rows.append({"step": name, "target": "", "ok": None, "status": None, "ms": 0, "note": why})


async def _page(ctx: RunContext, steps: _Steps, url: str) -> tuple[bool, int | None, str]:
    """A public page as a browser meets it: at most one redirect, then a 2xx."""
    chain = await walk(ctx.net, url, max_hops=2)
    steps.page_requests += len(chain.hops) + (chain.outcome == "error")
    final = chain.final
    if final is None:
        return False, chain.hops[-1].status if chain.hops else None, chain.route()
    return 200 <= final.status < 300, final.status, chain.route() if chain.redirects else ""


def _json_content(response: httpx.Response) -> bool:
    try:
        data = response.json()
    except ValueError:
        return False
    return bool(data)


async def _api_get(api: ApiSession, path: str, account: str | None,
                   want_json: bool) -> tuple[bool, int | None, str]:
    response = await api.request("GET", path, account=account)
    ok = response.status_code == 200 and (not want_json or _json_content(response))
    note = "" if ok or response.status_code != 200 else "answered 200 without JSON content"
    return ok, response.status_code, note


async def _login(api: ApiSession) -> tuple[bool, int | None, str]:
    before = api.sent
    await api.auth("user_a")
    how = "login template" if api.sent > before else "stored token"
    return True, None, f"session for user A from the {how}"


async def _smoke(ctx: RunContext, check: Check) -> list[Finding]:
    release = ctx.config.release
    session = _session(ctx, check, API_BOUND)
    api = session if isinstance(session, ApiSession) else None
    no_api = session if isinstance(session, str) else ""  # why there is no session
    steps = _Steps()
    home = _canonical(ctx, "/")
    await steps.run("home", home, lambda: _page(ctx, steps, home))

    signed_in = False
    if api is None:
        steps.skip("login", no_api)
    else:
        login = ctx.config.api.login  # with user A's login name, the session comes from the template
        target = api.url(login.url) if login is not None and ctx.config.api.accounts.user_a else "user-a token"
        signed_in = await steps.run("login", target, lambda: _login(api))
    health_path, me_path = release.health_path, release.me_path
    if health_path:
        if api is None:
            health = _canonical(ctx, health_path)
            await steps.run("health", health, lambda: _page(ctx, steps, health))
        else:
            await steps.run("health", api.url(health_path),
                            lambda: _api_get(api, health_path, None, False))
    else:
        steps.skip("health", "release.health_path is not set")
    if api is None or not me_path:
        steps.skip("me", no_api if api is None else "release.me_path is not set")
    elif not signed_in:
        steps.skip("me", "no session for user A")
    else:
        await steps.run("me", api.url(me_path), lambda: _api_get(api, me_path, "user_a", True))

    requests = steps.page_requests + (api.sent if api else 0)
    evidence = {"steps": steps.rows, "requests": requests, "bound": SMOKE_BOUND}
    subject = ctx.config.target.canonical or ctx.config.target.domain
    line = ", ".join(f"{r['step']} {'ok' if r['ok'] else 'skipped' if r['ok'] is None else 'BROKEN'}"
                     for r in steps.rows)
    broken = next((r for r in steps.rows if r["ok"] is False), None)
    if broken:
        why = broken["note"] or f"answered {broken['status']}"
        return [check.finding(subject, Status.FAIL, f"smoke test broken at {broken['step']} "
                              f"({broken['target']}): {why}", evidence,
                              "Roll back the last deploy if it started with it (the rollback note), "
                              "then look at that step's logs.")]
    if any(r["ok"] is None for r in steps.rows):
        return [check.finding(subject, Status.WARN, f"smoke test partial: {line}", evidence,
                              "Set api.base_url, release.health_path and release.me_path and store "
                              "the user-a test account, so the smoke covers a signed-in flow.")]
    return [check.finding(subject, Status.PASS, f"smoke test passed: {line} "
                          f"({requests} requests)", evidence)]


SMOKE = Check(
    id="release.smoke", stage=6, title="Smoke test after a deploy", severity=Severity.BLOCKER,
    probe=_smoke, timeout_s=60,
    description="Home page, user A's sign-in, the health endpoint and user A's own data "
                "(release.me_path) answer; about five requests, for after every deploy.")


# ---------------------------------------------------------------- release.paths-preserved


def _keeps(location: str, url: str) -> bool:
    """The redirect keeps the path and query (a trailing slash added is still the same page)."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return same_path(location, parts.path + query) or same_path(location, parts.path + "/" + query)


async def _path_kept(ctx: RunContext, check: Check, path: str) -> Finding:
    url = _canonical(ctx, path)
    chain = await walk(ctx.net, url, max_hops=2)  # the answer, or one redirect and its answer
    evidence = {**chain.evidence(), "requests": len(chain.hops) + (chain.outcome == "error")}
    first = chain.hops[0] if chain.hops else None
    final = chain.final
    if chain.outcome == "error" or first is None:  # walk() has a hop unless it got no answer
        return check.finding(url, Status.FAIL, f"{url} does not answer: {chain.error}", evidence,
                             "Make the path answer again, or redirect it once to where it moved.")
    if first.location and not _keeps(first.location, url):
        return check.finding(url, Status.FAIL, f"{url} redirects to {first.location}: the path or "
                             "query is lost", evidence, "Redirect to the same path and query on the "
                             "new host (Cloudflare: a redirect rule with 'preserve query string').")
    if final is None:
        return check.finding(url, Status.FAIL, f"{url} takes more than one redirect: {chain.route()}",
                             evidence, "Point the first redirect straight at the final URL.")
    if final.status != 200:
        return check.finding(url, Status.FAIL, f"{url} answers {final.status}: {chain.route()}",
                             evidence, "Restore the page or redirect it once to where it moved.")
    return check.finding(url, Status.PASS, f"{url}: {chain.route()}", evidence)


async def _paths_preserved(ctx: RunContext, check: Check) -> list[Finding]:
    paths = ctx.config.release.paths
    if not paths:
        return [check.finding(ctx.config.target.domain, Status.SKIPPED,
                              "release.paths is empty: no important path to watch",
                              remediation="List the paths users bookmark or search engines know "
                              "(/pricing, /login, /docs/...) under release.paths.")]
    return list(await asyncio.gather(*(_path_kept(ctx, check, p) for p in paths)))


PATHS_PRESERVED = Check(
    id="release.paths-preserved", stage=6, title="Important paths keep working",
    severity=Severity.BLOCKER, probe=_paths_preserved, timeout_s=45,
    description="Each release.paths on the canonical host answers 200, or one redirect that keeps "
                "the path and query, then 200 (at most two requests per path).")


# ---------------------------------------------------------------- release.env-separation


def _sprint_file(ctx: RunContext, value: str) -> Path:
    path = Path(value).expanduser()
    base = getattr(ctx.net, "base_dir", None)
    return path if path.is_absolute() or base is None else Path(base) / path


async def _env_separation(ctx: RunContext, check: Check) -> list[Finding]:
    release = ctx.config.release
    subject = "staging vs production"
    if not (release.staging_env and release.production_env):
        return [check.finding(subject, Status.SKIPPED, "release.staging_env and release.production_env "
                              "are not both set", remediation="Point them at the two environments' "
                              ".env files (kept out of git, next to the sprint or anywhere).")]
    try:
        staging, production = (read_env_file(_sprint_file(ctx, p))
                               for p in (release.staging_env, release.production_env))
    except (OSError, ValueError) as exc:
        return [check.finding(subject, Status.ERROR, f"could not read an env file: "
                              f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}",
                              remediation="Check release.staging_env and release.production_env.")]
    result = compare(staging, production)
    evidence = result.evidence()
    problems = [
        *([f"staging and production share {len(result.shared_secrets)} secret(s): "
           + ", ".join(s["name"] for s in result.shared_secrets)] if result.shared_secrets else []),
        *(["a public-prefixed variable holds a secret: "
           + ", ".join(f"{p['name']} ({p['file']})" for p in result.public_secrets)]
          if result.public_secrets else []),
    ]
    if problems:
        return [check.finding(subject, Status.FAIL, "; ".join(problems), evidence,
                              "Give production its own keys (rotate the shared ones); a "
                              "NEXT_PUBLIC_/VITE_/REACT_APP_/EXPO_PUBLIC_ variable ships to every "
                              "browser: move the secret server-side and rotate it.")]
    if result.missing_in_production:
        return [check.finding(subject, Status.WARN, f"{len(result.missing_in_production)} variable(s) "
                              "set in staging are missing in production: "
                              + ", ".join(result.missing_in_production), evidence,
                              "Set them in production, or remove them from staging if unused.",
                              severity=Severity.CAN_WAIT)]
    return [check.finding(subject, Status.PASS, f"separate: no shared secret, nothing missing in "
                          f"production ({result.production_names} variables)", evidence)]


ENV_SEPARATION = Check(
    id="release.env-separation", stage=6, title="Staging and production settings are separate",
    severity=Severity.BLOCKER, probe=_env_separation,
    description="The two env files compared by name and value fingerprint only: a shared secret or "
                "a public-prefixed secret fails, a variable missing in production warns.")


# ---------------------------------------------------------------- release.build-reproducible


async def _build_reproducible(ctx: RunContext, check: Check) -> list[Finding]:
    root, subject = repo_path(ctx), ctx.config.repo.path
    if root is None or subject is None:  # repo_path is None whenever repo.path is not set
        return [check.finding("repo", Status.SKIPPED, "repo.path is not set in sprint.yaml",
                              remediation="Set repo.path to the product's checkout.")]
    if not root.is_dir():
        return [check.finding(str(root), Status.ERROR, f"repo.path {root} is not a folder",
                              remediation="Set repo.path to the product's checkout.")]
    setup = await asyncio.to_thread(inspect_build, root)
    missing = setup.missing
    if not missing:
        return [check.finding(subject, Status.PASS, f"lockfile {setup.lockfiles[0]}, runtime "
                              f"{setup.runtime[0]}, CI {setup.ci[0]}", setup.evidence())]
    status = Status.WARN if missing == ["a pinned runtime version"] else Status.FAIL
    return [check.finding(subject, status, "the build is not repeatable from a checkout: no "
                          + ", no ".join(missing), setup.evidence(),
                          "Commit the package manager's lockfile, pin the runtime (.nvmrc, "
                          ".python-version, a tagged Docker base image) and let a CI workflow build "
                          "and deploy, so no one's laptop is part of a release.")]


BUILD_REPRODUCIBLE = Check(
    id="release.build-reproducible", stage=6, title="The build is reproducible",
    severity=Severity.CAN_WAIT, probe=_build_reproducible,
    description="repo.path holds a lockfile, a pinned runtime and a CI workflow that builds and deploys.")


# ---------------------------------------------------------------- release.stale-auth-cache


async def _stale_auth_cache(ctx: RunContext, check: Check) -> list[Finding]:
    session = _session(ctx, check, 4)  # two fetches, and two logins with a login template
    me_path = ctx.config.release.me_path
    if isinstance(session, str) or not me_path:
        return [check.finding(ctx.config.target.domain, Status.SKIPPED,
                              session if isinstance(session, str) else "release.me_path is not set")]
    url = session.url(me_path)
    if url in ctx.config.target.private_urls:
        return [check.finding(url, Status.SKIPPED, f"{url} is in target.private_urls: "
                              "edge.private-not-cached reports it")]
    users = ["user_a", "user_b"] if session.has_account("user_a") and session.has_account("user_b") \
        else [None, None]
    try:
        fetched = await fetch_as_two_users(
            lambda account: session.request("GET", me_path, account=account), users)
    except NET_ERRORS as exc:
        return [check.finding(url, Status.ERROR, f"could not fetch {url}: {_brief(exc)}",
                              {"requests": session.sent},
                              "Check that the URL answers and the test accounts sign in, then re-run.")]
    evidence = {**fetched.evidence(), "requests": session.sent}
    if fetched.as_users and any(r.status_code != 200 for r in fetched.responses):
        return [check.finding(url, Status.ERROR, f"{url} did not answer both test users: "
                              + ", ".join(str(r.status_code) for r in fetched.responses), evidence,
                              "Check the user-a and user-b credentials, then re-run.")]
    if problems := fetched.problems:
        return [check.finding(url, Status.FAIL, f"{url} is shared between users: " + "; ".join(problems),
                              evidence, "Send Cache-Control: private, no-store on signed-in answers "
                              "and bypass every shared cache (CDN rule, app cache) for this path.")]
    return [check.finding(url, Status.PASS, f"{url} fetched as {evidence['as']}: each got their own "
                          "answer, no shared-cache header", evidence)]


STALE_AUTH_CACHE = Check(
    id="release.stale-auth-cache", stage=6, title="Signed-in answers are not shared by a cache",
    severity=Severity.BLOCKER, probe=_stale_auth_cache,
    description="release.me_path fetched as test users A then B: B must not get A's answer, and no "
                "shared-cache header or cache HIT.")

RELEASE_CHECKS = (SMOKE, PATHS_PRESERVED, ENV_SEPARATION, BUILD_REPRODUCIBLE, STALE_AUTH_CACHE)

CHECKS = RELEASE_CHECKS  # for stages.registry
