"""Who is calling: the static tokens and session cookies of origin.USERS, and HS256 JWTs from
POST /api/login. Written by hand (no JWT library) because the vulnerable mode must accept what a
careful library refuses: alg "none" and expired tokens. Accounts are the Product's `Users`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from wizard.sandbox.http_server import Request
from wizard.sandbox.product.behaviours import Behaviours
from wizard.sandbox.product.users import Users, role

TOKEN_TTL_S = 3600


@dataclass(frozen=True)
class Caller:
    user: dict
    role: str
    key: str  # what rate limits count by: the token

    @property
    def id(self) -> str:
        return self.user["id"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_jwt(claims: dict, secret: bytes, alg: str = "HS256") -> str:
    """A compact JWT; alg "none" gives the unsigned form (empty signature) an attacker sends."""
    head = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = _sign(f"{head}.{body}", secret) if alg == "HS256" else ""
    return f"{head}.{body}.{signature}"


def _sign(signing_input: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def decode_jwt(token: str, secret: bytes, behaviours: Behaviours, now: float) -> dict | None:
    """The claims of a token this server accepts, else None."""
    try:
        head, body, signature = token.split(".")
        header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    alg = str(header.get("alg", "")).lower()
    if alg == "none":
        if not behaviours.jwt_alg_none:
            return None
    elif alg != "hs256" or not hmac.compare_digest(signature, _sign(f"{head}.{body}", secret)):
        return None
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or (expires < now and not behaviours.jwt_expired_ok):
        return None
    return claims


class Auth:
    """Log-in, token checks and bans (a banned account is signed out everywhere)."""

    def __init__(self, secret: bytes, users: Users, clock=time.time):
        self.secret = secret
        self.users = users
        self.clock = clock
        self.banned: set[str] = set()

    def issue(self, user_id: str, ttl_s: float = TOKEN_TTL_S, alg: str = "HS256") -> str:
        """A token for a user (tests use a negative ttl for an expired one, alg "none" for a forged one)."""
        now = int(self.clock())
        user = self.users.get(user_id)
        claims = {"sub": user_id, "role": role(user) if user else "user", "iat": now, "exp": now + int(ttl_s)}
        return encode_jwt(claims, self.secret, alg)

    def caller(self, request: Request, behaviours: Behaviours) -> Caller | None:
        auth = request.headers.get("Authorization") or ""
        token = auth[7:].strip() if auth.startswith("Bearer ") else request.cookie("session") or ""
        caller = self._static(token) or self._jwt(token, behaviours)
        return None if caller is None or caller.id in self.banned else caller

    def _static(self, token: str) -> Caller | None:
        user = self.users.by_token(token)
        return Caller(user, role(user), token) if user else None

    def _jwt(self, token: str, behaviours: Behaviours) -> Caller | None:
        claims = decode_jwt(token, self.secret, behaviours, self.clock())
        if claims is None:
            return None
        user = self.users.get(str(claims.get("sub")))
        if user is None:
            return None
        # The token's role claim is trusted (a forged one grants admin), and so is a role the
        # account gained since log-in.
        granted = "admin" if claims.get("role") == "admin" else role(user)
        return Caller(user, granted, f"user:{user['id']}")
