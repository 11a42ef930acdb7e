"""What a probe needs to know about the demo product: its paths, accounts and limits. Kept apart
from the code so the demo sprint's `api:` section can point at the same values."""

from __future__ import annotations

# Paths (all JSON). `{id}` is one path segment (the OpenAPI document names it, e.g. `{chat_id}`).
LOGIN_PATH = "/api/login"
REGISTER_PATH = "/api/register"
ME_PATH = "/api/me"
USER_ITEM_PATH = "/api/users/{id}"
USER_PASSWORD_PATH = "/api/users/{id}/password"
CHAT_PATH = "/api/chat"
SESSIONS_PATH = "/api/sessions"
CHATS_PATH = "/api/chats"
CHAT_ITEM_PATH = "/api/chats/{id}"
WORKSPACES_PATH = "/api/workspaces"
WORKSPACE_ITEM_PATH = "/api/workspaces/{name}"  # workspaces are addressed by their unique name
SEARCH_PATH = "/api/search"  # ?q=: the caller's chat titles, in SQL
ADMIN_USERS_PATH = "/api/admin/users"
ADMIN_BAN_PATH = "/api/admin/users/{id}/ban"
ADMIN_EVENTS_PATH = "/api/admin/events"
WEBHOOK_PATH = "/api/webhooks/billing"
DOCS_PATH = "/docs/{name}"
HEALTH_PATH = "/health"
OPENAPI_PATH = "/openapi.json"

# Accounts: e-mail -> password for POST /api/login, and the static bearer tokens (origin.USERS).
PASSWORDS = {
    "alice@acme.example": "demo-password-a",
    "bob@acme.example": "demo-password-b",
    "ada@acme.example": "demo-password-admin",
}
TOKENS = {"alice": "tok-alice", "bob": "tok-bob", "admin": "tok-admin"}
FIRST_SIGNUP_ID = 2001  # POST /api/register hands out u_2001, u_2002, ...

# Bounds on what callers can store (past them: 507, nothing stored).
MAX_SIGNUPS = 1000
MAX_CHATS = 10_000
MAX_WORKSPACES = 1000
RECORD_LIMIT = 4096  # bytes of JSON in one user record (mass assignment stores extra fields)
SEARCH_LIMIT = 50  # rows one search returns

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
