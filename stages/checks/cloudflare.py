"""The edge.* checks: what the Cloudflare zone is set to (through the API) and whether the live
edge behaves accordingly (cf-ray, redirect loops, cached private responses).

The zone state is read once per run and shared. Without a token the API-based checks are
skipped with the way to add one, and edge.private-not-cached (live only) still runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from stages.base import Check
from stages.checks.per_run import once
from wizard.edge.client import build_client
from wizard.edge.zone_state import ZoneState, ZoneStateError, read_zone_state
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext
from wizard.probes.private_cache import fetch_as_two_users

TOKEN_PERMISSIONS = "Zone Read, DNS Read, Zone Settings Read, Cache Rules Read, Bot Management Read"
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Unavailable:
    """Why the zone state is missing, said once for every check that needed it."""

    status: Status
    summary: str
    remediation: str

    def finding(self, check: Check, subject: str) -> Finding:
        return check.finding(subject, self.status, self.summary, remediation=self.remediation)


@dataclass(frozen=True)
class Verdict:
    status: Status
    summary: str
    remediation: str = ""
    fix: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


async def zone_state(ctx: RunContext) -> ZoneState | Unavailable:
    """The run's one read of the zone (every edge.* check awaits the same one)."""
    return await once(ctx.net, "cloudflare-zone-state", lambda: _read_zone_state(ctx))


async def _read_zone_state(ctx: RunContext) -> ZoneState | Unavailable:
    name = ctx.config.name
    token = ctx.credentials.get("cloudflare-token")
    if token is None:
        return Unavailable(
            Status.SKIPPED,
            ctx.credentials.missing("cloudflare-token"),
            f"Create an API token with read permissions ({TOKEN_PERMISSIONS}) for the zone; "
            "the live checks run without it.",
        )
    client = build_client(token.value, ctx.net, ctx.config.cloudflare.api_base_url)
    try:
        return await read_zone_state(client, ctx.net, ctx.config.zone)
    except ZoneStateError as exc:
        ctx.log.warning("Cloudflare zone state not read: %s", exc)
        if exc.rejected:
            return Unavailable(
                Status.ERROR, f"{exc} (token from {token.source})",
                f"Create a new API token ({TOKEN_PERMISSIONS}) and store it with "
                f"`launch-ready credentials {name} set cloudflare-token`.",
            )
        return Unavailable(Status.ERROR, str(exc),
                           "Check cloudflare.zone and cloudflare.api_base_url in sprint.yaml, and the token's zone.")
    finally:
        client.close()


Judge = Callable[[RunContext, ZoneState, Any], Awaitable[Verdict]]


def setting_check(check_id: str, title: str, severity: Severity, setting: str, judge: Judge,
                  description: str) -> Check:
    """A check of one zone setting, on the domain: unavailable state and unreadable setting are
    handled here, the judge says what the value means."""

    async def probe(ctx: RunContext, check: Check) -> list[Finding]:
        domain = ctx.config.target.domain
        state = await zone_state(ctx)
        if isinstance(state, Unavailable):
            return [state.finding(check, domain)]
        if setting not in state.settings:
            return [check.finding(domain, Status.ERROR,
                                  f"the {setting} setting could not be read: {state.unreadable.get(setting)}")]
        value = state.settings[setting]
        v = await judge(ctx, state, value)
        evidence = {"zone": state.name, "setting": setting, "value": value, **v.evidence}
        return [check.finding(domain, v.status, v.summary, evidence, v.remediation, v.fix)]

    return Check(id=check_id, stage=3, title=title, severity=severity, probe=probe,
                 description=description)


# ---------------------------------------------------------------- edge.ssl-mode


async def _judge_ssl(ctx: RunContext, state: ZoneState, mode: str) -> Verdict:
    if mode == "strict" or mode == "origin_pull":
        return Verdict(Status.PASS, f"SSL mode is {mode}: the edge verifies the origin's certificate")
    if mode == "full":
        return Verdict(Status.WARN, "SSL mode is full: the edge accepts any origin certificate "
                       "(expired or self-signed), so the origin could be impersonated",
                       "Install a valid certificate (or a Cloudflare Origin CA one) on the origin, "
                       "then set SSL to Full (strict).", "cf.ssl-strict")
    if mode == "flexible":
        loops = await _self_redirects(ctx.net, [h for h in ctx.config.target.hosts
                                                if any(r["proxied"] for r in state.host_records(h))])
        cause = (f"; it is the cause of the redirect loop on {', '.join(loops)} (the origin redirects "
                 "the edge's plain-HTTP request back to https://)") if loops else ""
        return Verdict(Status.FAIL, "SSL mode is flexible: the edge talks to the origin over plain "
                       f"HTTP, so traffic between them is readable{cause}",
                       "Serve HTTPS on the origin (an Origin CA certificate works) and set SSL to "
                       "Full (strict).", "cf.ssl-strict", {"redirect_loops": loops})
    return Verdict(Status.FAIL, f"SSL mode is {mode}: visitors cannot use HTTPS through the edge",
                   "Set SSL to Full (strict) once the origin serves HTTPS.", "cf.ssl-strict")


async def _self_redirects(net: NetContext, hosts: list[str]) -> list[str]:
    """Hosts whose https:// root redirects to itself: the loop a flexible edge makes in front of
    an origin that forces HTTPS (one request per host, redirects not followed)."""

    async def loops(host: str) -> bool:
        url = f"https://{host}/"
        try:
            response = await net.http.get(url)
        except httpx.HTTPError:
            return False
        return (response.status_code in REDIRECTS
                and urljoin(url, response.headers.get("location", "")) == url)

    found = await asyncio.gather(*(loops(h) for h in hosts))
    return [h for h, loop in zip(hosts, found, strict=True) if loop]


# ---------------------------------------------------------------- the simple settings


async def _judge_always_https(ctx: RunContext, state: ZoneState, value: str) -> Verdict:
    hsts = state.settings.get("security_header", {}).get("strict_transport_security")
    evidence = {"hsts": hsts} if hsts is not None else {}
    if value == "on":
        return Verdict(Status.PASS, "Always Use HTTPS is on: every http:// request is redirected "
                       "to https://", evidence=evidence)
    return Verdict(Status.FAIL, "Always Use HTTPS is off: http:// requests are served as they are "
                   "instead of being redirected to https://",
                   "Turn on Always Use HTTPS (SSL/TLS > Edge Certificates).", "cf.always-use-https",
                   evidence)


async def _judge_min_tls(ctx: RunContext, state: ZoneState, value: str) -> Verdict:
    if value in ("1.2", "1.3"):
        return Verdict(Status.PASS, f"the minimum TLS version is {value}")
    return Verdict(Status.FAIL, f"the minimum TLS version is {value}: the edge still accepts "
                   "TLS versions browsers and PCI DSS retired",
                   "Set Minimum TLS Version to 1.2.", "cf.min-tls")


async def _judge_rewrites(ctx: RunContext, state: ZoneState, value: str) -> Verdict:
    if value == "on":
        return Verdict(Status.PASS, "Automatic HTTPS Rewrites is on")
    return Verdict(Status.FAIL, "Automatic HTTPS Rewrites is off: http:// links to resources "
                   "that exist over https:// stay as they are, and browsers block them as mixed "
                   "content", "Turn on Automatic HTTPS Rewrites (and fix the links at the source).",
                   "cf.https-rewrites")


SSL_MODE = setting_check(
    "edge.ssl-mode", "SSL mode is Full (strict)", Severity.BLOCKER, "ssl", _judge_ssl,
    "strict passes, full warns, flexible and off fail; flexible is named as the cause of "
    "redirect loops it makes.")
ALWAYS_HTTPS = setting_check(
    "edge.always-https", "Always Use HTTPS is on", Severity.BLOCKER, "always_use_https",
    _judge_always_https, "The zone redirects every http:// request to https://.")
MIN_TLS = setting_check(
    "edge.min-tls", "Minimum TLS version is 1.2 or newer", Severity.CAN_WAIT, "min_tls_version",
    _judge_min_tls, "TLS 1.0 and 1.1 are refused at the edge.")
HTTPS_REWRITES = setting_check(
    "edge.https-rewrites", "Automatic HTTPS Rewrites is on", Severity.CAN_WAIT,
    "automatic_https_rewrites", _judge_rewrites,
    "The edge rewrites http:// links that also work over https://.")


# ---------------------------------------------------------------- edge.bot-protection

WEBHOOK_WARNING = ("Bot Fight Mode challenges automated clients it does not know and cannot be "
                   "skipped by rules on the Free plan: webhooks (payments, GitHub, Slack) and API "
                   "clients calling this zone can be blocked; test them after turning it on.")


async def _bot_protection(ctx: RunContext, check: Check) -> list[Finding]:
    domain = ctx.config.target.domain
    state = await zone_state(ctx)
    if isinstance(state, Unavailable):
        return [state.finding(check, domain)]
    if state.bot_fight_mode is None:
        return [check.finding(domain, Status.ERROR, "bot management could not be read: "
                              f"{state.unreadable.get('bot_management')}")]
    evidence = {"zone": state.name, "setting": "bot_fight_mode", "value": state.bot_fight_mode,
                "webhook_warning": WEBHOOK_WARNING}
    if state.bot_fight_mode:
        return [check.finding(domain, Status.PASS, "Bot Fight Mode is on. " + WEBHOOK_WARNING, evidence)]
    return [check.finding(domain, Status.WARN, "Bot Fight Mode is off: scrapers and credential "
                          "stuffers reach the chatbot (and its model bill) unchallenged", evidence,
                          "Turn on Bot Fight Mode (Security > Bots). " + WEBHOOK_WARNING,
                          "cf.bot-fight-mode")]


async def _dnssec(ctx: RunContext, check: Check) -> list[Finding]:
    """DNSSEC through the API. No fix is offered: signing is two steps in an order that matters
    (sign at Cloudflare, then the DS at the registrar; off: the DS first), and a DS the zone's
    keys do not match takes the whole domain offline for every validating resolver."""
    domain = ctx.config.target.domain
    state = await zone_state(ctx)
    if isinstance(state, Unavailable):
        return [state.finding(check, domain)]
    if state.dnssec is None:
        return [check.finding(domain, Status.ERROR, "DNSSEC status could not be read: "
                              f"{state.unreadable.get('dnssec')}")]
    info = state.dnssec
    status = str(info.get("status", "unknown"))
    evidence: dict[str, Any] = {"zone": state.name, **{k: info.get(k) for k in ("status", "ds", "key_tag", "algorithm",
                                                                 "digest_type", "digest") if k in info}}
    if status == "active":
        return [check.finding(domain, Status.PASS, "DNSSEC is active: signed at Cloudflare, the DS "
                              "record is at the registrar", evidence)]
    if status == "pending":
        return [check.finding(domain, Status.WARN, "DNSSEC is signed at Cloudflare but not active: the "
                              "registrar does not publish the DS record yet", evidence,
                              f"At your registrar, add the DS record Cloudflare shows (DNS > Settings): "
                              f"{info.get('ds') or 'key tag ' + str(info.get('key_tag'))}; it turns "
                              "active within a day once the parent zone serves it.")]
    return [check.finding(domain, Status.WARN, f"DNSSEC is {status}: answers for {domain} can be "
                          "forged on the way to a resolver (cache poisoning)", evidence,
                          "Turn DNSSEC on in Cloudflare (DNS > Settings > Enable DNSSEC), then add the "
                          "DS record it shows at your registrar; if the registrar already has an old DS "
                          "record, remove it first, or the domain stops resolving. launch-ready does "
                          "not change this for you: a wrong order takes the domain offline.")]


DNSSEC = Check(
    id="dns.dnssec", stage=3, title="DNSSEC", severity=Severity.CAN_WAIT, probe=_dnssec,
    description="DNSSEC status through the Cloudflare API: active passes; pending (signed, no DS at "
                "the registrar) and disabled warn, with the registrar step explained. No fix: the "
                "order of the two steps matters and a wrong one takes the domain offline.")


BOT_PROTECTION = Check(
    id="edge.bot-protection", stage=3, title="Bot protection", severity=Severity.INFO,
    probe=_bot_protection,
    description="Bot Fight Mode state, with the warning that it can block webhooks.")


# ---------------------------------------------------------------- edge.proxied


async def _proxied(ctx: RunContext, check: Check) -> list[Finding]:
    state = await zone_state(ctx)
    if isinstance(state, Unavailable):
        return [state.finding(check, ctx.config.target.domain)]
    hosts = ctx.config.target.hosts
    live = await asyncio.gather(*(_through_edge(ctx.net, h) for h in hosts
                                  if _all_proxied(state.host_records(h))))
    by_host = dict(zip([h for h in hosts if _all_proxied(state.host_records(h))], live, strict=True))
    return [_proxied_finding(check, h, state.host_records(h), by_host.get(h)) for h in hosts]


def _all_proxied(records: list[dict]) -> bool:
    return bool(records) and all(r["proxied"] for r in records)


async def _through_edge(net: NetContext, host: str) -> dict[str, Any]:
    """One live HTTPS request: Cloudflare stamps every answer it serves with cf-ray."""
    try:
        response = await net.http.get(f"https://{host}/")
    except httpx.HTTPError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"status": response.status_code, "cf_ray": response.headers.get("cf-ray")}


def _proxied_finding(check: Check, host: str, records: list[dict], live: dict | None) -> Finding:
    evidence = {"records": records, **({"live": live} if live else {})}
    if not records:
        return check.finding(host, Status.FAIL, f"{host} has no A, AAAA or CNAME record in the "
                             "zone, so it is not behind Cloudflare", evidence,
                             f"Create a proxied record for {host} (a CNAME to the apex works).",
                             "cf.proxy")
    if not _all_proxied(records):
        origins = ", ".join(r["content"] for r in records if not r["proxied"])
        return check.finding(host, Status.FAIL, f"{host} is DNS-only: visitors reach {origins} "
                             "directly, so the origin's address is public and the edge can be bypassed",
                             evidence, f"Proxy {host} (orange cloud), then firewall the origin to "
                             "Cloudflare's addresses.", "cf.proxy")
    if live and live.get("cf_ray"):
        return check.finding(host, Status.PASS, f"{host} is proxied and answered through "
                             f"Cloudflare (cf-ray {live['cf_ray']})", evidence)
    if live and "error" in live:
        return check.finding(host, Status.WARN, f"{host} is proxied in the API, but the live "
                             f"request failed ({live['error']}), so the edge was not confirmed",
                             evidence, "Re-run once the host answers over HTTPS.")
    return check.finding(host, Status.FAIL, f"{host} is proxied in the API, but its HTTPS answer "
                         "carries no cf-ray: traffic does not go through Cloudflare (the domain's "
                         "nameservers may not be Cloudflare's yet)", evidence,
                         "Point the domain's nameservers at the ones Cloudflare assigned to the zone.",
                         "cf.proxy")


PROXIED = Check(
    id="edge.proxied", stage=3, title="Host is behind Cloudflare", severity=Severity.BLOCKER,
    probe=_proxied,
    description="Each host's record is proxied (API) and its HTTPS answer carries cf-ray (live).")


# ---------------------------------------------------------------- edge.private-not-cached


async def _private_not_cached(ctx: RunContext, check: Check) -> list[Finding]:
    vault = ctx.credentials
    users = [vault.get("user-a"), vault.get("user-b")]
    return list(await asyncio.gather(*(_fetch_twice(ctx.net, check, url, users)
                                       for url in ctx.config.target.private_urls)))


async def _fetch_twice(net: NetContext, check: Check, url: str, users: list) -> Finding:
    """Two fetches (as test users A then B when both are set, else without credentials): a
    second answer from the edge's cache, or headers that let it cache, is the leak."""
    def fetch(user):
        return net.http.get(url, headers={"Authorization": f"Bearer {user.value}"} if user else {})

    try:
        fetched = await fetch_as_two_users(fetch, users)
    except httpx.HTTPError as exc:
        return check.finding(url, Status.ERROR, f"could not fetch {url}: {type(exc).__name__}",
                             remediation="Check that the URL answers, then re-run.")
    if problems := fetched.problems:
        return check.finding(url, Status.FAIL, f"{url} is cached at the edge: " + "; ".join(problems),
                             fetched.evidence(), "Add a cache rule that bypasses the cache for this "
                             "path, and send Cache-Control: private, no-store from the origin.",
                             "cf.cache-bypass-private")
    return check.finding(url, Status.PASS, f"{url} fetched twice: not served from a shared cache "
                         f"(cf-cache-status {fetched.seen[-1]['cf_cache_status'] or 'absent'})",
                         fetched.evidence())


PRIVATE_NOT_CACHED = Check(
    id="edge.private-not-cached", stage=3, title="Private responses are not cached",
    severity=Severity.BLOCKER, probe=_private_not_cached,
    description="Each target.private_urls fetched twice: a cache HIT or a shared-cache header fails.")

STAGE3_CHECKS = (PROXIED, SSL_MODE, ALWAYS_HTTPS, MIN_TLS, HTTPS_REWRITES, BOT_PROTECTION,
                 PRIVATE_NOT_CACHED, DNSSEC)

CHECKS = STAGE3_CHECKS  # for stages.registry
