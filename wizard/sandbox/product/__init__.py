"""The demo product's API at the origin ("Acme Market assistant"): accounts and JWTs, owned chats,
admin routes, rate limits, payload limits, error pages, a signed billing webhook, a rule-based
chat model with tools, and a chat log. Every abuse behaviour is a switch in `Behaviours`
(vulnerable by default: the demo is a launch-blocker demo); `Product` is mounted on the origin
by the sandbox and reachable as `sandbox.product`.

Accounts (POST /api/login): alice@acme.example / demo-password-a (user), bob@acme.example /
demo-password-b (user), ada@acme.example / demo-password-admin (admin); the static bearer tokens
tok-alice, tok-bob and tok-admin sign the same users in. POST /api/register signs new users up
(u_2001, u_2002, ..., plain users who log in with POST /api/login). GET /openapi.json describes
every route, generated from the same table the product mounts.
"""

from wizard.sandbox.product.app import Product
from wizard.sandbox.product.auth import encode_jwt
from wizard.sandbox.product.behaviours import Behaviours
from wizard.sandbox.product.facts import (
    ADMIN_BAN_PATH,
    ADMIN_EVENTS_PATH,
    ADMIN_USERS_PATH,
    BODY_LIMIT,
    CHAT_ITEM_PATH,
    CHAT_PATH,
    CHATS_PATH,
    CRASH_MODEL,
    CRASH_SIZE,
    DOCS_PATH,
    LOGIN_PATH,
    ME_PATH,
    OPENAPI_PATH,
    ORDERS,
    PASSWORDS,
    RATE_LIMIT,
    RATE_WINDOW_S,
    REFUSAL,
    REGISTER_PATH,
    SEARCH_PATH,
    SESSIONS_PATH,
    SIGNATURE_HEADER,
    TOKENS,
    USER_ITEM_PATH,
    USER_PASSWORD_PATH,
    WEBHOOK_PATH,
    WEBHOOK_TOLERANCE_S,
    WORKSPACE_ITEM_PATH,
    WORKSPACES_PATH,
)
from wizard.sandbox.product.webhook import sign

__all__ = [
    "ADMIN_BAN_PATH", "ADMIN_EVENTS_PATH", "ADMIN_USERS_PATH", "BODY_LIMIT", "CHATS_PATH",
    "CHAT_ITEM_PATH", "CHAT_PATH", "CRASH_MODEL", "CRASH_SIZE", "DOCS_PATH", "LOGIN_PATH",
    "ME_PATH", "OPENAPI_PATH", "ORDERS", "PASSWORDS", "RATE_LIMIT", "RATE_WINDOW_S", "REFUSAL",
    "REGISTER_PATH", "SEARCH_PATH", "SESSIONS_PATH", "SIGNATURE_HEADER", "TOKENS", "USER_ITEM_PATH",
    "USER_PASSWORD_PATH", "WEBHOOK_PATH", "WEBHOOK_TOLERANCE_S", "WORKSPACES_PATH",
    "WORKSPACE_ITEM_PATH", "Behaviours", "Product", "encode_jwt", "sign",
]
