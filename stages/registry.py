"""Which module defines each automated check, in roadmap order, so a run imports only the check
families it runs: `check --only 'secrets.*'` never loads checkdmarc, the Cloudflare SDK or the
API probes.

Each module named here exports `CHECKS`, the Check objects it defines; tests/test_lazy_imports.py
asserts that this table and those tuples agree (ids, stages, order).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stages.base import Check

# (stage, module under stages.checks, the ids it defines for that stage, in order)
CATALOG: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "web", ("dns.nameservers",)),
    (1, "email", ("email.spf", "email.dmarc", "email.dkim")),
    (1, "bundle", ("secrets.client-bundle",)),
    (1, "secrets", ("secrets.repo", "secrets.git-history", "secrets.env-committed")),
    (2, "secrets", ("secrets.public-env-prefix", "auth.token-in-local-storage")),
    (2, "api_auth", ("auth.protected-routes", "auth.bola", "auth.admin-routes")),
    (2, "api_accounts", ("auth.mass-assignment", "auth.account-takeover", "auth.user-enumeration")),
    (2, "api_exposure", ("auth.data-exposure",)),
    (2, "logs", ("logs.sensitive-payloads",)),
    (3, "dns_resolves", ("dns.resolves",)),
    (3, "web", ("dns.consistent", "https.available", "tls.certificate", "https.enforced",
                "https.canonical-redirect", "https.preserves-path", "https.no-redirect-loop",
                "https.security-headers", "https.hsts", "https.mixed-content")),
    (3, "dns_caa", ("dns.caa",)),
    (3, "cloudflare", ("edge.proxied", "edge.ssl-mode", "edge.always-https", "edge.min-tls",
                       "edge.https-rewrites", "edge.bot-protection", "edge.private-not-cached",
                       "dns.dnssec")),
    (4, "api_abuse", ("abuse.oversized-payload", "abuse.malformed-payload", "abuse.error-leakage",
                      "webhook.signature")),
    (4, "api_injection", ("abuse.injection",)),
    (4, "ai", ("ai.system-prompt-leak", "ai.prompt-injection", "ai.tool-misuse",
               "ai.cross-session-leak", "ai.output-handling")),
    (4, "api_abuse", ("abuse.rate-limit",)),
    (5, "ops_monitoring", ("ops.monitoring",)),
    (5, "ops", ("ops.uptime", "ops.tls-expiry", "ops.latency-p95", "ops.alert-route")),
    (6, "release", ("release.smoke", "release.paths-preserved", "release.env-separation",
                    "release.build-reproducible", "release.stale-auth-cache")),
)

MODULE_OF: dict[str, str] = {cid: f"stages.checks.{module}" for _, module, ids in CATALOG for cid in ids}
STAGE_OF: dict[str, int] = {cid: stage for stage, _, ids in CATALOG for cid in ids}
ORDER: tuple[str, ...] = tuple(MODULE_OF)  # every check id, in roadmap order


def ids_of_stage(number: int) -> tuple[str, ...]:
    return tuple(cid for cid in ORDER if STAGE_OF[cid] == number)


@cache
def _module_checks(module: str) -> dict[str, Check]:
    return {c.id: c for c in importlib.import_module(module).CHECKS}


def load(ids: tuple[str, ...] | list[str]) -> list[Check]:
    """The Check objects of `ids`, importing only the modules that define them."""
    return [_module_checks(MODULE_OF[cid])[cid] for cid in ids]


def load_all() -> list[Check]:
    """Every check; the TUI calls it in a thread after its first frame, so nothing waits later."""
    return load(ORDER)
