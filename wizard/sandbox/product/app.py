"""The product's API on the origin: accounts and users, chats, workspaces, search, admin, the
billing webhook, the chat model and its OpenAPI document, each route wrapped with the same
request handling (size limit, rate limit, errors) so a switch in `Behaviours` changes it
everywhere at once. `Product.endpoints` is the one route table: mounted, and documented."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote

from wizard.sandbox import origin as site
from wizard.sandbox.http_server import Request, Response
from wizard.sandbox.product import facts
from wizard.sandbox.product.auth import Auth, Caller
from wizard.sandbox.product.behaviours import Behaviours
from wizard.sandbox.product.counter import RequestCounter
from wizard.sandbox.product.errors import BadInput, ProviderError, debug_page, generic_error
from wizard.sandbox.product.limits import RateLimiter
from wizard.sandbox.product.logs import ChatLog
from wizard.sandbox.product.model import Model
from wizard.sandbox.product.objects import Chats, Workspaces
from wizard.sandbox.product.openapi import Endpoint, Param, document
from wizard.sandbox.product.payloads import check_size, json_fields
from wizard.sandbox.product.users import Users, public, role
from wizard.sandbox.product.webhook import Webhooks

MODELS = ("acme-assistant-1", "gpt-4o-mini")
OWNER_FIELDS = ("owner_id", "user_id", "owner")  # what a mass-assignment bug takes an owner from


@dataclass
class Call:
    """One request as a route sees it: the request, its id, the switches when it arrived."""

    request: Request
    request_id: str
    b: Behaviours
    caller: Caller | None


Route = Callable[[Call], Response]


def _unauthorised() -> Response:
    return Response.json(401, {"error": "not signed in"})


def _no_user() -> Response:
    return Response.json(404, {"error": "no such user"})


def _segment(call: Call, index: int) -> str:
    return unquote(call.request.path.split("/")[index])


def _owner(body: dict, caller: Caller) -> str:
    """The caller, unless the body names another owner (only a mass-assignment bug keeps those fields)."""
    return next((body[k] for k in OWNER_FIELDS if isinstance(body.get(k), str) and body[k]), caller.id)


def _email(fields: dict) -> None:
    if "@" not in fields.get("email", "@"):
        raise BadInput(422, "email must be an e-mail address")


class Product:
    """Built per sandbox start (fresh secrets, canary and log directory); `mount` puts its routes
    on the origin; `stop` removes the log directory."""

    def __init__(self, behaviours: Behaviours | None = None, clock: Callable[[], float] = time.time):
        self.behaviours = behaviours or Behaviours.vulnerable()
        self.requests = RequestCounter()
        self.users = Users()
        self.auth = Auth(secrets.token_bytes(32), self.users, clock)
        self.chats = Chats()
        self.workspaces = Workspaces()
        self.model = Model()
        self.webhooks = Webhooks(clock)
        self.limits = RateLimiter()
        self._dir = Path(tempfile.mkdtemp(prefix="acme-product-"))
        self.log_path = self._dir / "chat.log"
        self.log = ChatLog(self.log_path)
        self._key_tail = "abcd"
        self.endpoints = self._endpoints()
        self.openapi_document = document(self.endpoints)

    @property
    def canary(self) -> str:
        return self.model.canary

    @property
    def webhook_secret(self) -> str:
        return self.webhooks.secret

    @property
    def events(self) -> list[dict]:
        return self.webhooks.events

    def reset_limits(self) -> None:
        self.limits.reset()

    def mount(self, origin: site.Origin) -> Product:
        origin.listeners.append(self.requests)
        self._key_tail = origin.planted_key[-4:]
        for e in self.endpoints:
            origin.route(e.method, e.path, self._serve(e.handler, e.bucket))
        return self

    def _endpoints(self) -> list[Endpoint]:
        E, user, chat, space = Endpoint, ("user_id",), ("chat_id",), ("name",)
        admin = ((403, "Error"),)
        signature = Param(facts.SIGNATURE_HEADER, "header", 't=<unix ts>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>')
        return [
            E("POST", facts.LOGIN_PATH, self.login, "Log in", "accounts", body="LoginIn", response="Token",
              also=((401, "Error"),), bucket="login"),
            E("POST", facts.REGISTER_PATH, self.register, "Sign up", "accounts", body="RegisterIn",
              response="UserOut", status=201, also=((202, "Status"), (409, "Error"))),
            E("GET", facts.ME_PATH, self.me, "The signed-in user", "accounts", True, response="UserOut"),
            E("GET", facts.USER_ITEM_PATH, self.get_user, "Read a user", "users", True, user, response="UserOut"),
            E("PATCH", facts.USER_ITEM_PATH, self.update_user, "Update a user", "users", True, user,
              body="UserUpdate", response="UserOut", also=((409, "Error"),)),
            E("PUT", facts.USER_PASSWORD_PATH, self.set_password, "Set a user's password", "users", True, user,
              body="PasswordIn", status=204),
            E("POST", facts.CHAT_PATH, self.chat, "Ask the assistant", "assistant", body="ChatMessageIn",
              response="ChatReply", bucket="chat"),
            E("POST", facts.SESSIONS_PATH, self.new_session, "Start a chat session", "assistant",
              response="Session", status=201),
            E("POST", facts.CHATS_PATH, self.create_chat, "Create a chat", "chats", True, body="ChatIn",
              response="ChatOut", status=201),
            E("GET", facts.CHATS_PATH, self.list_chats, "List your chats", "chats", True, response="ChatList"),
            E("GET", facts.CHAT_ITEM_PATH, self.get_chat, "Read a chat", "chats", True, chat, response="ChatOut"),
            E("PATCH", facts.CHAT_ITEM_PATH, self.rename_chat, "Rename a chat", "chats", True, chat,
              body="ChatIn", response="ChatOut"),
            E("DELETE", facts.CHAT_ITEM_PATH, self.delete_chat, "Delete a chat", "chats", True, chat, status=204),
            E("POST", facts.WORKSPACES_PATH, self.create_workspace, "Create a workspace", "workspaces", True,
              body="WorkspaceIn", response="WorkspaceOut", status=201, also=((409, "Error"),)),
            E("GET", facts.WORKSPACES_PATH, self.list_workspaces, "List your workspaces", "workspaces", True,
              response="WorkspaceList"),
            E("GET", facts.WORKSPACE_ITEM_PATH, self.get_workspace, "Read a workspace", "workspaces", True, space,
              response="WorkspaceOut"),
            E("PATCH", facts.WORKSPACE_ITEM_PATH, self.update_workspace, "Update a workspace", "workspaces", True,
              space, body="WorkspaceUpdate", response="WorkspaceOut", also=((409, "Error"),)),
            E("DELETE", facts.WORKSPACE_ITEM_PATH, self.delete_workspace, "Delete a workspace", "workspaces",
              True, space, status=204),
            E("GET", facts.SEARCH_PATH, self.search, "Search your chats' titles", "search", True,
              response="SearchResults", parameters=(Param("q", "query", "Text the titles contain"),)),
            E("GET", facts.ADMIN_USERS_PATH, self.admin_users, "List all users", "admin", True,
              response="UserList", also=admin),
            E("POST", facts.ADMIN_BAN_PATH, self.admin_ban, "Ban a user", "admin", True, user,
              response="BanOut", also=admin),
            E("GET", facts.ADMIN_EVENTS_PATH, self.admin_events, "Billing events received", "admin", True,
              response="EventList", also=admin),
            E("POST", facts.WEBHOOK_PATH, self.webhook, "Billing provider's webhook", "billing",
              body="WebhookEvent", response="WebhookAck", parameters=(signature,),
              also=((400, "Error"), (401, "Error")), bucket="webhook"),
            E("GET", facts.DOCS_PATH, self.document, "A help document the assistant reads", "assistant",
              params=space, media="text/plain"),
            E("GET", facts.HEALTH_PATH, self.health, "Health check", "meta", response="Status"),
            E("GET", facts.OPENAPI_PATH, self.openapi, "This OpenAPI document", "meta"),
        ]

    def stop(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def _serve(self, route: Route, bucket: str | None) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            b = self.behaviours
            call = Call(request, "req_" + secrets.token_hex(8), b, self.auth.caller(request, b))
            limit_headers: list[tuple[str, str]] = []
            try:
                check_size(request, b)
                if bucket and not b.no_rate_limit:
                    client = call.caller.key if call.caller and bucket == "chat" else f"ip:{request.client}"
                    allowed, limit_headers = self.limits.hit(bucket, client)
                    if not allowed:
                        raise BadInput(429, "too many requests")
                response = route(call)
            except BadInput as exc:
                response = Response.json(exc.status, {"error": str(exc)})
            except Exception as exc:  # any failure becomes the product's own error page
                response = debug_page(exc, call.request_id) if b.debug_errors else generic_error(call.request_id)
            response.headers.extend(limit_headers)
            response.set_header("X-Request-Id", call.request_id)
            return response
        return serve

    # Accounts and users

    def _shown(self, record: dict, b: Behaviours) -> dict:
        """A user record as the API answers it: everything stored (data exposure), or UserOut."""
        return {**record, "role": role(record)} if b.data_exposure else public(record)

    def login(self, call: Call) -> Response:
        body = json_fields(call.request, call.b, {"email": str, "password": str})
        user, matches = self.users.login(body["email"], body["password"])
        if user is not None and matches:
            return Response.json(200, {"token": self.auth.issue(user["id"])})
        if not call.b.user_enumeration:
            return Response.json(401, {"error": "invalid credentials"})
        if user is None:
            return Response.json(404, {"error": "no such account"})
        return Response.json(401, {"error": "wrong password"})

    def register(self, call: Call) -> Response:
        b = call.b
        fields = json_fields(call.request, b, {"email": str, "password": str}, {"name": str}, rest=b.mass_assignment)
        email, password = fields.pop("email"), fields.pop("password")
        _email({"email": email})
        if not password:
            raise BadInput(422, "password must not be empty")
        user = self.users.register(email, password, fields)
        if not b.user_enumeration:
            return Response.json(202, {"status": "check your e-mail"})
        if user is None:
            return Response.json(409, {"error": "already registered"})
        return Response.json(201, self._shown(user, b))

    def me(self, call: Call) -> Response:
        private = [("Cache-Control", "private")]
        if call.caller is None:
            return Response.json(401, {"error": "not signed in"}, private)
        return Response.json(200, {**self._shown(call.caller.user, call.b), "role": call.caller.role}, private)

    def _user(self, call: Call, caller: Caller, anyone: bool) -> dict | None:
        """The user the path names, if the caller may reach them (`anyone`: the vulnerable check)."""
        user = self.users.get(_segment(call, 3))
        return user if user and (anyone or user["id"] == caller.id) else None

    def get_user(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        user = self._user(call, call.caller, call.b.data_exposure)
        return Response.json(200, self._shown(user, call.b)) if user else _no_user()

    def update_user(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        user = self._user(call, call.caller, call.b.account_takeover)
        if user is None:
            return _no_user()
        fields = json_fields(call.request, call.b, {}, {"email": str, "name": str}, rest=call.b.mass_assignment)
        _email(fields)
        return Response.json(200, self._shown(self.users.update(user["id"], fields), call.b))

    def set_password(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        user = self._user(call, call.caller, call.b.account_takeover)
        if user is None:
            return _no_user()
        password = json_fields(call.request, call.b, {"password": str})["password"]
        if not password:
            raise BadInput(422, "password must not be empty")
        self.users.set_password(user["id"], password)
        return Response(204)

    # Chats (owned objects)

    def create_chat(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        body = json_fields(call.request, call.b, {"title": str}, rest=call.b.mass_assignment)
        return Response.json(201, self.chats.create(_owner(body, call.caller), body["title"]))

    def list_chats(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        return Response.json(200, {"chats": self.chats.owned_by(call.caller.id)})

    def _chat(self, call: Call, caller: Caller) -> dict | None:
        return self.chats.get(_segment(call, 3), caller.id, any_owner=call.b.bola)

    def get_chat(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        chat = self._chat(call, call.caller)
        if chat is None:
            return Response.json(404, {"error": "no such chat"})
        if call.b.data_exposure:
            owner = self.users.get(chat["owner"])
            chat["owner_email"] = owner["email"] if owner else None
        return Response.json(200, chat)

    def rename_chat(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        chat = self._chat(call, call.caller)
        if chat is None:
            return Response.json(404, {"error": "no such chat"})
        body = json_fields(call.request, call.b, {"title": str})
        return Response.json(200, self.chats.rename(chat["id"], body["title"]))

    def delete_chat(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        chat = self._chat(call, call.caller)
        if chat is None:
            return Response.json(404, {"error": "no such chat"})
        self.chats.delete(chat["id"])
        return Response(204)

    # Workspaces (owned objects addressed by name)

    def create_workspace(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        body = json_fields(call.request, call.b, {"name": str}, {"description": str}, rest=call.b.mass_assignment)
        space = self.workspaces.create(_owner(body, call.caller), body["name"], body.get("description", ""))
        return Response.json(201, space) if space else Response.json(409, {"error": "name taken"})

    def list_workspaces(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        return Response.json(200, {"workspaces": self.workspaces.owned_by(call.caller.id)})

    def _workspace(self, call: Call, caller: Caller) -> dict | None:
        return self.workspaces.get(_segment(call, 3), caller.id, any_owner=call.b.bola)

    def get_workspace(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        space = self._workspace(call, call.caller)
        return Response.json(200, space) if space else Response.json(404, {"error": "no such workspace"})

    def update_workspace(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        space = self._workspace(call, call.caller)
        if space is None:
            return Response.json(404, {"error": "no such workspace"})
        body = json_fields(call.request, call.b, {}, {"name": str, "description": str})
        updated = self.workspaces.update(space["name"], body)
        return Response.json(200, updated) if updated else Response.json(409, {"error": "name taken"})

    def delete_workspace(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        space = self._workspace(call, call.caller)
        if space is None:
            return Response.json(404, {"error": "no such workspace"})
        self.workspaces.delete(space["name"])
        return Response(204)

    # Search (SQL over the chats)

    def search(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        query = parse_qs(call.request.query, keep_blank_values=True).get("q")
        if query is None:
            raise BadInput(422, "q is required")
        return Response.json(200, {"results": self.chats.search(call.caller.id, query[0], call.b.sql_errors)})

    # Admin

    def _admin(self, call: Call) -> Response | None:
        """The refusal for a caller who is not an admin, else None."""
        if call.caller is None:
            return _unauthorised()
        claimed = (call.request.headers.get("X-Role") or "").lower() == "admin" \
            or parse_qs(call.request.query).get("admin") == ["true"]
        if call.caller.role == "admin" or (call.b.admin_by_header and claimed):
            return None
        return Response.json(403, {"error": "admins only"})

    def admin_users(self, call: Call) -> Response:
        if refusal := self._admin(call):
            return refusal
        return Response.json(200, {"users": [{**public(u), "banned": u["id"] in self.auth.banned}
                                             for u in self.users.all()]})

    def admin_ban(self, call: Call) -> Response:
        if refusal := self._admin(call):
            return refusal
        user_id = _segment(call, 4)
        self.auth.banned.add(user_id)
        return Response.json(200, {"id": user_id, "banned": True})

    def admin_events(self, call: Call) -> Response:
        return self._admin(call) or Response.json(200, {"events": list(self.events)})

    # Billing webhook

    def webhook(self, call: Call) -> Response:
        request = call.request
        event = json_fields(request, call.b, {"id": str}, {"type": str})
        record = self.webhooks.receive(request.headers.get(facts.SIGNATURE_HEADER) or "", request.body,
                                       event, call.b)
        return Response.json(200, {"received": record["id"]})

    # The model

    def new_session(self, call: Call) -> Response:
        return Response.json(201, {"id": self.model.new_session(call.caller.id if call.caller else "anonymous")})

    def chat(self, call: Call) -> Response:
        body = json_fields(call.request, call.b, {"message": str}, {"session": str, "model": str})
        message, session = body["message"], body.get("session")
        if body.get("model", MODELS[0]) not in MODELS:
            raise ProviderError(self._key_tail)
        if "\x00" in message:
            raise ValueError("embedded null character in message")
        owner = call.caller.id if call.caller else "anonymous"
        if session is not None and (self.model.sessions.get(session) is None or (
                self.model.sessions[session] != owner and not call.b.cross_session_memory)):
            return Response.json(404, {"error": "no such session"})
        key = session or (f"user:{owner}" if call.caller else call.request_id)
        reply = self.model.answer(message, call.caller, key, call.b)
        self.log.write(call.request_id, message, call.request.headers.get("Authorization") or "",
                       reply.reply, full=call.b.logs_prompts)
        return Response.json(200, {"reply": reply.reply, "tool_calls": reply.tool_calls})

    def document(self, call: Call) -> Response:
        text = self.model.documents.get(_segment(call, 2))
        if text is None:
            return Response.json(404, {"error": "no such document"})
        return Response(200, [("Content-Type", "text/plain; charset=utf-8")], text.encode())

    # The service itself

    def health(self, call: Call) -> Response:
        return site.health(call.request)

    def openapi(self, call: Call) -> Response:
        return Response.json(200, self.openapi_document)
