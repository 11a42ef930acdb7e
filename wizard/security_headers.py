"""The response headers an app's pages should send, as the Mozilla Observatory grades them, cut
to those that matter for a web app: X-Content-Type-Options, framing (CSP frame-ancestors or
X-Frame-Options), a Content-Security-Policy (report-only counts: it is the safe first step),
Referrer-Policy and Permissions-Policy.

`judge` says what a response lacks; `to_add` is what cf.security-headers sets at the edge for the
headers the origin does not send at all (a header the origin sends, even a weak one, is the
origin's decision and is never overwritten)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

State = Literal["ok", "missing", "weak"]
# What cf.security-headers adds when the origin sends none of a kind.
DEFAULTS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy-report-only": "default-src 'self'; frame-ancestors 'none'; "
                                           "object-src 'none'; base-uri 'self'",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
WEAK_REFERRERS = ("unsafe-url", "no-referrer-when-downgrade")
REQUIRED = ("x-content-type-options", "framing", "content-security-policy")  # missing: fail


@dataclass(frozen=True)
class Verdict:
    kind: str  # x-content-type-options | framing | content-security-policy | referrer-policy | permissions-policy
    state: State
    value: str | None  # what the response sent
    reason: str

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "state": self.state, "value": self.value, "reason": self.reason}


def _csp_directives(value: str | None) -> dict[str, str]:
    pairs = (part.strip().partition(" ") for part in (value or "").split(";") if part.strip())
    return {name.lower(): rest.strip() for name, _, rest in pairs}


def judge(headers: Mapping[str, str]) -> list[Verdict]:
    """One verdict per kind; `headers` with lower-case names."""
    h = {k.lower(): v for k, v in headers.items()}
    csp, report_only = h.get("content-security-policy"), h.get("content-security-policy-report-only")
    nosniff = h.get("x-content-type-options")
    frame_ancestors = "frame-ancestors" in _csp_directives(csp)
    xfo = h.get("x-frame-options")
    referrer, permissions = h.get("referrer-policy"), h.get("permissions-policy")
    return [
        Verdict("x-content-type-options",
                "ok" if (nosniff or "").strip().lower() == "nosniff" else ("weak" if nosniff else "missing"),
                nosniff, "browsers may guess a response's type (MIME sniffing)"),
        Verdict("framing",
                "ok" if frame_ancestors or (xfo or "").strip().upper() in ("DENY", "SAMEORIGIN")
                else ("weak" if xfo else "missing"),
                xfo or (csp if frame_ancestors else None),
                "any site may frame the app (clickjacking): CSP frame-ancestors or X-Frame-Options"),
        Verdict("content-security-policy", "ok" if csp or report_only else "missing", csp or report_only,
                "no Content-Security-Policy, not even report-only: injected scripts run unreported"),
        Verdict("referrer-policy",
                "weak" if (referrer or "").strip().lower() in WEAK_REFERRERS
                else ("ok" if referrer else "missing"),
                referrer, "full URLs (tokens in query strings) leak to other sites in Referer"),
        Verdict("permissions-policy", "ok" if permissions else "missing", permissions,
                "camera, microphone and location are not switched off for embedded content"),
    ]


def to_add(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers (name -> value) the edge should set: only kinds the response has none of."""
    missing = {v.kind for v in judge(headers) if v.state == "missing"}
    names = {"x-content-type-options": "x-content-type-options", "framing": "x-frame-options",
             "content-security-policy": "content-security-policy-report-only",
             "referrer-policy": "referrer-policy", "permissions-policy": "permissions-policy"}
    return {names[kind]: DEFAULTS[names[kind]] for kind in names if kind in missing}
