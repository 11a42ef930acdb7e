"""The product's accounts: a copy of origin.USERS per Product (so what one test changes never
reaches the next), each with its password as a PBKDF2 hash, plus sign-ups (u_2001, u_2002, ...,
at most MAX_SIGNUPS). A record is everything the product stores; `public` is the part its API
declares (UserOut), which is all a fixed product shows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading

from wizard.sandbox.origin import USERS
from wizard.sandbox.product.errors import BadInput
from wizard.sandbox.product.facts import FIRST_SIGNUP_ID, MAX_SIGNUPS, PASSWORDS, RECORD_LIMIT

DECLARED = ("id", "email", "name", "role")
_KEPT = ("id", "password", "password_hash")  # never taken from a body, even by mass assignment
_ITERATIONS = 10_000  # far below production settings: the sandbox hashes on every log-in


def hash_password(password: str, salt: str | None = None) -> str:
    """Django's format, so a leaked record looks like the real thing."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${base64.b64encode(digest).decode()}"


def _matches(password: str, stored: str) -> bool:
    salt = stored.split("$")[2]
    return hmac.compare_digest(hash_password(password, salt), stored)


def role(record: dict) -> str:
    """The stored role, or "admin" when a flag a mass assignment can set says so."""
    if record.get("role") == "admin" or record.get("is_admin") is True or record.get("admin") is True:
        return "admin"
    return str(record.get("role", "user"))


def public(record: dict) -> dict:
    return {"id": record["id"], "email": record["email"], "name": record.get("name", ""), "role": role(record)}


def normal_email(email: str) -> str:
    return email.strip().lower()


class Users:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records = {u["id"]: {**u, "password_hash": hash_password(PASSWORDS[u["email"]])}
                         for u in USERS.values()}
        self._tokens = {token: u["id"] for token, u in USERS.items()}
        self._next = FIRST_SIGNUP_ID

    def get(self, user_id: str) -> dict | None:
        with self._lock:
            record = self._records.get(user_id)
            return dict(record) if record else None

    def by_token(self, token: str) -> dict | None:
        """The user a static bearer token (or session cookie) signs in."""
        return self.get(self._tokens.get(token, ""))

    def by_email(self, email: str) -> dict | None:
        wanted = normal_email(email)
        with self._lock:
            return next((dict(r) for r in self._records.values() if r["email"] == wanted), None)

    def login(self, email: str, password: str) -> tuple[dict | None, bool]:
        """(the account with this e-mail or None, whether the password is its own)."""
        user = self.by_email(email)
        return user, user is not None and _matches(password, user["password_hash"])

    def all(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._records.values()]

    def register(self, email: str, password: str, fields: dict) -> dict | None:
        """A new plain user with `fields` on top (mass assignment passes any), or None when the
        e-mail is taken."""
        record = {"name": "", "plan": "free", "role": "user", **_takeable(fields), "email": normal_email(email),
                  "password_hash": hash_password(password)}
        with self._lock:
            if self._next - FIRST_SIGNUP_ID >= MAX_SIGNUPS:  # before the e-mail: full says nothing of it
                raise BadInput(507, "sign-ups are full")
            if any(r["email"] == record["email"] for r in self._records.values()):
                return None
            record["id"] = f"u_{self._next}"
            _check_size(record)
            self._next += 1
            self._records[record["id"]] = record
            return dict(record)

    def update(self, user_id: str, fields: dict) -> dict:
        """Set `fields` (None removes a field the API does not declare); 409 for a taken e-mail."""
        with self._lock:
            record = dict(self._records[user_id])
            for name, value in _takeable(fields).items():
                if value is None:
                    if name not in DECLARED:
                        record.pop(name, None)
                elif name == "email":
                    record["email"] = normal_email(str(value))
                else:
                    record[name] = value
            if any(r["email"] == record["email"] and r["id"] != user_id for r in self._records.values()):
                raise BadInput(409, "e-mail taken")
            _check_size(record)
            self._records[user_id] = record
            return dict(record)

    def set_password(self, user_id: str, password: str) -> None:
        with self._lock:
            self._records[user_id]["password_hash"] = hash_password(password)


def _takeable(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in _KEPT}


def _check_size(record: dict) -> None:
    if len(json.dumps(record)) > RECORD_LIMIT:
        raise BadInput(413, f"user record over {RECORD_LIMIT} bytes")
