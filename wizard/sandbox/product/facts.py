"""What a probe needs to know about the demo product: its paths, accounts and limits. Kept apart
from the code so the demo sprint's `api:` section can point at the same values."""

from __future__ import annotations

# Paths (all JSON). `{id}` is one path segment.
LOGIN_PATH = "/api/login"
ME_PATH = "/api/me"
CHAT_PATH = "/api/chat"
SESSIONS_PATH = "/api/sessions"
CHATS_PATH = "/api/chats"
CHAT_ITEM_PATH = "/api/chats/{id}"
ADMIN_USERS_PATH = "/api/admin/users"
ADMIN_BAN_PATH = "/api/admin/users/{id}/ban"
ADMIN_EVENTS_PATH = "/api/admin/events"
WEBHOOK_PATH = "/api/webhooks/billing"
DOCS_PATH = "/docs/{name}"

# Accounts: e-mail -> password for POST /api/login, and the static bearer tokens (origin.USERS).
PASSWORDS = {
    "alice@acme.example": "demo-password-a",
    "bob@acme.example": "demo-password-b",
    "ada@acme.example": "demo-password-admin",
}
TOKENS = {"alice": "tok-alice", "bob": "tok-bob", "admin": "tok-admin"}

# Orders the model's tools reach: alice owns A-1001, bob owns B-2001.
ORDERS = {"A-1001": "u_1001", "B-2001": "u_1002"}

RATE_LIMIT = 10  # requests per window per client, on login, chat and the webhook
RATE_WINDOW_S = 60
BODY_LIMIT = 64 * 1024  # fixed mode: 413 above this
CRASH_SIZE = 1024 * 1024  # vulnerable mode: 500 above this
SIGNATURE_HEADER = "Acme-Signature"  # t=<unix ts>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
WEBHOOK_TOLERANCE_S = 300
CRASH_MODEL = "does-not-exist"  # POST /api/chat {"model": CRASH_MODEL} fails in the provider call

REFUSAL = "Sorry, I can't help with that. I can answer questions about orders, shipping, returns and prices."
