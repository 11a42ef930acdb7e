"""cf.caa: CAA records allowing the certificate authorities the zone's certificates come from.

Universal SSL issues the edge certificates from Let's Encrypt, Google Trust Services and SSL.com
(Cloudflare's "CAA records" page); when the zone has no CAA record any CA may issue, and adding
one for a single CA would stop the others from renewing. So the plan adds an `issue` record for
each of Universal SSL's CAs the apex's set does not allow yet, and nothing else: a record of
yours stays, and the CA of a certificate on your origin is named in the note, to add yourself."""

from __future__ import annotations

from wizard.edge.draft import Draft
from wizard.sprint import SprintConfig

EDGE_CAS = ("letsencrypt.org", "pki.goog", "ssl.com")


def caa_content(tag: str, value: str, flags: int = 0) -> str:
    """The record's content as Cloudflare shows it: 0 issue "letsencrypt.org"."""
    return f'{flags} {tag} "{value}"'


def plan_caa(draft: Draft, config: SprintConfig, fix: str) -> None:
    domain = config.target.domain
    existing = [r for r in draft.records if r["type"] == "CAA" and r["name"] == domain]
    allowed = {str((r.get("data") or {}).get("value", "")).split(";")[0].strip().lower()
               for r in existing if (r.get("data") or {}).get("tag") == "issue"}
    missing = [ca for ca in EDGE_CAS if ca not in allowed]
    if not missing:
        draft.note(fix, f"the CAA set of {domain} already allows Universal SSL's CAs")
        return
    for ca in missing:
        draft.create_record(fix, "CAA", domain, caa_content("issue", ca), False,
                            note=f"{ca} may issue for {domain} and its subdomains (Universal SSL)",
                            data={"flags": 0, "tag": "issue", "value": ca})
    draft.note(fix, "a certificate your origin serves from another CA (ZeroSSL, DigiCert, ...) needs "
                    "its own issue record too: dns.caa names the issuers it saw")
