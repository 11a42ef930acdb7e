"""The fix catalogue and the planner: which fixes exist, which checks each answers, and the plan
(live zone -> desired zone -> changes) for any set of them.

plan_fixes does no I/O and is deterministic: the same live zone, config, fix ids and facts give
the same plan, whatever order the ids come in (they are planned in catalogue order, the apex/www
source host first), and a zone already in the desired state gives an empty plan. What needs the
network (the origin's certificate) comes in as PlanFacts, from origin_facts.gather_facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wizard.edge.draft import Draft
from wizard.edge.fix_caa import plan_caa
from wizard.edge.fix_dns import mail_or_verification, pair, plan_pair_host, plan_proxy
from wizard.edge.fix_healthchecks import plan_healthchecks
from wizard.edge.fix_mail import plan_dmarc, plan_spf
from wizard.edge.fix_rules import plan_cache_bypass, plan_canonical_redirect, plan_security_headers
from wizard.edge.fix_waf import plan_rate_limit, plan_waf_custom
from wizard.edge.live_zone import LiveZone
from wizard.edge.origin_facts import PlanFacts
from wizard.edge.plan import Plan
from wizard.sprint import SprintConfig, now

HSTS_MAX_AGE = 31_536_000
MIN_TLS = "1.2"
STRICT_MODES = ("strict", "origin_pull")
BOT_NOTE = ("Bot Fight Mode challenges automated clients it does not know, and the Free plan "
            "cannot exempt paths: payment, GitHub or Slack webhooks and API clients calling this "
            "zone can be blocked; test them right after applying")


@dataclass(frozen=True)
class FixInfo:
    title: str
    checks: tuple[str, ...]  # the checks that ask for it, and that must pass after it is applied
    description: str


FIXES: dict[str, FixInfo] = {
    "cf.dns-apex": FixInfo("Create or repair the apex record", ("dns.resolves",),
                           "The apex exists; when www is canonical, the apex is a CNAME to it "
                           "(flattened by Cloudflare), a stale A/AAAA replaced by delete + create."),
    "cf.dns-www": FixInfo("Create or repair the www record", ("dns.resolves",),
                          "www is a proxied CNAME to the apex (or, when www is canonical, exists "
                          "as a copy of the apex's records); a stale A/AAAA replaced by delete + create."),
    "cf.proxy": FixInfo("Proxy the web hosts through Cloudflare", ("edge.proxied", "dns.consistent"),
                        "Proxied on for every A/AAAA/CNAME record of target.hosts; never for mail "
                        "servers (MX targets, mail.*), _-prefixed service and verification names, or TXT."),
    "cf.ssl-strict": FixInfo("SSL mode Full (strict)", ("edge.ssl-mode",),
                             "strict when every host's origin serves a certificate valid for it; "
                             "full (with a note) when one does not; unchanged when an origin has no HTTPS."),
    "cf.always-use-https": FixInfo("Always Use HTTPS", ("edge.always-https", "https.enforced", "https.mixed-content"),
                                   "Every http:// request redirected to https://."),
    "cf.min-tls": FixInfo("Minimum TLS 1.2", ("edge.min-tls",), "TLS 1.0 and 1.1 refused at the edge."),
    "cf.hsts": FixInfo("HSTS for a year", ("https.hsts",),
                       "max-age 31536000; includeSubDomains only when every subdomain in target.hosts "
                       "is HTTPS-ready; never preload."),
    "cf.https-rewrites": FixInfo("Automatic HTTPS Rewrites", ("edge.https-rewrites", "https.mixed-content"),
                                 "http:// links to the zone's own hosts rewritten to https://."),
    "cf.redirect-canonical": FixInfo("Redirect to the canonical host",
                                     ("https.canonical-redirect", "https.preserves-path"),
                                     "One dynamic redirect rule sending the apex/www variant to the "
                                     "canonical host in one hop, 301 (or 308), path and query kept."),
    "cf.cache-bypass-private": FixInfo("Never cache private responses", ("edge.private-not-cached",),
                                       "One cache rule, last in its phase, with cache off for the "
                                       "target.private_urls paths and the API host."),
    "cf.security-headers": FixInfo("Security headers at the edge", ("https.security-headers",),
                                   "One response header transform rule per set of hosts setting the "
                                   "security headers their origin does not send (nosniff, "
                                   "X-Frame-Options DENY, a report-only CSP, Referrer-Policy, "
                                   "Permissions-Policy); headers the origin sends are never overwritten."),
    "cf.rate-limit": FixInfo("Rate limit log-in, chat and the webhook at the edge", ("abuse.rate-limit",),
                             "One rate limiting rule (cloudflare.rate_limit: requests per period per "
                             "visitor IP, block with 429) over the api: section's log-in, chat and "
                             "webhook paths, within what the zone's plan allows (Free: one rule, "
                             "10 s period and timeout, path-only expressions)."),
    "cf.waf-custom": FixInfo("Custom WAF rules for the webhook and the admin routes", ("auth.admin-routes",),
                             "Only POST reaches api.webhook's path (block); api.admin_routes get a "
                             "managed challenge, a stopgap while the app checks roles itself; others' "
                             "custom rules are kept, within the plan's number of rules."),
    "cf.caa": FixInfo("CAA records for Universal SSL's CAs", ("dns.caa",),
                      "An issue record at the apex for each of letsencrypt.org, pki.goog and ssl.com "
                      "the CAA set does not allow yet; records of yours are kept."),
    "cf.bot-fight-mode": FixInfo("Bot Fight Mode", ("edge.bot-protection",),
                                 "Bot Fight Mode on; it can block webhooks."),
    "cf.email-spf": FixInfo("One SPF record within the limits", ("email.spf",),
                            "Creates v=spf1 mx ~all (-all without mail) when there is none, tightens "
                            "+all/?all; over 10 lookups it changes nothing and says what each term costs."),
    "cf.email-dmarc": FixInfo("A DMARC record", ("email.dmarc",),
                              "Creates p=none with rua=mailto:dmarc@<domain> (p=reject without mail); "
                              "an existing record is left, with the next step noted."),
    "cf.healthchecks": FixInfo("Cloudflare health checks for the monitored URLs", ("ops.monitoring",),
                               "One HTTPS health check per monitoring.urls URL on a proxied host (every "
                               "60 s, 2 retries) and one notification policy e-mailing "
                               "monitoring.alert.smtp_to; Pro plan or higher."),
}
ALIASES = {"cf.proxy-records": "cf.proxy"}  # the id dns.consistent names



@dataclass(frozen=True)
class Job:
    """One fix being planned onto the shared draft."""

    fix: str
    draft: Draft
    config: SprintConfig
    facts: PlanFacts
    redirect_status: int


Planner = Callable[[Job], None]


def _setting(setting: str, value: str, accepted: tuple[str, ...] = (), note: str = "") -> Planner:
    """A planner setting one zone setting to `value` unless it already holds an accepted one."""
    def plan(job: Job) -> None:
        if job.draft.settings.get(setting) not in (value, *accepted):
            job.draft.set_setting(job.fix, setting, value, note=note)
    return plan


def _ssl_strict(job: Job) -> None:
    draft, config, facts, fix = job.draft, job.config, job.facts, job.fix
    if draft.settings.get("ssl") in STRICT_MODES:
        return
    hosts = [h for h in config.target.hosts if draft.web(h) and not mail_or_verification(draft, h)]
    certs = [facts.origins.get(h) for h in hosts]
    missing = [h for h, c in zip(hosts, certs, strict=True) if c is None or c.outcome in ("unknown", "no-tls")]
    if missing:
        why = "; ".join(f"{h}: {facts.origins[h].detail}" if h in facts.origins else f"{h}: not checked"
                        for h in missing)
        draft.note(fix, f"SSL left at {draft.settings.get('ssl')}: an origin without a working HTTPS "
                        f"server would fail behind Full or Full (strict) ({why}); serve HTTPS on the origin first")
        return
    bad = [c for c in certs if c is not None and c.outcome == "invalid"]  # none is None by now
    if not bad:
        draft.set_setting(fix, "ssl", "strict", note="the edge verifies each origin's certificate; "
                          "it must stay valid (renewals!) or visitors get error 526")
        return
    why = "; ".join(f"{c.host}: {c.detail}" for c in bad)
    draft.note(fix, f"Full (strict) would fail with error 526: the origin certificate is not valid ({why}). "
                    "Proposing full (encrypted, not verified) instead; install a valid certificate "
                    "(a Cloudflare Origin CA one works) and plan cf.ssl-strict again")
    if draft.settings.get("ssl") != "full":
        draft.set_setting(fix, "ssl", "full", note="full, not strict: the origin's certificate is not valid")


def https_ready(draft: Draft, facts: PlanFacts, host: str) -> str | None:
    """Why host cannot take HSTS yet, or None when it serves HTTPS: proxied one level under the
    zone (Universal SSL covers the apex and *.apex) with SSL not off, or DNS-only with a valid
    certificate at its origin. Decided from the draft, so a host this plan proxies counts."""
    records = draft.web(host)
    if not records:
        return "has no DNS record"
    if all(r["proxied"] for r in records):
        if host.count(".") > draft.live.name.count(".") + 1:
            return "is two or more levels deep, past Universal SSL's certificate"
        return "is proxied but SSL is off" if draft.settings.get("ssl") == "off" else None
    cert = facts.origins.get(host)
    return None if cert and cert.outcome == "valid" else \
        f"is DNS-only and its origin's HTTPS is not known valid ({cert.detail if cert else 'not checked'})"


def _hsts(job: Job) -> None:
    draft, config, facts, fix = job.draft, job.config, job.facts, job.fix
    current = (draft.settings.get("security_header") or {}).get("strict_transport_security") or {}
    if current.get("enabled") and (current.get("max_age") or 0) >= HSTS_MAX_AGE:
        return
    apex = draft.live.name
    subdomains = [h for h in config.target.hosts if h != apex]
    not_ready = {h: why for h in subdomains if (why := https_ready(draft, facts, h))}
    include = bool(current.get("include_subdomains")) or not not_ready
    if not_ready:
        draft.note(fix, "includeSubDomains left off: " + "; ".join(f"{h} {w}" for h, w in not_ready.items()))
    others = sorted({r["name"] for r in draft.records if r["name"] not in config.target.hosts
                     and r["type"] in ("A", "AAAA", "CNAME") and not r["name"].startswith("_")})
    if include and others:
        draft.note(fix, "includeSubDomains also covers names outside target.hosts: " + ", ".join(others)
                   + "; browsers will refuse plain HTTP on them for a year")
    value = {**current, "enabled": True, "max_age": HSTS_MAX_AGE, "include_subdomains": include,
             "preload": bool(current.get("preload"))}
    draft.set_setting(fix, "security_header", {"strict_transport_security": value},
                      note="browsers remember HSTS for a year: HTTPS must keep working on every "
                           "covered host; preload is never added by this tool")


def _bot(job: Job) -> None:
    if not job.draft.bot_fight_mode:
        job.draft.set_bot_fight_mode(job.fix, True, note=BOT_NOTE)


def _pair_host(which: str) -> Planner:
    def plan(job: Job) -> None:
        apex = job.config.target.domain
        plan_pair_host(job.draft, job.config, apex if which == "apex" else f"www.{apex}", job.fix)
    return plan


PLANNERS: dict[str, Planner] = {
    "cf.dns-apex": _pair_host("apex"),
    "cf.dns-www": _pair_host("www"),
    "cf.proxy": lambda job: plan_proxy(job.draft, job.config, job.fix),
    "cf.ssl-strict": _ssl_strict,
    "cf.always-use-https": _setting("always_use_https", "on"),
    "cf.min-tls": _setting("min_tls_version", MIN_TLS, ("1.3",),
                           note="clients without TLS 1.2 (Android 4.3, IE 10 and older) can no longer connect"),
    "cf.hsts": _hsts,
    "cf.https-rewrites": _setting("automatic_https_rewrites", "on"),
    "cf.redirect-canonical": lambda job: plan_canonical_redirect(job.draft, job.config, job.fix,
                                                                 job.redirect_status),
    "cf.cache-bypass-private": lambda job: plan_cache_bypass(job.draft, job.config, job.fix),
    "cf.security-headers": lambda job: plan_security_headers(job.draft, job.config, job.fix, job.facts),
    "cf.rate-limit": lambda job: plan_rate_limit(job.draft, job.config, job.fix),
    "cf.waf-custom": lambda job: plan_waf_custom(job.draft, job.config, job.fix),
    "cf.caa": lambda job: plan_caa(job.draft, job.config, job.fix),
    "cf.bot-fight-mode": _bot,
    "cf.email-spf": lambda job: plan_spf(job.draft, job.config, job.fix),
    "cf.email-dmarc": lambda job: plan_dmarc(job.draft, job.config, job.fix),
    "cf.healthchecks": lambda job: plan_healthchecks(job.draft, job.config, job.fix),
}


def resolve_fix_ids(fix_ids: list[str]) -> list[str]:
    """Known ids (aliases resolved), deduplicated; ValueError naming the unknown ones."""
    unknown = [f for f in fix_ids if f not in FIXES and f not in ALIASES]
    if unknown:
        raise ValueError(f"unknown fix id(s): {', '.join(unknown)}; known: {', '.join(FIXES)}")
    return list(dict.fromkeys(ALIASES.get(f, f) for f in fix_ids))


def _order(fix_ids: list[str], config: SprintConfig) -> list[str]:
    """Catalogue order, with the apex/www source host's fix before the other's."""
    order = list(FIXES)
    source, _ = pair(config)
    if source == f"www.{config.target.domain}":
        order[0], order[1] = order[1], order[0]
    return [f for f in order if f in fix_ids]


def plan_fixes(live: LiveZone, config: SprintConfig, fix_ids: list[str], facts: PlanFacts,
               *, redirect_status: int = 301) -> Plan:
    """The changes that bring the live zone to what the fixes want (empty: already fixed)."""
    fixes = _order(resolve_fix_ids(fix_ids), config)
    draft = Draft(live)
    for fix in fixes:
        PLANNERS[fix](Job(fix, draft, config, facts, redirect_status))
    return Plan(zone=live.name, zone_id=live.zone_id, fixes=fixes, changes=draft.changes(),
                notes=draft.notes, created_at=now())
