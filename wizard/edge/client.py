"""The official Cloudflare SDK client for a sprint: API token only, bounded, budget-counted.

The SDK prefers CLOUDFLARE_EMAIL / CLOUDFLARE_API_KEY (global key) from the environment over the
token it is given; DESIGN 3.4 says global-key auth is never used, so the client here forgets
them, whatever the environment holds, and every request it sends carries only the Bearer token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import cloudflare
import httpx
from cloudflare import Cloudflare, DefaultHttpxClient

from wizard.net import NetContext, NetRefused

T = TypeVar("T")

OFFICIAL_API = "https://api.cloudflare.com/client/v4"
GLOBAL_KEY_HEADERS = frozenset({"x-auth-email", "x-auth-key", "x-auth-user-service-key"})
MAX_RETRIES = 1  # one retry for a transient 429/5xx; every attempt is counted in the budget


class TokenOnlyCloudflare(Cloudflare):
    """The SDK client with the global-key and service-key credentials always empty (the SDK
    reads them from the environment when they are None, in __init__ and in copy())."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.api_key = None
        self.api_email = None
        self.user_service_key = None
        # CLOUDFLARE_CUSTOM_HEADERS could smuggle the same headers back in
        self._custom_headers = {k: v for k, v in self._custom_headers.items()
                                if k.lower() not in GLOBAL_KEY_HEADERS}


def build_client(token: str, net: NetContext, api_base_url: str | None) -> Cloudflare:
    """A client whose every HTTP attempt (retries included) is spent from the run's budget."""

    def spend(request: httpx.Request) -> None:
        net.budget.spend(f"Cloudflare API {request.method} {request.url.path}")

    http = DefaultHttpxClient(timeout=net.timeout_s, event_hooks={"request": [spend]})
    return TokenOnlyCloudflare(
        api_token=token,
        base_url=api_base_url or OFFICIAL_API,
        max_retries=MAX_RETRIES,
        timeout=net.timeout_s,
        http_client=http,
    )


async def call(net: NetContext, fn: Callable[..., T], /, **kwargs) -> T:
    """One SDK call in a worker thread (the SDK is synchronous), bounded even if the SDK's own
    timeout were not honoured; a budget or scope refusal comes out as itself, not as the SDK's
    connection error."""
    deadline = net.timeout_s * (MAX_RETRIES + 1) + 2  # every attempt plus the SDK's short backoff
    try:
        async with asyncio.timeout(deadline):
            return await asyncio.to_thread(fn, **kwargs)
    except cloudflare.APIConnectionError as exc:
        if isinstance(exc.__cause__, NetRefused):
            raise exc.__cause__ from None
        raise
