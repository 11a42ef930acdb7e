"""dns.caa (RFC 8659): the domain's CAA records say which certificate authorities may issue for
it. With none, any CA may (a warning). With some, every CA that issues a certificate the hosts
need must be allowed, or its next renewal fails and the site goes down with an expired
certificate: the CAs of the certificates the hosts present now, and for a zone on Cloudflare
the CAs its Universal SSL issues edge certificates from.

The records are read at the apex (the set that applies to every host without CAA of its own);
cf.caa adds Universal SSL's CAs; a CA of your own certificates is named for you to add."""

from __future__ import annotations

import asyncio

import dns.exception
import dns.resolver

from stages.base import Check
from stages.checks.per_run import needs_domain
from wizard.edge.fix_caa import EDGE_CAS
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.tls import TlsUnreachable, inspect_certificate

# A certificate's issuer organisation -> the CA's CAA identifier.
ISSUER_CAA = {"let's encrypt": "letsencrypt.org", "google trust services": "pki.goog",
              "ssl.com": "ssl.com", "ssl corporation": "ssl.com", "sectigo": "sectigo.com",
              "zerossl": "sectigo.com", "digicert": "digicert.com", "amazon": "amazon.com",
              "globalsign": "globalsign.com"}


def caa_domain(issuer: str) -> str | None:
    lowered = issuer.lower()
    return next((caa for name, caa in ISSUER_CAA.items() if name in lowered), None)


async def caa_records(ctx: RunContext, name: str) -> list[tuple[int, str, str]]:
    """(flags, tag, value) of name's CAA set; [] when it has none."""
    try:
        answer = await ctx.net.query(name, "CAA")
    except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
        return []
    return [(r.flags, r.tag.decode(), r.value.decode()) for r in answer]


def allowed_cas(records: list[tuple[int, str, str]]) -> set[str]:
    """The CA domains `issue` names (a value's parameters after ';' dropped; ';' alone: none)."""
    return {value.split(";")[0].strip().lower() for _, tag, value in records
            if tag.lower() == "issue" and value.split(";")[0].strip()}


@needs_domain
async def _caa(ctx: RunContext, check: Check) -> list[Finding]:
    domain = ctx.config.target.domain
    try:
        records = await caa_records(ctx, domain)
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
        return [check.finding(domain, Status.ERROR, f"the CAA question for {domain} got no answer "
                              f"({type(exc).__name__})")]
    certs = await asyncio.gather(*(inspect_certificate(ctx.net, h) for h in ctx.config.target.hosts),
                                 return_exceptions=True)
    issuers = {h: c.issuer for h, c in zip(ctx.config.target.hosts, certs, strict=True)
               if not isinstance(c, BaseException)}
    for cert in certs:
        if isinstance(cert, BaseException) and not isinstance(cert, TlsUnreachable):
            raise cert
    in_use = {caa for caa in map(caa_domain, issuers.values()) if caa}
    needed = sorted(set(EDGE_CAS) | in_use)
    unmapped = sorted({i for i in issuers.values() if caa_domain(i) is None})
    evidence = {"records": [f'{f} {t} "{v}"' for f, t, v in records], "needed": needed,
                "issuers": issuers, "issuers_not_mapped": unmapped}
    add = "; ".join(f'{domain}. CAA 0 issue "{ca}"' for ca in needed)
    if not records:
        return [check.finding(domain, Status.WARN, f"no CAA records: any certificate authority may "
                              f"issue for {domain}", evidence,
                              remediation=f"Add CAA records for the CAs in use: {add} (and an iodef "
                                          "record with your security contact).", fix="cf.caa")]
    allowed = allowed_cas(records)
    missing = [ca for ca in needed if ca not in allowed]
    if missing:
        return [check.finding(domain, Status.FAIL, f"CAA allows {', '.join(sorted(allowed)) or 'no CA'} "
                              f"but not {', '.join(missing)}: the next certificate from them fails",
                              evidence, severity=Severity.BLOCKER,
                              remediation="Add " + "; ".join(f'{domain}. CAA 0 issue "{ca}"' for ca in missing)
                                          + ", or move those certificates to an allowed CA.",
                              fix="cf.caa" if set(missing) <= set(EDGE_CAS) else None)]
    return [check.finding(domain, Status.PASS, f"CAA allows every CA in use ({', '.join(needed)})",
                          evidence)]


CAA = Check(
    id="dns.caa", stage=3, title="CAA records allow the CAs in use", severity=Severity.CAN_WAIT,
    probe=_caa,
    description="The apex's CAA set: none warns (any CA may issue); a set that does not allow "
                "Universal SSL's CAs (letsencrypt.org, pki.goog, ssl.com) and the CA of each "
                "host's current certificate fails as a blocker (renewal would fail).")

CHECKS = (CAA,)  # for stages.registry
