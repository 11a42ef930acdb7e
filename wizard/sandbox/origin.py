"""The demo product at the origin: "Acme Market assistant", a small marketplace chatbot with the
launch blockers a real one tends to have.

Deliberate blockers: /static/app.js ships an OpenAI-format key made at start-up (and so does its
source map); the home page loads an http:// image (mixed content); /api/me answers per
user and marks itself `Cache-Control: private`, which is correct, so the leak comes from the edge:
the demo's cache-everything rule uses edge_ttl "override_origin", which ignores the origin's
header, as Cloudflare does, and user B gets user A's profile. Options switch on the origin-side
blockers: `redirect_http_to_https` (an app that forces HTTPS itself; behind flexible SSL the edge
fetches over HTTP, so visitors loop on 301) and `bad_cert` (an expired, wrong-name or self-signed
certificate, which strict SSL refuses with 526).

Routes live in `Origin.routes`, keyed by (method, path); add one with `origin.route(...)`. A path
with `{name}` segments (e.g. "/api/chats/{id}") is a template that matches any one segment there.
`Origin.listeners` are told (request, route template) of every request the origin receives.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs

from wizard.sandbox.ca import BadCert, SandboxCA
from wizard.sandbox.faults import Faults
from wizard.sandbox.http_server import Ports, Request, Response, Site
from wizard.sandbox.monitoring import Monitoring

Handler = Callable[[Request], Response]

# Session cookie value / bearer token -> the user it signs in.
USERS = {
    "tok-alice": {"id": "u_1001", "name": "Alice Martin", "email": "alice@acme.example", "plan": "pro",
                  "role": "user"},
    "tok-bob": {"id": "u_1002", "name": "Bob Chen", "email": "bob@acme.example", "plan": "free",
                "role": "user"},
    "tok-admin": {"id": "u_1000", "name": "Ada Admin", "email": "ada@acme.example", "plan": "pro",
                  "role": "admin"},
}
_TOKEN_BY_NAME = {user["name"].split()[0].lower(): token for token, user in USERS.items()}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="/static/app.js" defer></script></head>
<body>{body}</body></html>
"""

_APP_JS = """// Acme Market assistant: sends the visitor's question to /api/chat.
const OPENAI_API_KEY = "__KEY__";  // the blocker: a server key bundled into browser code
async function ask(message) {
  const r = await fetch("/api/chat", {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify({message})});
  return (await r.json()).reply;
}
//# sourceMappingURL=app.js.map
"""


def planted_key() -> str:
    """A fresh OpenAI-format key per start, so no real-looking key is ever written in our repo."""
    return "sk-" + "proj-" + secrets.token_urlsafe(48)[:56]


def shipped_bundle(key: str) -> dict[str, tuple[str, bytes]]:
    """/static/app.js with the planted key, and its source map (whose sourcesContent has it too)."""
    js = _APP_JS.replace("__KEY__", key)
    source_map = {"version": 3, "file": "app.js", "sources": ["src/assistant.js"],
                  "sourcesContent": [js], "names": [], "mappings": ""}
    return {"/static/app.js": ("text/javascript", js.encode()),
            "/static/app.js.map": ("application/json", json.dumps(source_map).encode())}

# Canned answers: the first entry with a word of the message starting with one of its stems.
_REPLIES = [
    (("ship", "deliver"), "Orders ship within 2 business days; delivery takes 3-5 days."),
    (("refund", "return"), "You can return any item within 30 days for a full refund."),
    (("price", "cost", "discount"), "Prices are on each product page; members get 10% off."),
    (("hello", "hi", "hey"), "Hi! I'm the Acme Market assistant. Ask me about orders, shipping or returns."),
]
_FALLBACK = "Sorry, I can only help with orders, shipping, returns and prices."


def chat_reply(message: str) -> str:
    words = re.findall(r"[a-z]+", message.lower())
    return next((reply for stems, reply in _REPLIES
                 if any(w.startswith(stems) for w in words)), _FALLBACK)


def _page(title: str, body: str) -> Response:
    return Response.html(200, _PAGE.format(title=escape(title), body=body))


def home(request: Request) -> Response:
    return _page("Acme Market assistant", (
        "<h1>Acme Market assistant</h1>"
        # mixed content on purpose: an http:// image on an https:// page
        f'<img src="http://{escape(request.host)}/static/hero.svg" alt="Acme Market">'
        '<p>Ask about orders, shipping and returns.</p><a href="/login">Sign in</a>'
    ))


def login_page(request: Request) -> Response:
    return _page("Sign in - Acme Market", (
        '<h1>Sign in</h1><form method="post" action="/login">'
        '<input name="user" placeholder="alice or bob"><input name="password" type="password">'
        "<button>Sign in</button></form>"
    ))


def login(request: Request) -> Response:
    """Any password works for the demo users; the session cookie is the user's token."""
    user = parse_qs(request.body.decode("utf-8", "replace")).get("user", [""])[0].lower()
    token = _TOKEN_BY_NAME.get(user)
    if token is None:
        return Response.html(401, "<p>Unknown user</p>")
    response = Response.redirect(303, "/")
    response.headers.append(("Set-Cookie", f"session={token}; Path=/; HttpOnly; Secure; SameSite=Lax"))
    return response


def me(request: Request) -> Response:
    auth = request.headers.get("Authorization") or ""
    token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else request.cookie("session")
    user = USERS.get(token or "")
    if user is None:
        return Response.json(401, {"error": "not signed in"}, [("Cache-Control", "private")])
    return Response.json(200, user, [("Cache-Control", "private")])


def chat(request: Request) -> Response:
    try:
        message = json.loads(request.body or b"{}")["message"]
    except (ValueError, KeyError, TypeError):
        return Response.json(400, {"error": 'send JSON {"message": "..."}'})
    if not isinstance(message, str):
        return Response.json(400, {"error": "message must be a string"})
    return Response.json(200, {"reply": chat_reply(message)})


def health(request: Request) -> Response:
    return Response.json(200, {"status": "ok"}, [("Cache-Control", "no-store")])


def _static(kind: str, body: bytes) -> Handler:
    return lambda request: Response(200, [("Content-Type", kind), ("Cache-Control", "public, max-age=3600")],
                                     body)


def hero_svg(request: Request) -> Response:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text y="25">Acme</text></svg>'
    return Response(200, [("Content-Type", "image/svg+xml")], svg.encode())


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "/"): home,
    ("GET", "/login"): login_page,
    ("POST", "/login"): login,
    ("GET", "/api/me"): me,
    ("POST", "/api/chat"): chat,
    ("GET", "/health"): health,
    ("GET", "/static/hero.svg"): hero_svg,
}


def _matches(template: str, path: str) -> bool:
    want, got = template.split("/"), path.split("/")
    return len(want) == len(got) and all(w == g or (w.startswith("{") and g) for w, g in zip(want, got, strict=True))


@dataclass
class OriginOptions:
    """Origin-side blockers, switchable while the origin runs."""

    redirect_http_to_https: bool = False
    bad_cert: BadCert | None = None


class Origin:
    """The product's web server on the origin address, HTTP and HTTPS on `ports`.

    `cert_names` are the names its (good) certificate covers, e.g. `zone_names("acme.example")`;
    it answers for any Host, so DNS-only hosts pointing at it are served too."""

    def __init__(self, ca: SandboxCA, ports: Ports, address: str, cert_names: tuple[str, ...],
                 faults: Faults | None = None):
        self.ca = ca
        self.cert_names = cert_names
        self.options = OriginOptions()
        self.routes: dict[tuple[str, str], Handler] = dict(ROUTES)
        self.listeners: list[Callable[[Request, str], None]] = []
        self.planted_key = planted_key()
        for path, (kind, body) in shipped_bundle(self.planted_key).items():
            self.route("GET", path, _static(kind, body))
        self.faults = faults or Faults()
        self.monitoring = Monitoring()  # per-path latency, outages, expiring certificates
        self.site = Site(address, ports, self.handle, self._tls, latency=lambda: self.faults.http_latency_s)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method.upper(), path)] = handler

    def template(self, path: str) -> str:
        """The route path serving `path`: itself, else the first template matching it."""
        if any(route == path for _, route in self.routes):
            return path
        return next((route for _, route in self.routes if "{" in route and _matches(route, path)), path)

    def handle(self, request: Request) -> Response:
        template = self.template(request.path)
        for listener in self.listeners:
            listener(request, template)
        if (held := self.monitoring.answer(request, template)) is not None:
            return held
        if request.scheme == "http" and self.options.redirect_http_to_https:
            return Response.redirect(301, f"https://{request.host}{request.target}")
        method = "GET" if request.method == "HEAD" else request.method
        handler = self.routes.get((method, template))
        if handler is not None:
            return handler(request)
        if any(path == template for _, path in self.routes):
            return Response.json(405, {"error": "method not allowed"})
        return Response.html(404, "<h1>Not found</h1>")

    def _tls(self, server_name: str | None):
        if self.monitoring.drops(server_name):
            return None  # the connection is closed before the handshake
        return self.ca.context(self.cert_names, self.options.bad_cert,
                               days_left=self.monitoring.cert_days(server_name))

    def start(self) -> Origin:
        self.site.start()
        return self

    def stop(self) -> None:
        self.monitoring.stopping.set()
        self.site.stop()

    def __enter__(self) -> Origin:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
