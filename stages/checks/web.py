"""The live web checks of stage 1 (the zone's nameservers) and stage 3 (DNS consistency, HTTPS,
TLS, redirects, HSTS, mixed content), each a verdict on evidence from wizard.probes.

Every host's http:// and https:// redirect chains are walked once per run (wizard.probes.http)
and read by several checks; each check works on all its subjects concurrently. The stage 3
checks run only when the domain resolves (stages.per_run.needs_domain); dns.nameservers says why
it does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from stages.base import Check
from stages.checks.per_run import domain_status, needs_domain, once, unresolved_cause
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext
from wizard.probes.dns import resolve_host
from wizard.probes.html import insecure_urls
from wizard.probes.http import Chain, Hop, new_probe_path, same_path, walk
from wizard.probes.nameservers import delegation
from wizard.probes.tls import TlsUnreachable, inspect_certificate
from wizard.security_headers import REQUIRED, judge

HSTS_GOOD = 31_536_000  # one year: what preload lists and most audits ask for
HSTS_MIN = 15_552_000  # six months
CERT_FAIL_DAYS = 14
CERT_WARN_DAYS = 30
PAGE_MAX_BYTES = 2_000_000
# Halves of one host's verdict (http and https): unlike STATUS_ORDER, a skipped half makes the
# host skipped, not passed, since half of it was never judged.
_WORST_FIRST = (Status.FAIL, Status.ERROR, Status.WARN, Status.SKIPPED, Status.PASS)

UNREACHED = {
    "refused": "refused the connection",
    "tls": "failed the TLS handshake",
    "timeout": "did not answer in time",
    "dns": "does not resolve",
    "out-of-scope": "redirected outside the sprint's domain",
    "other": "could not be reached",
}

async def probe_path(net: NetContext) -> str:
    """This run's random path and query, the same for every check."""
    async def make() -> str:
        return new_probe_path()

    return await once(net, "web:probe-path", make)


async def shared_chain(net: NetContext, url: str) -> Chain:
    """The redirect chain from url, walked once per run whichever check asks first."""
    return await once(net, f"web:walk:{url}", lambda: walk(net, url))


async def host_chains(net: NetContext, host: str) -> tuple[Chain, Chain]:
    """(http://host/<probe path>, https://host/<probe path>), shared by the host checks."""
    path = await probe_path(net)
    http, https = await asyncio.gather(shared_chain(net, f"http://{host}{path}"),
                                       shared_chain(net, f"https://{host}{path}"))
    return http, https


HostJudge = Callable[[Check, RunContext, str, Chain, Chain], Finding]


def _unreached(chain: Chain) -> str:
    return f"{chain.failed_url} {UNREACHED[chain.error_kind or 'other']}"


def _worst(verdicts: list[tuple[Status, str]]) -> tuple[Status, str]:
    return min(verdicts, key=lambda v: _WORST_FIRST.index(v[0]))


def _chains_evidence(*chains: Chain) -> dict:
    return {"chains": [c.evidence() for c in chains]}


def _host_check(judge: HostJudge) -> Callable[[RunContext, Check], Awaitable[list[Finding]]]:
    """A probe judging each host's two shared redirect chains, all hosts at once."""
    async def probe(ctx: RunContext, check: Check) -> list[Finding]:
        async def one(host: str) -> Finding:
            http, https = await host_chains(ctx.net, host)
            return judge(check, ctx, host, http, https)

        return list(await asyncio.gather(*(one(h) for h in ctx.config.target.hosts)))

    return needs_domain(probe)


# ---------------------------------------------------------------- stage 1: nameservers

# What to do when the domain cannot be looked up (stages.per_run.domain_status), by outcome.
_UNRESOLVED_ADVICE = {
    "nxdomain": "check target.domain for a typo, or register it",
    "timeout": "no network, or network.nameservers is wrong",
    "servfail": "check the domain's delegation at the registrar, and network.nameservers",
}


async def _dns_nameservers(ctx: RunContext, check: Check) -> list[Finding]:
    """The owner of the run's one finding about a domain that cannot be looked up at all."""
    domain = ctx.config.target.domain
    apex = await domain_status(ctx)
    if not apex.exists:
        status = Status.FAIL if apex.outcome == "nxdomain" else Status.ERROR
        summary = f"{unresolved_cause(ctx, apex)}: {_UNRESOLVED_ADVICE[apex.outcome]}"
        return [check.finding(domain, status, summary, apex.evidence(),
                              remediation="Until DNS answers for the domain, the checks of names "
                                          "under it say \"not checked\" and point here.")]
    if apex.outcome == "nodata":
        return [check.finding(domain, Status.FAIL, f"{domain} exists but has no NS records",
                              apex.evidence(), remediation="Set target.domain to the registrable domain "
                              "(the apex), and check its delegation at the registrar.")]
    d = await delegation(ctx.net, apex)
    evidence = {"ns": d.ns, "answers": [a.as_dict() for a in d.answers],
                "asked": "each NS host directly" if d.direct else "the configured nameservers"}
    if not d.direct:
        evidence["note"] = (f"the NS hosts ({', '.join(d.ns)}) could not be resolved, so they could "
                            "not be reached directly; the SOA was read from the configured "
                            "nameservers instead")
    by_serial = {a.server: a.serial for a in d.answers if a.serial is not None}
    broken = [a for a in d.answers if a.serial is None and not a.timed_out]
    slow = [a for a in d.answers if a.timed_out]
    where = "" if d.direct else " (asked through the configured nameservers)"
    if len(d.serials) > 1:
        listing = ", ".join(f"{server}: {serial}" for server, serial in by_serial.items())
        return [check.finding(domain, Status.FAIL, f"the nameservers serve different SOA serials ({listing})",
                              evidence, remediation="A nameserver is serving an old copy of the zone. If "
                              "the zone changed minutes ago, re-run; otherwise ask the DNS provider "
                              "why that server does not update.")]
    if broken:
        listing = "; ".join(f"{a.server}: {a.error}" for a in broken)
        return [check.finding(domain, Status.FAIL, f"a nameserver of {domain} does not answer for it ({listing})",
                              evidence, remediation="Every NS record must name a server that answers for "
                              "the zone: fix or remove the broken NS records at the registrar.")]
    if slow:
        names = ", ".join(a.server for a in slow)
        return [check.finding(domain, Status.ERROR, f"{names} did not answer the SOA question in time"
                              f"{'' if not by_serial else f'; the others serve serial {next(iter(d.serials))}'}",
                              evidence, remediation="Re-run; if it keeps timing out, check the nameserver "
                              "and network.nameservers in sprint.yaml.")]
    return [check.finding(domain, Status.PASS,
                          f"{len(d.ns)} nameservers ({', '.join(d.ns)}); all serve SOA serial "
                          f"{next(iter(d.serials))}{where}", evidence)]


DNS_NAMESERVERS = Check(
    id="dns.nameservers", stage=1, title="Nameservers agree", severity=Severity.BLOCKER,
    probe=_dns_nameservers,
    description="The domain's NS answer, and every nameserver serving the same SOA serial.",
)


# ---------------------------------------------------------------- stage 3: DNS consistency

@needs_domain
async def _dns_consistent(ctx: RunContext, check: Check) -> list[Finding]:
    hosts = ctx.config.target.hosts
    resolutions = await asyncio.gather(*(resolve_host(ctx.net, h) for h in hosts))
    chains = await asyncio.gather(*(host_chains(ctx.net, h) for h in hosts))
    edge = {h for h, pair in zip(hosts, chains, strict=True)
            if any(c.hops and "cf-ray" in c.hops[0].headers for c in pair)}
    resolved = {r.host: r.addresses for r in resolutions if r.outcome == "ok"}
    evidence = {"hosts": {h: {"addresses": a, "through_cloudflare": h in edge} for h, a in resolved.items()},
                "not_resolved": [r.host for r in resolutions if r.outcome != "ok"]}
    domain = ctx.config.target.domain
    direct = [h for h in resolved if h not in edge]
    if edge and direct:
        named = ", ".join(f"{h} ({', '.join(resolved[h])})" for h in direct)
        via = ", ".join(sorted(edge & resolved.keys()))
        return [check.finding(
            domain, Status.FAIL, f"not behind Cloudflare: {named}; behind it: {via}", evidence,
            remediation="Turn on the proxy (orange cloud) for every web host, so none of them "
                        "exposes the origin's address or skips the edge's HTTPS and cache settings.",
            fix="cf.proxy-records")]
    groups: dict[frozenset[str], list[str]] = {}
    for host in direct:
        groups.setdefault(frozenset(resolved[host]), []).append(host)
    if len(groups) > 1:
        ranked = sorted(groups.items(), key=lambda g: len(g[1]), reverse=True)
        main = ranked[0] if len(ranked[0][1]) > len(ranked[1][1]) else None
        odd = [g for g in ranked if g is not main]
        named = "; ".join(f"{', '.join(hs)} -> {', '.join(sorted(a))}" for a, hs in odd)
        summary = (f"{named} point somewhere else than the other hosts ({', '.join(sorted(main[0]))}): "
                   "a stale record?" if main else f"the web hosts point at different addresses: {named}")
        return [check.finding(domain, Status.FAIL, summary, evidence,
                              remediation="Point every web host at the same origin (or proxy them all "
                                          "through Cloudflare); delete records left from an old host.")]
    if len(resolved) < 2:
        return [check.finding(domain, Status.PASS, "fewer than two hosts resolve; nothing to compare",
                              evidence)]
    where = "the Cloudflare edge" if not direct else f"the same origin ({', '.join(sorted(next(iter(groups))))})"
    return [check.finding(domain, Status.PASS, f"all {len(resolved)} resolving hosts reach {where}", evidence)]


DNS_CONSISTENT = Check(
    id="dns.consistent", stage=3, title="Hosts reach the same place", severity=Severity.BLOCKER,
    probe=_dns_consistent,
    description="Every web host reaches the same origin or the same edge; a host pointing "
                "elsewhere is named.",
)


# ---------------------------------------------------------------- stage 3: HTTPS and redirects

def _available(check: Check, ctx: RunContext, host: str, http: Chain, https: Chain) -> Finding:
    evidence = https.evidence()
    if not https.hops:
        return check.finding(host, Status.FAIL, f"https://{host}/ {UNREACHED[https.error_kind or 'other']}",
                             evidence, remediation=_AVAILABLE_HELP[https.error_kind or "other"])
    first = https.hops[0]
    if first.status >= 500:
        return check.finding(host, Status.FAIL, f"https://{host}/ answered {first.status} (a server error)",
                             evidence, remediation="The HTTPS site answers with an error: check the "
                             "origin server and, behind Cloudflare, the SSL mode and origin certificate.")
    via = " through Cloudflare" if "cf-ray" in first.headers else ""
    return check.finding(host, Status.PASS, f"https://{host} answers (HTTP {first.status}){via}", evidence)


_AVAILABLE_HELP = {
    "refused": "Nothing listens on port 443: enable HTTPS on the server or proxy the host through Cloudflare.",
    "tls": "The TLS handshake fails: install a certificate for this name and allow TLS 1.2 or newer.",
    "timeout": "The host does not answer in time: check the firewall and that the server is up.",
    "dns": "The host does not resolve: add its DNS record (see dns.resolves).",
    "out-of-scope": "The host redirects outside the sprint's domain; add that domain to the sprint if intended.",
    "other": "The host cannot be reached over HTTPS; see the evidence for the error.",
}


def _edge_fix(hop: Hop, fix: str, help_: str) -> tuple[str, str]:
    """A Cloudflare setting only reaches hosts behind the edge: a host that answers without a
    cf-ray header needs cf.proxy first, and the finding says so instead of a fix that would
    change nothing for it."""
    if "cf-ray" in hop.headers:
        return fix, help_
    return "cf.proxy", help_ + f" This host is not behind Cloudflare, so proxy it first (cf.proxy), then {fix}."


def _enforced(check: Check, ctx: RunContext, host: str, http: Chain, https: Chain) -> Finding:
    evidence = http.evidence()
    help_ = "Redirect every http:// request to the same URL on https:// (Cloudflare: Always Use HTTPS)."
    if not http.hops:
        status = Status.FAIL if http.error_kind == "refused" else Status.ERROR
        return check.finding(host, status, f"http://{host}/ {UNREACHED[http.error_kind or 'other']}",
                             evidence, remediation=help_, fix="cf.always-use-https")
    first = http.hops[0]
    target = urlsplit(first.location or "")
    if first.location is None:
        summary, status = f"http://{host} answered {first.status} instead of redirecting to https://", Status.FAIL
    elif target.scheme != "https":
        summary, status = f"http://{host}/ redirects to {first.location}, still plain HTTP", Status.FAIL
    elif target.hostname != host:
        summary = f"http://{host}/ redirects straight to {target.hostname}, not to https://{host} first"
        status = Status.WARN
        help_ += " Redirect to https on the same host first, so its HSTS header is ever seen."
    else:
        return check.finding(host, Status.PASS, f"http://{host}/ redirects to https:// ({first.status})", evidence)
    fix, help_ = _edge_fix(first, "cf.always-use-https", help_)
    return check.finding(host, status, summary, evidence, remediation=help_, fix=fix)


def _canonical_verdict(chain: Chain, canonical: str) -> tuple[Status, str]:
    if chain.outcome == "error":
        return Status.FAIL, f"{_unreached(chain)}, so it never reaches {canonical}"
    last = chain.final
    if last is None:  # not "ok": a loop, or too many hops
        return Status.FAIL, f"{chain.start} loops without reaching {canonical}: {chain.route()}"
    final = urlsplit(last.url)
    if final.hostname != canonical or final.scheme != "https":
        if not chain.redirects:
            return Status.FAIL, f"{chain.start} serves its own page ({last.status}) instead of redirecting to {canonical}"
        return Status.FAIL, f"{chain.start} ends at {last.url}, not on https://{canonical}"
    codes = [h.status for h in chain.redirects]
    if len(codes) > 2:
        return Status.WARN, f"{chain.start} takes {len(codes)} redirects to reach {canonical}: {chain.route()}"
    temporary = [c for c in codes if c not in (301, 308)]
    if temporary:
        return Status.WARN, (f"{chain.start} reaches {canonical} with a temporary {temporary[0]}; "
                             "search engines keep both names")
    return Status.PASS, f"{chain.start} reaches https://{canonical} ({' '.join(map(str, codes))})"


@needs_domain
async def _canonical_redirect(ctx: RunContext, check: Check) -> list[Finding]:
    target = ctx.config.target
    canonical = target.canonical or target.domain  # what the Target validator sets it to
    variants = [h for h in target.hosts if h != canonical and h in (target.domain, f"www.{target.domain}")]
    if not variants:
        return [check.finding(target.domain, Status.SKIPPED,
                              "no apex or www variant besides the canonical host in target.hosts")]

    async def one(host: str) -> Finding:
        chains = await host_chains(ctx.net, host)
        status, summary = _worst([_canonical_verdict(c, canonical) for c in chains])
        return check.finding(
            host, status, summary, _chains_evidence(*chains),
            remediation="" if status is Status.PASS else
            f"Redirect every URL on {host} to the same path on https://{canonical} with a "
            "permanent 301 (or 308), in at most two hops.",
            fix=None if status is Status.PASS else "cf.redirect-canonical")

    return list(await asyncio.gather(*(one(h) for h in variants)))


def _preserves_path(check: Check, ctx: RunContext, host: str, http: Chain, https: Chain) -> Finding:
    wanted = http.start  # the run's probe path, on every start URL
    walked = [(c, hop) for c in (http, https) if (hop := c.final) is not None and c.redirects]
    evidence = {"probe": wanted, **_chains_evidence(http, https)}
    lost = [(c, final) for c, final in walked if not same_path(final.url, wanted)]
    if lost:
        chain, final = lost[0]
        return check.finding(
            host, Status.FAIL, f"{chain.start} lands on {final.url}: the path or query is lost",
            evidence, remediation="Make the redirect keep the path and the query string (a redirect "
            "rule with a dynamic target and 'preserve query string'), so deep links still work.",
            fix="cf.redirect-canonical")
    if walked:
        return check.finding(host, Status.PASS, f"path and query survive every redirect from {host}", evidence)
    if any(c.outcome in ("loop", "too-many") for c in (http, https)):
        return check.finding(host, Status.SKIPPED, f"{host} redirects in a loop (see https.no-redirect-loop)",
                             evidence)
    if all(c.outcome == "error" for c in (http, https)):
        return check.finding(host, Status.ERROR, f"{_unreached(https)}; no redirect to follow", evidence)
    return check.finding(host, Status.SKIPPED, f"{host} does not redirect; no path to lose", evidence)


def _no_loop(check: Check, ctx: RunContext, host: str, http: Chain, https: Chain) -> Finding:
    evidence = _chains_evidence(http, https)
    looping = [c for c in (https, http) if c.outcome in ("loop", "too-many")]
    if looping:
        c = looping[0]
        what = "loops" if c.outcome == "loop" else f"redirects {len(c.hops)} times without arriving"
        return check.finding(
            host, Status.FAIL, f"{c.start} {what}: {c.route(loop_only=True)}", evidence,
            remediation="Visitors get 'too many redirects'. A common cause behind Cloudflare is SSL "
            "mode flexible with an origin that itself redirects to HTTPS: use Full (strict) (see "
            "edge.ssl-mode); otherwise remove the redirect that points back.")
    if all(c.outcome == "error" for c in (http, https)):
        return check.finding(host, Status.ERROR, f"{_unreached(https)}; no redirects to follow", evidence)
    return check.finding(host, Status.PASS, f"no redirect loop from http:// or https://{host}", evidence)


def _hsts_directives(value: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in value.split(";") if part.strip())
    return {k.strip().lower(): v.strip().strip('"') for k, _, v in pairs}


def _hsts(check: Check, ctx: RunContext, host: str, http: Chain, https: Chain) -> Finding:
    if not https.hops:
        return check.finding(host, Status.ERROR, f"{_unreached(https)}; no HTTPS answer to read HSTS from",
                             https.evidence())
    header = https.hops[0].headers.get("strict-transport-security")
    help_ = ("Send Strict-Transport-Security with max-age of at least 31536000 (a year) on every "
             "HTTPS response; add includeSubDomains once every subdomain serves HTTPS.")
    fix, help_ = _edge_fix(https.hops[0], "cf.hsts", help_)
    if header is None:
        return check.finding(host, Status.FAIL, f"https://{host}/ sends no Strict-Transport-Security header",
                             {"url": https.hops[0].url, "header": None}, remediation=help_, fix=fix)
    directives = _hsts_directives(header)
    try:
        max_age = int(directives.get("max-age", ""))
    except ValueError:
        max_age = 0
    evidence = {"url": https.hops[0].url, "header": header, "max_age": max_age,
                "include_subdomains": "includesubdomains" in directives, "preload": "preload" in directives}
    extras = [w for w, k in (("includeSubDomains", "includesubdomains"), ("preload", "preload")) if k in directives]
    flags = f" ({', '.join(extras)})" if extras else " (no includeSubDomains, no preload)"
    if max_age >= HSTS_GOOD:
        return check.finding(host, Status.PASS, f"HSTS max-age={max_age}{flags}", evidence)
    status = Status.WARN if max_age >= HSTS_MIN else Status.FAIL
    return check.finding(host, status, f"HSTS max-age={max_age} is shorter than a year{flags}", evidence,
                         remediation=help_, fix=fix)


def _security_headers(check: Check, ctx: RunContext, host: str, http: Chain, https: Chain) -> Finding:
    final = https.final
    if final is None:
        return check.finding(host, Status.ERROR, f"{_unreached(https)}; no HTTPS page to read "
                             "security headers from", https.evidence())
    verdicts = judge(final.headers)
    evidence = {"url": final.url, "headers": [v.to_dict() for v in verdicts]}
    required = [v for v in verdicts if v.state != "ok" and v.kind in REQUIRED]
    others = [v for v in verdicts if v.state != "ok" and v.kind not in REQUIRED]
    help_ = ("Send X-Content-Type-Options: nosniff, X-Frame-Options: DENY (or CSP frame-ancestors), "
             "a Content-Security-Policy (report-only first), Referrer-Policy: "
             "strict-origin-when-cross-origin and a Permissions-Policy, from the app or at the edge.")
    fix: str | None = None
    if any(v.state == "missing" for v in verdicts):  # the edge adds missing ones, never rewrites
        fix, help_ = _edge_fix(final, "cf.security-headers", help_ + " cf.security-headers adds the "
                               "missing ones and leaves those the app sends.")
    if not required and not others:
        return check.finding(host, Status.PASS, f"{final.url} sends all five security headers", evidence)
    lacking = ", ".join(f"{v.kind} ({v.state})" for v in (*required, *others))
    return check.finding(host, Status.FAIL if required else Status.WARN, f"{final.url} lacks {lacking}",
                         evidence, remediation=help_, fix=fix)


# ---------------------------------------------------------------- stage 3: certificates, pages

@needs_domain
async def _tls_certificate(ctx: RunContext, check: Check) -> list[Finding]:
    async def one(host: str) -> Finding:
        try:
            cert = await inspect_certificate(ctx.net, host)
        except TlsUnreachable as exc:
            status = Status.FAIL if exc.kind == "tls" else Status.ERROR
            return check.finding(host, status, f"no certificate from {host}: {exc}", {"error": str(exc),
                                 "error_kind": exc.kind}, remediation=_AVAILABLE_HELP.get(exc.kind, ""))
        evidence = cert.evidence()
        until = cert.not_after.date().isoformat() if cert.not_after else "?"
        if not cert.verified:
            return check.finding(host, Status.FAIL, f"the certificate of {host} is not trusted: {cert.reason}",
                                 evidence, remediation=_cert_help(cert.reason))
        days_left = cert.days_left
        if days_left is None:  # inspect_certificate reads the expiry of every certificate it returns
            return check.finding(host, Status.ERROR, f"no expiry date read from the certificate of {host}",
                                 evidence)
        summary = f"valid for {host}, issued by {cert.issuer}, {days_left} days left (until {until})"
        if days_left < CERT_FAIL_DAYS:
            return check.finding(host, Status.FAIL, f"expires in {days_left} days ({until})", evidence,
                                 remediation="Renew the certificate now and check that renewal is automatic.")
        if days_left < CERT_WARN_DAYS:
            return check.finding(host, Status.WARN, summary, evidence,
                                 remediation="Renew soon and check that renewal is automatic.")
        return check.finding(host, Status.PASS, summary, evidence)

    return list(await asyncio.gather(*(one(h) for h in ctx.config.target.hosts)))


def _cert_help(reason: str) -> str:
    reason = reason.lower()
    if "expired" in reason:
        return "Renew the certificate and make renewal automatic."
    if "hostname" in reason or "not valid for" in reason:
        return "Serve a certificate whose names include this host (or a wildcard covering it)."
    if "self" in reason:
        return "Replace the self-signed certificate with one from a public CA (behind Cloudflare: Universal SSL)."
    return "Serve a certificate chain a browser trusts for this name, intermediates included."


async def _page_html(ctx: RunContext, url: str) -> str:
    async with ctx.net.http.stream("GET", url) as response:
        if "html" not in response.headers.get("content-type", "html"):
            return ""
        body = b""
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= PAGE_MAX_BYTES:
                break
        return body.decode(response.encoding or "utf-8", "replace")


@needs_domain
async def _mixed_content(ctx: RunContext, check: Check) -> list[Finding]:
    async def one(page: str) -> Finding:
        chain = await shared_chain(ctx.net, page)
        if chain.final is None:
            status = Status.ERROR if chain.outcome == "error" else Status.FAIL
            return check.finding(page, status, f"{page} could not be loaded: {chain.route()}", chain.evidence())
        if urlsplit(chain.final.url).scheme != "https":
            return check.finding(page, Status.FAIL, f"{page} ends on {chain.final.url}: the whole page is plain HTTP",
                                 chain.evidence(), remediation="Serve the page over HTTPS.",
                                 fix="cf.always-use-https")
        found = insecure_urls(await _page_html(ctx, chain.final.url))
        evidence = {"url": chain.final.url, "insecure": [
            {"kind": i.kind, "element": i.element, "url": i.url} for i in found]}
        if not found:
            return check.finding(page, Status.PASS, f"{chain.final.url} loads nothing over http://", evidence)
        active = [i for i in found if i.active]
        worst = active[0] if active else found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        fix, help_ = _edge_fix(chain.final, "cf.https-rewrites",
                               ("Browsers block http:// scripts, stylesheets, frames and form posts on "
                                "HTTPS pages, so the page breaks. " if active else
                                "Browsers warn about http:// images. ")
                               + "Change those URLs to https:// (or relative) in the page source; "
                                 "Cloudflare's Automatic HTTPS Rewrites fix the ones whose host serves HTTPS.")
        return check.finding(
            page, Status.FAIL, f"{chain.final.url} loads over plain HTTP: {worst.element} {worst.url}{more}",
            evidence, remediation=help_, fix=fix,
            severity=Severity.BLOCKER if active else Severity.CAN_WAIT)

    return list(await asyncio.gather(*(one(p) for p in ctx.config.target.pages)))


def _host(id_: str, title: str, severity: Severity, judge: HostJudge, description: str) -> Check:
    return Check(id=id_, stage=3, title=title, severity=severity, probe=_host_check(judge),
                 description=description)


STAGE1_CHECKS: tuple[Check, ...] = (DNS_NAMESERVERS,)

STAGE3_CHECKS: tuple[Check, ...] = (
    DNS_CONSISTENT,
    _host("https.available", "HTTPS answers", Severity.BLOCKER, _available,
          "An HTTPS request to each host answers; refused, TLS failure and timeout told apart."),
    Check(id="tls.certificate", stage=3, title="TLS certificate", severity=Severity.BLOCKER,
          probe=_tls_certificate,
          description="The certificate chain verifies for the host's name; under 14 days left fails, "
                      "under 30 warns."),
    _host("https.enforced", "HTTP redirects to HTTPS", Severity.BLOCKER, _enforced,
          "http:// redirects to https:// on the same host in the first hop."),
    Check(id="https.canonical-redirect", stage=3, title="Redirect to the canonical host",
          severity=Severity.CAN_WAIT, probe=_canonical_redirect,
          description="The apex or www variant reaches target.canonical with 301/308 in at most 2 hops."),
    _host("https.preserves-path", "Redirects keep path and query", Severity.CAN_WAIT, _preserves_path,
          "A random path and query survive every redirect."),
    _host("https.no-redirect-loop", "No redirect loop", Severity.BLOCKER, _no_loop,
          "Neither http:// nor https:// loops or needs more than 10 hops."),
    _host("https.security-headers", "Security headers", Severity.BLOCKER, _security_headers,
          "The HTTPS page (after redirects) sends X-Content-Type-Options: nosniff, framing protection "
          "(CSP frame-ancestors or X-Frame-Options) and a Content-Security-Policy (report-only "
          "counts): missing fails; Referrer-Policy (not unsafe-url) and Permissions-Policy warn."),
    _host("https.hsts", "HSTS", Severity.CAN_WAIT, _hsts,
          "Strict-Transport-Security max-age of a year passes, six months warns, shorter or missing fails."),
    Check(id="https.mixed-content", stage=3, title="No mixed content", severity=Severity.BLOCKER,
          probe=_mixed_content,
          description="Each page in target.pages loads nothing over http://; a script is a blocker, "
                      "an image can wait."),
)

CHECKS = (*STAGE1_CHECKS, *STAGE3_CHECKS)  # for stages.registry
