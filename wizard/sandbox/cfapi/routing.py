"""The route table: each endpoint is a (method, path template) with the permission it needs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..state import Token, World, Zone
from .envelope import ApiError, not_found

Permission = str | Callable[[dict[str, str]], str] | None


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    world: World
    token: Token

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.arg(name)
        if raw is None:
            return default
        if not raw.isdigit():
            raise ApiError(400, 1004, f"{name} must be a positive integer")
        return min(max(int(raw), low), high)

    def zone(self) -> Zone:
        zone = self.world.zones.get(self.params["zone_id"])
        if zone is None:
            raise not_found(self.path)
        return zone

    def object_body(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise ApiError(400, 1004, "The request body must be a JSON object")
        return self.body


Handler = Callable[[Request], Any]


@dataclass
class Route:
    method: str
    template: str
    permission: Permission
    handler: Handler
    pattern: re.Pattern[str]

    @property
    def endpoint(self) -> str:
        """The name faults.py knows the endpoint by."""
        return f"{self.method} {self.template}"

    def needs(self, params: dict[str, str]) -> str | None:
        return self.permission(params) if callable(self.permission) else self.permission


class Router:
    def __init__(self):
        self.routes: list[Route] = []

    def add(self, method: str, template: str, permission: Permission) -> Callable[[Handler], Handler]:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, template, permission, handler, re.compile(regex + "$")))
            # Literal segments win over parameters (/dns_records/export before /dns_records/{id}).
            self.routes.sort(key=lambda r: r.template.count("{"))
            return handler
        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for a request, or the error Cloudflare gives for an unknown URI or method."""
        allowed = []
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
            if found:
                allowed.append(route.method)
        if allowed:
            raise ApiError(405, 7001, f"Method {method} not available for that URI.")
        raise ApiError(404, 7000, "No route for that URI")


ROUTES = Router()


def has_permission(token: Token, needed: str | None) -> bool:
    """A Write group includes its Read group, as Cloudflare's Edit permissions do."""
    if needed is None:
        return True
    return needed in token.permissions or (
        needed.endswith(" Read") and needed.removesuffix(" Read") + " Write" in token.permissions)
