"""Tokens an attacker can make without the server's key: unsigned (alg "none") and expired JWTs,
built by hand (base64url header and payload) from a real session's claims when it is a JWT, else
from scratch around the account's id. Used to see whether a protected route lets them in."""

from __future__ import annotations

import base64
import json
import time
from typing import Any


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(header: dict[str, Any], claims: dict[str, Any], signature: str = "") -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}.{signature}"


def parse(token: str) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    """(header, claims, signature) of a compact JWT, or None for any other token."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = json.loads(_unb64url(parts[0])), json.loads(_unb64url(parts[1]))
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, parts[2]


def forged(session_token: str | None, subject: str | None, now: float | None = None) -> dict[str, str]:
    """The two forged tokens by name. From a JWT session: its claims with `exp` an hour in the past
    and its own signature (a server must refuse it for the signature or the expiry), and its
    claims re-sent unsigned as alg "none" with a valid `exp`. Without one: the same two from
    scratch, for `sub` = the account's id (HS256 with a made-up signature for the expired one)."""
    now = time.time() if now is None else now
    parsed = parse(session_token) if session_token else None
    if parsed:
        header, claims, signature = parsed
    else:
        header, signature = {"alg": "HS256", "typ": "JWT"}, b64url(b"launch-ready-not-a-signature")
        claims = {"sub": subject or "1", "iat": int(now) - 60}
    return {
        "expired JWT": encode(header, {**claims, "exp": int(now) - 3600}, signature),
        "alg:none JWT": encode({**header, "alg": "none"}, {**claims, "exp": int(now) + 3600}),
    }
