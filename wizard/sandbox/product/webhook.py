"""The billing provider's webhook, signed Stripe-style: `Acme-Signature: t=<unix ts>,v1=<hex
HMAC-SHA256(secret, f"{t}.{body}")>`. A delivery is trusted only when signed with this start's
`whsec_` secret, recent (5 minutes) and not seen before; each accepted one is recorded in
`events`, the side effect a probe looks for."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from wizard.sandbox.product.behaviours import Behaviours
from wizard.sandbox.product.errors import BadInput
from wizard.sandbox.product.facts import WEBHOOK_TOLERANCE_S


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a genuine delivery carries."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _parse(header: str) -> tuple[int, list[str]] | None:
    parts = [p.strip().partition("=") for p in header.split(",")]
    stamps = [v for k, _, v in parts if k == "t"]
    signatures = [v for k, _, v in parts if k == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        return None
    return int(stamps[0]), signatures


class Webhooks:
    def __init__(self, clock=time.time):
        self.secret = "whsec_" + secrets.token_hex(24)
        self.clock = clock
        self.events: list[dict] = []
        self._lock = threading.Lock()

    def receive(self, header: str, body: bytes, event: dict, behaviours: Behaviours) -> dict:
        """Record the event, or raise BadInput (401 bad signature, 400 stale or replayed)."""
        parsed = _parse(header)
        valid = parsed is not None and any(
            hmac.compare_digest(sign(self.secret, body, parsed[0]), f"t={parsed[0]},v1={s}")
            for s in parsed[1])
        if not valid and not behaviours.webhook_unsigned:
            raise BadInput(401, "invalid signature")
        stale = parsed is not None and abs(self.clock() - parsed[0]) > WEBHOOK_TOLERANCE_S
        with self._lock:
            seen = any(e["id"] == event["id"] for e in self.events)
            if (stale or seen) and not behaviours.webhook_replay:
                raise BadInput(400, "replayed event" if seen else "timestamp outside tolerance")
            record = {"id": event["id"], "type": event.get("type"), "received": int(self.clock())}
            self.events.append(record)
            return dict(record)

