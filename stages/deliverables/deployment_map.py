"""The deployment map (stage 1 deliverable), built only from the findings' evidence, so it
renders offline after a run and fills in as more checks have run: a section whose checks have
not run says so instead of guessing."""

from __future__ import annotations

from typing import Any

from wizard.findings import STATUS_WORD, Finding
from wizard.sprint import SprintConfig

NOT_YET_KNOWN = "not yet known"
EMAIL_CHECKS = ("email.spf", "email.dmarc", "email.dkim")


def _by_subject(findings: list[Finding], check_id: str) -> dict[str, Finding]:
    return {f.subject: f for f in findings if f.id == check_id}


def _records(host: str, proxied: Finding | None, resolves: Finding | None) -> list[str]:
    """The zone's records (Cloudflare API) when edge.proxied ran, else the DNS answer chain."""
    if proxied and proxied.evidence.get("records") == []:
        return ["none"]
    if proxied and proxied.evidence.get("records") is not None:
        return [f"{r['type']} {r['content']}" + (" (proxied)" if r["proxied"] else " (DNS only)")
                for r in proxied.evidence["records"]]
    if resolves:
        return [f"{r['type']} {r['value']}" for r in resolves.evidence.get("chain", [])
                if r.get("name", host).rstrip(".") == host or r["type"] == "CNAME"]
    return []


def _proxied(proxied: Finding | None) -> str:
    if proxied is None or "records" not in proxied.evidence:
        return NOT_YET_KNOWN
    records = proxied.evidence["records"]
    if not records:
        return "no record"
    if all(r["proxied"] for r in records):
        live = proxied.evidence.get("live") or {}
        return "yes" + (" (cf-ray seen)" if live.get("cf_ray") else "")
    return "no (DNS only)"


def _origin(proxied: Finding | None, resolves: Finding | None) -> str:
    """Where traffic ends up: the record's content (behind the edge too), else the addresses."""
    if proxied and proxied.evidence.get("records"):
        return ", ".join(r["content"] for r in proxied.evidence["records"])
    if resolves and resolves.evidence.get("addresses"):
        return ", ".join(resolves.evidence["addresses"])
    return NOT_YET_KNOWN


def _tls(cert: Finding | None) -> tuple[str, str]:
    if cert is None or not cert.evidence.get("issuer"):
        return NOT_YET_KNOWN, NOT_YET_KNOWN
    e = cert.evidence
    expiry = e.get("not_after") or e.get("notAfter") or NOT_YET_KNOWN
    if e.get("days_left") is not None:
        expiry = f"{expiry} ({e['days_left']} days left)"
    return str(e["issuer"]), str(expiry)


def deployment_map(config: SprintConfig, findings: list[Finding]) -> dict[str, Any]:
    proxied = _by_subject(findings, "edge.proxied")
    resolves = _by_subject(findings, "dns.resolves")
    certs = _by_subject(findings, "tls.certificate")
    hosts = []
    for host in config.target.hosts:
        issuer, expiry = _tls(certs.get(host))
        hosts.append({
            "host": host,
            "records": _records(host, proxied.get(host), resolves.get(host)) or [NOT_YET_KNOWN],
            "proxied": _proxied(proxied.get(host)),
            "origin": _origin(proxied.get(host), resolves.get(host)),
            "tls_issuer": issuer,
            "tls_expiry": expiry,
        })
    redirects = [{"host": f.subject, "status": STATUS_WORD[f.status], "summary": f.summary}
                 for f in findings if f.id in ("https.enforced", "https.canonical-redirect")]
    email = [{"check": f.id, "subject": f.subject, "status": STATUS_WORD[f.status],
              "record": f.evidence.get("record") or f.summary}
             for f in findings if f.id in EMAIL_CHECKS]
    settings = [{"setting": f.evidence["setting"], "value": f.evidence["value"],
                 "status": STATUS_WORD[f.status]}
                for f in findings if f.id.startswith("edge.") and "setting" in f.evidence]
    hsts = next((f.evidence["hsts"] for f in findings if "hsts" in f.evidence
                 and f.id.startswith("edge.")), None)
    if hsts is not None:
        settings.append({"setting": "hsts (security_header)", "status": "",
                         "value": f"max-age {hsts.get('max_age', 0)}" if hsts.get("enabled") else "off"})
    return {"hosts": hosts, "canonical": config.target.canonical, "redirects": redirects,
            "email": email, "cloudflare": settings, "not_yet_known": NOT_YET_KNOWN}
