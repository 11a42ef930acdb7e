"""Other services an app calls: Algolia, Mapbox."""

from __future__ import annotations

from wizard.probes.secrets.base import NAMED, Candidate, L, R, rule


def _algolia(c: Candidate) -> str | None:
    """Admin and write keys are secrets; search-only keys are public by design; a key whose name
    does not say is reported for a look (can-wait)."""
    name = c.group("name").lower()
    if "admin" in name or "write" in name:
        return "blocker"
    if not name.endswith("search") and any(w in name for w in ("search", "public", "read")):
        return "info"
    return "can-wait"


RULES = (
    rule("algolia-api-key", "Algolia", "can-wait",
         r"(?P<name>(?i:algolia)[\w\-]{0,30}+)(?:" + NAMED
         + r"""|\(\s{0,3}+["'][A-Za-z0-9]{10}["']\s{0,3}+,\s{0,3}+["'])(?P<secret>[0-9a-f]{32})(?![0-9A-Za-z_\-])""",
         ("algolia",), "If it is the Admin API key (or has write ACLs), regenerate it in the "
         "Algolia dashboard (Settings > API Keys) and keep it server-side; search-only keys are "
         "public by design.", validate=_algolia),
    rule("mapbox-secret-token", "Mapbox", "blocker",
         L + r"(?P<secret>sk\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,})" + R, ("sk.eyj",),
         "Delete the secret token at account.mapbox.com/access-tokens and create a new one; ship "
         "only URL-restricted public (pk.) tokens to browsers."),
)
