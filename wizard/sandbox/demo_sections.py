"""The demo sprint's `api:`, `monitoring:` and `release:` sections: the demo product as a user
would describe theirs, so `launch-ready demo` runs every check (stages 2, 4, 5 and 6 included).

The demo's env files are written into the sprint folder with fresh random values per start (no
key is a literal in this repository); staging and production share a secret on purpose.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from wizard.probes.openapi_discover import discover, resolve
from wizard.probes.openapi_doc import parse
from wizard.sandbox import product as facts
from wizard.sandbox.demo import API, APP, DOMAIN
from wizard.sandbox.product import Product
from wizard.sections import (
    Alert,
    Api,
    Bounds,
    Chat,
    Monitoring,
    Release,
    Watch,
    needed_per_probe,
)

BOB = "u_1002"  # test user B: ai.tool-misuse asks for his order as user A
STAGING_ENV = "env/staging.env"
PRODUCTION_ENV = "env/production.env"


def api_section(product: Product) -> Api:
    """What `launch-ready api discover` proposes from the product's own OpenAPI document (the
    webhook's scheme answered: stripe-style), then edited as a person would: the chat keeps a
    conversation, the logs command, user B's order. Bearer tokens for the test accounts (the
    credentials user-a, user-b, admin)."""
    document = parse(json.dumps(product.openapi_document), facts.OPENAPI_PATH)
    proposed = resolve(discover(document, facts.OPENAPI_PATH), {"webhook.scheme": "stripe"})
    routes = proposed["protected_routes"]
    return Api.model_validate({
        **proposed,
        "base_url": f"https://{API}/",
        "chat": Chat(url=facts.CHAT_PATH, body='{"message": "{{prompt}}", "session": "{{session}}"}',
                     new_session=facts.SESSIONS_PATH),
        "logs_command": f"tail -n 200 {product.log_path}",
        "other_order": next(order for order, user in facts.ORDERS.items() if user == BOB),
        "bounds": Bounds(burst=20, concurrency=3, per_run=1500,
                         per_probe=needed_per_probe(len(routes), len(proposed["resources"]))),
    })


def monitoring_section() -> Monitoring:
    return Monitoring(
        urls=[Watch(url=f"https://{DOMAIN}/", keyword="Acme Market"),
              Watch(url=f"https://{APP}/health", keyword="ok")],
        latency_urls=[f"https://{API}/health"],
        spread_s=2,
        alert=Alert(kind="webhook"),  # the URL is the alert-webhook credential: the sandbox's sink
    )


def release_section() -> Release:
    return Release(paths=["/", "/login"], health_path="/health", me_path=facts.ME_PATH,
                   staging_env=STAGING_ENV, production_env=PRODUCTION_ENV)


def write_env_files(root: Path) -> None:
    """Staging and production env files; the session secret is shared (a blocker to find)."""
    shared = secrets.token_urlsafe(32)
    files = {
        STAGING_ENV: f"SESSION_SECRET={shared}\nOPENAI_MODEL=gpt-4o-mini\nSENTRY_DSN=\n"
                     f"STRIPE_WEBHOOK_SECRET=whsec_{secrets.token_hex(16)}\n",
        PRODUCTION_ENV: f"SESSION_SECRET={shared}\nOPENAI_MODEL=gpt-4o-mini\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
