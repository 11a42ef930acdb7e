"""Signing a webhook delivery the way its provider does, so a probe can send genuine, wrongly
signed and stale deliveries: Stripe (`t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>`), a
plain HMAC-SHA256 of the body (`sha256=<hex>`), and GitHub's X-Hub-Signature-256."""

from __future__ import annotations

import hashlib
import hmac

HEADERS = {"stripe": "Stripe-Signature", "hmac-sha256": "X-Signature", "github": "X-Hub-Signature-256"}


def header_name(scheme: str, override: str | None = None) -> str:
    return override or HEADERS[scheme]


def timestamped(scheme: str) -> bool:
    """Whether the scheme signs a timestamp (only then can a stale delivery be told apart)."""
    return scheme == "stripe"


def signature(scheme: str, secret: str, body: bytes, timestamp: int) -> str:
    """The header value a genuine delivery of `body` at `timestamp` carries."""
    if scheme == "stripe":
        digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
