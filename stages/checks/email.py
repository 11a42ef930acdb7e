"""The email.* checks of the quick audit: SPF, DMARC and DKIM for the sprint's domain.

A domain that sends mail needs all three to land in inboxes (Gmail and Yahoo require them of bulk
senders) and to stop others sending as it. A domain that sends none (email.sends_mail: false)
should say so: `v=spf1 -all` and `p=reject`, so nobody can use its name; those findings are
can-wait, since no launch mail depends on them, and DKIM is skipped. None of them runs when the
domain does not resolve at all (stages.per_run.needs_domain): "no SPF record" of a domain that
does not exist would send the user after the wrong problem.
"""

from __future__ import annotations

import asyncio

from stages.base import Check
from stages.checks.per_run import needs_domain, once
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.mail_auth import DkimKey, MailPolicy, dkim_key, mail_policy

MAX_SPF_LOOKUPS = 10
# Selectors the usual providers publish, checked when none is configured.
COMMON_SELECTORS = {
    "google": "Google Workspace", "selector1": "Microsoft 365", "selector2": "Microsoft 365",
    "k1": "Mailchimp", "s1": "SendGrid", "s2": "SendGrid", "pm": "Postmark", "resend": "Resend",
    "mxvm": "other hosted mail",
}
DNS_TROUBLE = ("timed out", "timeout", "servfail", "no nameservers", "dns resolution")


async def _policy(ctx: RunContext) -> MailPolicy | str:
    """The run's one checkdmarc evaluation, or why it could not run."""

    async def evaluate() -> MailPolicy | str:
        try:
            return await mail_policy(ctx.net, ctx.config.target.domain)
        except TimeoutError:
            return f"the SPF and DMARC lookups did not finish within {ctx.net.timeout_s * 2:.0f} s"

    return await once(ctx.net, "mail-policy", evaluate)


def _dns_trouble(error: str) -> bool:
    return any(word in error.lower() for word in DNS_TROUBLE)


# ---------------------------------------------------------------- email.spf


@needs_domain
async def _spf(ctx: RunContext, check: Check) -> list[Finding]:
    domain = ctx.config.target.domain
    policy = await _policy(ctx)
    if isinstance(policy, str):
        return [check.finding(domain, Status.ERROR, policy)]
    spf = policy.spf
    sends = ctx.config.email.sends_mail
    severity = None if sends else Severity.CAN_WAIT
    evidence = {k: spf[k] for k in ("record", "dns_lookups", "void_dns_lookups", "warnings", "error")
                if spf.get(k) is not None}
    fix = "cf.email-spf"

    def finding(status: Status, summary: str, remediation: str = "", fix_id: str | None = fix) -> Finding:
        return check.finding(domain, status, summary, evidence, remediation,
                             fix_id if status is not Status.PASS else None, severity)

    error = spf.get("error")
    if error and _dns_trouble(error):
        return [finding(Status.ERROR, f"the SPF lookup failed: {error}",
                        "Check network.nameservers and that the domain's nameservers answer.", None)]
    if error and "does not exist" in error:
        return [finding(Status.FAIL, f"{domain} has no SPF record"
                        + ("" if sends else ": any server can send mail in its name"),
                        _spf_advice(domain, sends))]
    if error and "multiple" in error.lower():
        return [finding(Status.FAIL, f"{domain} has more than one SPF record, so receivers treat "
                        "SPF as a permanent error", "Merge them into one v=spf1 record.")]
    if error and "lookup" in error.lower():
        return [finding(Status.FAIL, f"SPF is over the limit of {MAX_SPF_LOOKUPS} DNS lookups "
                        f"({error}): receivers treat it as a permanent error and SPF fails",
                        "Drop includes of services you no longer use, and replace a/mx mechanisms "
                        "with ip4/ip6 where you can.")]
    if error:
        return [finding(Status.FAIL, f"the SPF record is invalid: {error}", _spf_advice(domain, sends))]
    parsed = spf.get("parsed") or {}
    final = parsed.get("all")
    lookups = spf.get("dns_lookups") or 0
    if final == "pass":
        return [finding(Status.FAIL, f"the SPF record ends in +all: every server on the internet "
                        f"may send mail as {domain}", "End the record with ~all or -all.")]
    if not sends:
        if parsed.get("mechanisms") or final != "fail":
            return [finding(Status.WARN, f"email.sends_mail is false but SPF allows senders "
                            f"({spf['record']})", _spf_advice(domain, sends))]
        return [finding(Status.PASS, f"SPF says {domain} sends no mail (v=spf1 -all)")]
    if final == "neutral":
        return [finding(Status.WARN, "the SPF record ends in ?all: receivers learn nothing about "
                        "servers it does not list", "End the record with ~all (or -all).")]
    return [finding(Status.PASS, f"one SPF record, {lookups} of {MAX_SPF_LOOKUPS} DNS lookups, "
                    f"ending in {final or 'no all'}")]


def _spf_advice(domain: str, sends: bool) -> str:
    if sends:
        return (f"Publish one TXT record at {domain}: v=spf1 include:<each mail provider> ~all "
                "(your providers document their include).")
    return f"Publish v=spf1 -all at {domain}: it sends no mail, so nobody may send as it."


SPF = Check(
    id="email.spf", stage=1, title="SPF record", severity=Severity.BLOCKER, probe=_spf,
    description="One SPF record, at most 10 DNS lookups, no +all (?all warns); "
                "v=spf1 -all when the domain sends no mail.")


# ---------------------------------------------------------------- email.dmarc


@needs_domain
async def _dmarc(ctx: RunContext, check: Check) -> list[Finding]:
    domain = ctx.config.target.domain
    policy = await _policy(ctx)
    if isinstance(policy, str):
        return [check.finding(domain, Status.ERROR, policy)]
    dmarc = policy.dmarc
    sends = ctx.config.email.sends_mail
    severity = None if sends else Severity.CAN_WAIT
    tags = dmarc.get("tags") or {}
    p = (tags.get("p") or {}).get("value")
    rua = [u.get("address") for u in (tags.get("rua") or {}).get("value") or []]
    evidence = {"record": dmarc.get("record"), "policy": p, "rua": rua,
                "warnings": dmarc.get("warnings") or [], **({"error": dmarc["error"]} if dmarc.get("error") else {})}
    reports = f"aggregate reports go to {', '.join(rua)}" if rua else "no rua: nobody receives aggregate reports"

    def finding(status: Status, summary: str, remediation: str = "") -> Finding:
        return check.finding(domain, status, summary, evidence, remediation,
                             "cf.email-dmarc" if status is not Status.PASS else None, severity)

    error = dmarc.get("error")
    if error and _dns_trouble(error):
        return [check.finding(domain, Status.ERROR, f"the DMARC lookup failed: {error}", evidence,
                              "Check network.nameservers and that the domain's nameservers answer.")]
    if error and "does not exist" in error:
        return [finding(Status.FAIL, f"no DMARC record at _dmarc.{domain}: nothing tells receivers "
                        "what to do with mail that fails SPF and DKIM" + (
                            " (Gmail and Yahoo require one from bulk senders)" if sends else ""),
                        _dmarc_advice(domain, sends))]
    if error:
        return [finding(Status.FAIL, f"the DMARC record is invalid: {error}", _dmarc_advice(domain, sends))]
    if not sends:
        if p == "reject":
            return [finding(Status.PASS, f"DMARC p=reject: mail claiming to be from {domain} is refused")]
        return [finding(Status.FAIL, f"DMARC p={p} although the domain sends no mail",
                        _dmarc_advice(domain, sends))]
    if p == "none":
        return [finding(Status.WARN, f"DMARC p=none only monitors; {reports}",
                        "Next step: once the reports show your own senders pass, move to "
                        "p=quarantine (then p=reject).")]
    return [finding(Status.PASS, f"DMARC p={p}; {reports}")]


def _dmarc_advice(domain: str, sends: bool) -> str:
    if sends:
        return (f"Publish a TXT record at _dmarc.{domain}: v=DMARC1; p=none; rua=mailto:dmarc@{domain} "
                "to start collecting reports, then move to p=quarantine.")
    return f"Publish v=DMARC1; p=reject at _dmarc.{domain}: it sends no mail."


DMARC = Check(
    id="email.dmarc", stage=1, title="DMARC policy", severity=Severity.BLOCKER, probe=_dmarc,
    description="A DMARC record with its policy (p=none warns with the next step) and where "
                "reports go; p=reject when the domain sends no mail.")


# ---------------------------------------------------------------- email.dkim


@needs_domain
async def _dkim(ctx: RunContext, check: Check) -> list[Finding]:
    domain = ctx.config.target.domain
    selectors = ctx.config.email.dkim_selectors
    if not selectors and not ctx.config.email.sends_mail:
        return [check.finding(domain, Status.SKIPPED, "the domain sends no mail (email.sends_mail: false)")]
    if not selectors:
        return [await _suggest_selectors(ctx, check)]
    keys = await asyncio.gather(*(dkim_key(ctx.net, domain, s) for s in selectors))
    return [_dkim_finding(check, key) for key in keys]


def _dkim_finding(check: Check, key: DkimKey) -> Finding:
    evidence = {"selector": key.selector, "name": key.name, "outcome": key.outcome,
                **({"record": key.record} if key.record else {})}
    remediation = (f"Publish the TXT record your mail provider gives for {key.name} (or remove "
                   f"{key.selector} from email.dkim_selectors).")
    if key.outcome == "key":
        return check.finding(key.name, Status.PASS, f"DKIM key published at {key.name}", evidence)
    if key.outcome in ("timeout", "servfail"):
        return check.finding(key.name, Status.ERROR, f"the lookup of {key.name} failed ({key.outcome})",
                             evidence, "Check network.nameservers and re-run.")
    summary = {"missing": f"no DKIM key at {key.name}: mail signed with {key.selector} fails DKIM",
               "revoked": f"the DKIM key at {key.name} is revoked (empty p=)",
               "not-dkim": f"the TXT record at {key.name} is not a DKIM key"}[key.outcome]
    return check.finding(key.name, Status.FAIL, summary, evidence, remediation)


async def _suggest_selectors(ctx: RunContext, check: Check) -> Finding:
    """No selector configured: a person must name them; the usual providers' selectors that do
    have a key are suggested."""
    domain = ctx.config.target.domain
    keys = await asyncio.gather(*(dkim_key(ctx.net, domain, s) for s in COMMON_SELECTORS))
    found = [k.selector for k in keys if k.outcome == "key"]
    common = ", ".join(f"{s} ({p})" for s, p in COMMON_SELECTORS.items())
    summary = "no DKIM selector configured" + (
        f"; keys found at the common selectors {', '.join(found)}" if found else
        "; none of the common selectors has a key")
    return check.finding(domain, Status.MANUAL, summary,
                         {"found": found, "common_selectors": COMMON_SELECTORS},
                         f"List your mail providers' selectors in email.dkim_selectors. Common ones: {common}.")


DKIM = Check(
    id="email.dkim", stage=1, title="DKIM keys", severity=Severity.BLOCKER, probe=_dkim,
    description="Each email.dkim_selectors has a key at <selector>._domainkey.<domain>; none "
                "configured asks a person, suggesting the usual providers' selectors.")

STAGE1_CHECKS = (SPF, DMARC, DKIM)

CHECKS = STAGE1_CHECKS  # for stages.registry
