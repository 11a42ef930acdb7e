"""The product's API on the origin: accounts, chats, admin, the billing webhook and the chat
model, each route wrapped with the same request handling (size limit, rate limit, errors) so a
switch in `Behaviours` changes it everywhere at once."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from wizard.sandbox.http_server import Request, Response
from wizard.sandbox.origin import USERS, Origin
from wizard.sandbox.product import facts
from wizard.sandbox.product.auth import Auth, Caller
from wizard.sandbox.product.behaviours import Behaviours
from wizard.sandbox.product.counter import RequestCounter
from wizard.sandbox.product.errors import BadInput, ProviderError, debug_page, generic_error
from wizard.sandbox.product.limits import RateLimiter
from wizard.sandbox.product.logs import ChatLog
from wizard.sandbox.product.model import Model
from wizard.sandbox.product.objects import Chats
from wizard.sandbox.product.payloads import check_size, json_fields
from wizard.sandbox.product.webhook import Webhooks

MODELS = ("acme-assistant-1", "gpt-4o-mini")


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


def _segment(call: Call, index: int) -> str:
    return call.request.path.split("/")[index]


class Product:
    """Built per sandbox start (fresh secrets, canary and log directory); `mount` puts its routes
    on the origin; `stop` removes the log directory."""

    def __init__(self, behaviours: Behaviours | None = None, clock: Callable[[], float] = time.time):
        self.behaviours = behaviours or Behaviours.vulnerable()
        self.requests = RequestCounter()
        self.auth = Auth(secrets.token_bytes(32), clock)
        self.chats = Chats()
        self.model = Model()
        self.webhooks = Webhooks(clock)
        self.limits = RateLimiter()
        self._dir = Path(tempfile.mkdtemp(prefix="acme-product-"))
        self.log_path = self._dir / "chat.log"
        self.log = ChatLog(self.log_path)
        self._key_tail = "abcd"

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

    def mount(self, origin: Origin) -> Product:
        origin.listeners.append(self.requests)
        self._key_tail = origin.planted_key[-4:]
        routes: list[tuple[str, str, Route, str | None]] = [
            ("POST", facts.LOGIN_PATH, self.login, "login"),
            ("GET", facts.ME_PATH, self.me, None),
            ("POST", facts.CHAT_PATH, self.chat, "chat"),
            ("POST", facts.SESSIONS_PATH, self.new_session, None),
            ("POST", facts.CHATS_PATH, self.create_chat, None),
            ("GET", facts.CHATS_PATH, self.list_chats, None),
            ("GET", facts.CHAT_ITEM_PATH, self.get_chat, None),
            ("PATCH", facts.CHAT_ITEM_PATH, self.rename_chat, None),
            ("DELETE", facts.CHAT_ITEM_PATH, self.delete_chat, None),
            ("GET", facts.ADMIN_USERS_PATH, self.admin_users, None),
            ("POST", facts.ADMIN_BAN_PATH, self.admin_ban, None),
            ("GET", facts.ADMIN_EVENTS_PATH, self.admin_events, None),
            ("POST", facts.WEBHOOK_PATH, self.webhook, "webhook"),
            ("GET", facts.DOCS_PATH, self.document, None),
        ]
        for method, path, route, bucket in routes:
            origin.route(method, path, self._serve(route, bucket))
        return self

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

    # Accounts

    def login(self, call: Call) -> Response:
        body = json_fields(call.request, call.b, {"email": str, "password": str})
        token = self.auth.login(body["email"], body["password"])
        if token is None:
            return Response.json(401, {"error": "invalid credentials"})
        return Response.json(200, {"token": token})

    def me(self, call: Call) -> Response:
        if call.caller is None:
            return Response.json(401, {"error": "not signed in"}, [("Cache-Control", "private")])
        return Response.json(200, {**call.caller.user, "role": call.caller.role}, [("Cache-Control", "private")])

    # Chats (owned objects)

    def create_chat(self, call: Call) -> Response:
        if call.caller is None:
            return _unauthorised()
        body = json_fields(call.request, call.b, {"title": str})
        return Response.json(201, self.chats.create(call.caller.id, body["title"]))

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
        return Response.json(200, chat) if chat else Response.json(404, {"error": "no such chat"})

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
        return Response.json(200, {"users": [{**u, "banned": u["id"] in self.auth.banned} for u in USERS.values()]})

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
