"""Filling a route's {slots} with real values, as the product's own client would: the id of a
fresh object user A creates through the matching `api.resources` entry, or an `api.path_values`
entry (a literal, or `me:<locator>` read from an account's own record).

A probe that fills a route owns the objects created for it: `cleanup()` deletes them as user A.
Creating one writes, so it needs `api.may_write` (a NotConfirmed otherwise, like every writer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from wizard.probes.api_client import ApiProblem, ApiSession, locate, marker, render, walk
from wizard.sections import Resource, split_route

SLOT = re.compile(r"\{([^{}/]+)\}")


def shape(path: str) -> str:
    """A route's template with its slot names dropped: /api/chats/{chat_id} -> /api/chats/{}."""
    return SLOT.sub("{}", path)


def slots(path: str) -> list[str]:
    return SLOT.findall(path)


def resource_for(resources: list[Resource], path: str) -> Resource | None:
    """The object a route reads or changes: its url's shape is the route's, or a prefix of it
    (/api/chats/{}/messages is under the chat)."""
    route = shape(path)
    for resource in resources:
        item = shape(resource.url)
        if route == item or route.startswith(item + "/"):
            return resource
    return None


class Unfillable(ApiProblem):
    """A slot with no value: the route is not tried, and the finding says which value to give."""


@dataclass
class Filled:
    method: str
    template: str  # as configured: /api/chats/{chat_id}
    path: str  # as sent: /api/chats/c_12


@dataclass
class PathFiller:
    """Slot values for one probe, each looked up (or created) once."""

    session: ApiSession
    account: str = "user_a"
    _objects: dict[str, str] = field(default_factory=dict)  # resource url -> created id
    _me: dict[str, object] = field(default_factory=dict)  # account -> its own record (JSON)

    async def fill(self, route: str) -> Filled:
        method, template = split_route(route)
        path = template
        names = slots(template)
        resource = resource_for(self.session.api.resources, template) if names else None
        if resource is not None:  # the object's own slot is the first one of the route
            object_id = await self.object_id(resource)
            path = path.replace("{" + names[0] + "}", quote(object_id, safe=""), 1)
            names = names[1:]
        for name in names:
            path = path.replace("{" + name + "}", quote(await self.value(name), safe=""), 1)
        return Filled(method, template, path)

    async def value(self, name: str, account: str | None = None) -> str:
        """A path_values entry: a literal, or me:<locator> from `account`'s own record."""
        spec = self.session.api.path_values.get(name)
        if spec is None:
            raise Unfillable(f"no value for {{{name}}}: set api.path_values.{name} (an id user A "
                             "may use, or me:json:id for user A's own id)")
        if not spec.startswith("me:"):
            return spec
        value = locate_json(await self.me(account or self.account), spec.removeprefix("me:"))
        if value in (None, ""):
            raise Unfillable(f"{{{name}}}: {spec} found nothing in the account's own record "
                             f"({self.me_url})")
        return str(value)

    @property
    def me_url(self) -> str:
        api = self.session.api
        return api.account.me_url if api.account else self.session.config.release.me_path or "/api/me"

    async def me(self, account: str) -> object:
        """The account's own record (account.me_url), read once per probe."""
        if account not in self._me:
            response = await self.session.request("GET", self.me_url, account=account)
            if response.status_code >= 300:
                raise Unfillable(f"GET {self.me_url} as {account.replace('_', ' ')} answered "
                                 f"{response.status_code}: cannot read the account's own record")
            try:
                self._me[account] = response.json()
            except ValueError:
                raise Unfillable(f"GET {self.me_url} answered no JSON") from None
        return self._me[account]

    def forget(self, account: str) -> None:
        """Read the account's record afresh next time (after a probe tried to change it)."""
        self._me.pop(account, None)

    async def object_id(self, resource: Resource) -> str:
        """A fresh object of the account's, created once per probe (and deleted by cleanup)."""
        if resource.url not in self._objects:
            self.session.require_write()
            created = await self.session.request(
                resource.create_method, resource.create_url, account=self.account,
                headers={"Content-Type": "application/json"},
                content=render(resource.create_body, marker=marker("object")))
            object_id = locate(created, resource.id_from)
            if created.status_code >= 300 or object_id in (None, ""):
                raise Unfillable(f"creating a {resource.name or 'object'} failed: "
                                 f"{resource.create_method} {resource.create_url} answered "
                                 f"{created.status_code} (id at {resource.id_from}: {object_id!r})")
            self._objects[resource.url] = str(object_id)
        return self._objects[resource.url]

    async def cleanup(self) -> list[int]:
        """Delete what fill() created, as its owner; the statuses (404: already gone)."""
        statuses = []
        for url, object_id in self._objects.items():
            path = url.replace("{id}", quote(object_id, safe=""))
            statuses.append((await self.session.request("DELETE", path, account=self.account)).status_code)
        self._objects.clear()
        return statuses


def locate_json(data: object, locator: str) -> object:
    """A `json:a.b` locator in already-parsed JSON (the account's own record)."""
    kind, _, where = locator.partition(":")
    return walk(data, where) if kind == "json" else None


def with_fields(body: str, extra: dict[str, object]) -> str:
    """A rendered JSON body with `extra` fields added (mass assignment); a body that is not a
    JSON object gets them alone."""
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    return json.dumps({**(data if isinstance(data, dict) else {}), **extra})
