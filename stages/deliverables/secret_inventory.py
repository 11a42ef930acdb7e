"""The secret inventory (stage 2 deliverable): each secret the secrets.* checks found, once,
with everywhere it is exposed and how to rotate it. Built from findings only, which carry a
fingerprint and a 4-character preview, never the secret."""

from __future__ import annotations

from typing import Any

from wizard.findings import Finding

# Where a check saw a secret, in the words of the rotation plan.
EXPOSURE = {
    "secrets.repo": "HEAD",
    "secrets.env-committed": "HEAD",
    "secrets.public-env-prefix": "HEAD",
    "secrets.git-history": "history",
    "secrets.client-bundle": "shipped to browsers",
}


def _places(f: Finding) -> list[str]:
    ev = f.evidence
    places = [f"{p['path']}:{p['line']}" if p.get("line") else str(p["path"])
              for p in ev.get("locations", []) if isinstance(p, dict) and p.get("path")]
    return places or list(ev.get("urls", [])) or [f.subject]


def secret_inventory(findings: list[Finding]) -> list[dict[str, Any]]:
    """One row per secret (fingerprint), most exposed first."""
    rows: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.id not in EXPOSURE or not f.is_problem:
            continue
        key = f.evidence.get("fingerprint") or f.subject
        row = rows.setdefault(key, {
            "fingerprint": key, "provider": f.evidence.get("provider", "unknown"),
            "preview": f.evidence.get("preview", ""), "severity": f.severity.value,
            "exposure": [], "where": [], "rotation": f.remediation,
        })
        if EXPOSURE[f.id] not in row["exposure"]:
            row["exposure"].append(EXPOSURE[f.id])
        row["where"] += [p for p in _places(f) if p not in row["where"]]
    return sorted(rows.values(), key=lambda r: (-len(r["exposure"]), r["provider"]))
