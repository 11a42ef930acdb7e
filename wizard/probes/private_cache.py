"""Whether a signed-in page is shared between users by a cache: the page fetched as test user A
then as user B. B receiving A's bytes, a cache HIT, or a Cache-Control that lets a shared cache
keep it is the leak. edge.private-not-cached (target.private_urls) and release.stale-auth-cache
(the API's me_path) both judge their fetches here; each says how it signs the user in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx

User = TypeVar("User")


def shared_cacheable(cache_control: str) -> bool:
    directives = {d.strip().split("=", 1)[0].lower() for d in cache_control.split(",") if d.strip()}
    return "public" in directives or "s-maxage" in directives


@dataclass(frozen=True)
class TwoFetches:
    """The fetches in order, what each said about caching, and the problems found."""

    responses: tuple[httpx.Response, ...]
    as_users: bool  # False: both fetches went without credentials

    @property
    def seen(self) -> list[dict]:
        return [{"status": r.status_code, "cf_cache_status": r.headers.get("cf-cache-status"),
                 "cache_control": r.headers.get("cache-control"), "age": r.headers.get("age")}
                for r in self.responses]

    @property
    def problems(self) -> list[str]:
        seen, first, second = self.seen, self.responses[0], self.responses[-1]
        leaked = self.as_users and first.status_code == 200 and first.content == second.content
        hit = any(s["cf_cache_status"] == "HIT" for s in seen)
        public = [s["cache_control"] for s in seen if shared_cacheable(s["cache_control"] or "")]
        return [
            *(["a fetch was served from the edge cache (cf-cache-status HIT)"] if hit else []),
            *(["user B received user A's response"] if leaked else []),
            *([f"the origin allows shared caching (Cache-Control: {public[0]})"] if public else []),
        ]

    def evidence(self) -> dict:
        return {"fetches": self.seen, "as": "test users A then B" if self.as_users else
                "no credentials (store user-a and user-b test accounts to compare two users)"}


async def fetch_as_two_users(fetch: Callable[[User | None], Awaitable[httpx.Response]],
                             users: Sequence[User | None]) -> TwoFetches:
    """`fetch(user)` once per user, in order (A then B); with a user missing, both fetches go
    without credentials (a cache HIT or a shared-cache header still shows)."""
    as_users = all(users)
    responses = [await fetch(user if as_users else None) for user in users]
    return TwoFetches(tuple(responses), as_users)
