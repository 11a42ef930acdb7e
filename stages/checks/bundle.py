"""secrets.client-bundle (stage 1): a key in the code the site ships is a key every visitor has.

The pages, their in-scope scripts and source maps come from wizard.probes.bundles; the secret
scanner reads them. One finding per provider and key (fingerprint), listing every URL that ships
it; a finding shows the key's first characters only, never the key.
"""

from __future__ import annotations

from collections import defaultdict

from stages.base import Check
from stages.checks.per_run import needs_domain
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.bundles import MAX_SCRIPTS, shipped
from wizard.probes.secrets.engine import Match, scan_text
from wizard.probes.secrets.rules import RULES_BY_ID


def _key_finding(check: Check, matches: list[Match]) -> Finding:
    first = matches[0]
    rule = RULES_BY_ID[first.rule_id]
    urls = list(dict.fromkeys(m.source for m in matches))
    severity = Severity(first.severity)
    public = severity is Severity.INFO  # publishable keys are meant for browsers
    where = ", ".join(urls[:3]) + (f" and {len(urls) - 3} more" if len(urls) > 3 else "")
    return check.finding(
        f"{first.provider}:{first.fingerprint}", Status.WARN if public else Status.FAIL,
        f"{first.provider} key {first.preview} ships to browsers in {where}"
        + (" (public by design)" if public else ""),
        {"provider": first.provider, "rule": first.rule_id, "fingerprint": first.fingerprint,
         "preview": first.preview, "urls": urls,
         "locations": [{"path": m.source, "line": m.line, "column": m.column} for m in matches]},
        remediation=("Nothing to rotate; check it is the publishable key. " if public else
                     "Every visitor can read it: move the call behind your server, then rotate. ")
        + rule.rotation,
        severity=severity,
    )


@needs_domain
async def _client_bundle(ctx: RunContext, check: Check) -> list[Finding]:
    pages = ctx.config.target.pages
    shipment = await shipped(ctx.net, pages)
    by_key: dict[tuple[str, str], list[Match]] = defaultdict(list)
    for f in shipment.files:
        for m in scan_text(f.text, f.url):
            by_key[(m.provider, m.fingerprint)].append(m)
    evidence = {"scanned": [f.url for f in shipment.files], "errors": shipment.errors,
                "skipped": shipment.skipped, "truncated": shipment.truncated}
    if by_key:
        return [_key_finding(check, ms) for ms in by_key.values()]
    subject = ctx.config.target.domain
    if not shipment.files:
        return [check.finding(subject, Status.ERROR if shipment.errors else Status.SKIPPED,
                              "no page could be loaded: " + "; ".join(shipment.errors) if shipment.errors
                              else "target.pages lists no page to read", evidence)]
    return [check.finding(subject, Status.PASS,
                          f"no key in {len(shipment.files)} shipped file(s) (pages, scripts, source maps)",
                          evidence)]


BUNDLE_CHECKS = (
    Check("secrets.client-bundle", 1, "No secret ships in the site's JavaScript", Severity.BLOCKER,
          _client_bundle,
          description=f"Reads target.pages, up to {MAX_SCRIPTS} scripts they load from the domain "
                      "and the scripts' source maps, and scans them for keys."),
)

CHECKS = BUNDLE_CHECKS  # for stages.registry
