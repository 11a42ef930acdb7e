"""The product's OpenAPI 3.1 document, shaped as FastAPI generates one, built from the same
`Endpoint` table the product mounts so the two cannot drift apart. It is what the product
claims whatever its `Behaviours` do: UserOut declares no password_hash, and the real answers
differ from it exactly where a switch is vulnerable."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from wizard.sandbox.demo import API
from wizard.sandbox.http_server import Response

BEARER = "HTTPBearer"


@dataclass(frozen=True)
class Param:
    """A documented query or header parameter."""

    name: str
    location: str  # "query" or "header"
    description: str


@dataclass(frozen=True)
class Endpoint:
    """One route: what the product mounts (method, path, handler, rate-limit bucket) and what
    the document says of it."""

    method: str
    path: str  # as in facts: each `{...}` segment is one parameter, named in `params`
    handler: Callable[..., Response]
    summary: str
    tag: str
    secured: bool = False  # needs a signed-in user (a bearer token)
    params: tuple[str, ...] = ()  # the path's `{...}` segments as FastAPI names them, in order
    body: str | None = None  # the JSON body's schema in components.schemas
    response: str | None = None  # the success answer's schema (None: any JSON, or text)
    status: int = 200
    media: str = "application/json"
    also: tuple[tuple[int, str], ...] = ()  # other answers the product documents: (status, schema)
    parameters: tuple[Param, ...] = ()  # query and header parameters
    bucket: str | None = None  # the rate limit it counts against (not documented)

    def __post_init__(self) -> None:
        if sum(s.startswith("{") for s in self.path.split("/")) != len(self.params):
            raise ValueError(f"{self.path}: name each {{...}} segment in params")

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def doc_path(self) -> str:
        """The path with FastAPI's parameter names, e.g. /api/chats/{chat_id}."""
        names = iter(self.params)
        return "/".join(f"{{{next(names)}}}" if s.startswith("{") else s for s in self.path.split("/"))

    @property
    def operation_id(self) -> str:
        """FastAPI's generate_unique_id: route name, path and method."""
        return re.sub(r"\W", "_", f"{self.name}{self.doc_path}") + "_" + self.method.lower()


def _ref(schema: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema}"}


def _title(name: str) -> str:
    return name.replace("_", " ").title()


def _model(title: str, properties: dict[str, dict], required: tuple[str, ...] = (),
           closed: bool = False) -> dict:
    """A schema as pydantic writes one for a model (closed: extra="forbid")."""
    schema: dict = {"properties": {k: {**v, "title": _title(k)} for k, v in properties.items()},
                    "type": "object", "title": title}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


_S, _B = {"type": "string"}, {"type": "boolean"}


def _list(schema: str) -> dict:
    return {"type": "array", "items": _ref(schema)}


_USER = {"id": _S, "email": _S, "name": _S, "role": _S}
SCHEMAS = {
    "LoginIn": _model("LoginIn", {"email": _S, "password": _S}, ("email", "password")),
    "Token": _model("Token", {"token": _S}, ("token",)),
    "RegisterIn": _model("RegisterIn", {"email": _S, "password": _S, "name": _S}, ("email", "password")),
    "UserOut": _model("UserOut", _USER, tuple(_USER), closed=True),
    "UserUpdate": _model("UserUpdate", {"email": _S, "name": _S}),
    "PasswordIn": _model("PasswordIn", {"password": _S}, ("password",)),
    "AdminUser": _model("AdminUser", {**_USER, "banned": _B}, (*_USER, "banned")),
    "UserList": _model("UserList", {"users": _list("AdminUser")}, ("users",)),
    "BanOut": _model("BanOut", {"id": _S, "banned": _B}, ("id", "banned")),
    "ChatIn": _model("ChatIn", {"title": _S}, ("title",)),
    "ChatOut": _model("ChatOut", {"id": _S, "title": _S, "owner": _S}, ("id", "title", "owner")),
    "ChatList": _model("ChatList", {"chats": _list("ChatOut")}, ("chats",)),
    "WorkspaceIn": _model("WorkspaceIn", {"name": _S, "description": _S}, ("name",)),
    "WorkspaceUpdate": _model("WorkspaceUpdate", {"name": _S, "description": _S}),
    "WorkspaceOut": _model("WorkspaceOut", {"name": _S, "description": _S, "owner": _S},
                           ("name", "description", "owner")),
    "WorkspaceList": _model("WorkspaceList", {"workspaces": _list("WorkspaceOut")}, ("workspaces",)),
    "SearchResults": _model("SearchResults", {"results": _list("ChatOut")}, ("results",)),
    "ChatMessageIn": _model("ChatMessageIn", {"message": _S, "session": _S, "model": _S}, ("message",)),
    "ChatReply": _model("ChatReply", {"reply": _S, "tool_calls": {"type": "array", "items": {"type": "object"}}},
                        ("reply", "tool_calls")),
    "Session": _model("Session", {"id": _S}, ("id",)),
    "WebhookEvent": _model("WebhookEvent", {"id": _S, "type": _S}, ("id",)),
    "WebhookAck": _model("WebhookAck", {"received": _S}, ("received",)),
    "EventList": _model("EventList", {"events": {"type": "array", "items": {"type": "object"}}}, ("events",)),
    "Status": _model("Status", {"status": _S}, ("status",)),
    "Error": _model("Error", {"error": _S}, ("error",)),
}


def _answer(description: str, media: str, schema: dict | None) -> dict:
    return {"description": description, **({"content": {media: {"schema": schema}}} if schema is not None else {})}


def _operation(e: Endpoint) -> dict:
    success = None if e.status == 204 else (
        _ref(e.response) if e.response else {"type": "string"} if e.media.startswith("text/") else {})
    responses = {str(e.status): _answer("Successful Response", e.media, success)}
    errors = [*e.also, *([(401, "Error")] if e.secured else []), *([(404, "Error")] if e.params else []),
              *([(422, "Error")] if e.body or e.parameters else [])]
    for status, schema in sorted(errors):
        responses.setdefault(str(status), _answer(HTTPStatus(status).phrase, "application/json", _ref(schema)))
    op: dict = {"tags": [e.tag], "summary": e.summary, "operationId": e.operation_id}
    parameters = [{"name": p, "in": "path", "required": True, "schema": {"type": "string", "title": _title(p)}}
                  for p in e.params]
    parameters += [{"name": q.name, "in": q.location, "required": True, "description": q.description,
                    "schema": {"type": "string", "title": _title(q.name)}} for q in e.parameters]
    if parameters:
        op["parameters"] = parameters
    if e.body:
        op["requestBody"] = {"content": {"application/json": {"schema": _ref(e.body)}}, "required": True}
    op["responses"] = responses
    if e.secured:
        op["security"] = [{BEARER: []}]
    return op


def document(endpoints: list[Endpoint]) -> dict:
    paths: dict[str, dict] = {}
    for e in endpoints:
        paths.setdefault(e.doc_path, {})[e.method.lower()] = _operation(e)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Acme Market assistant", "version": "1.0.0"},
        "servers": [{"url": f"https://{API}"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {BEARER: {"type": "http", "scheme": "bearer"}}},
    }
