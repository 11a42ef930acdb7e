"""The emulator's HTTP side: a threaded HTTP/1.1 server on loopback under /client/v4 that
authenticates, rate-limits, injects faults and latency, then dispatches to the route table."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from ..faults import Fault, Faults
from ..state import Token, World
from ..stoppable_server import StoppableHTTPServer
from . import alerting, dns, dnssec, healthchecks, rulesets, settings, zones  # noqa: F401  (they fill the route table)
from .envelope import ApiError, Text, success
from .ratelimit import RateLimiter
from .routing import ROUTES, Request, Route, has_permission

PREFIX = "/client/v4"


@dataclass
class Exchange:
    """One request and the answer it got, for observers (the schema test records a session)."""

    method: str
    path: str  # below /client/v4, without the query
    endpoint: str | None  # the route template, None when no route matched
    request_body: Any
    status: int
    response_body: Any  # the parsed envelope, or the text of a plain-text answer


def _bad_token() -> ApiError:
    return ApiError(401, 9109, "Invalid access token")


def _expired(token: Token) -> bool:
    if not token.expires_on:
        return False
    return datetime.fromisoformat(token.expires_on.replace("Z", "+00:00")) <= datetime.now(UTC)


class CloudflareAPI:
    """The Cloudflare API emulator over a World; `start()` / `stop()` or use it as a context manager.

    `rate_limit` requests per `rate_window_s` per token (Cloudflare: 1,200 per 300 s), on `clock`
    (monotonic seconds; tests pass their own to move time). `observer` sees every Exchange.
    """

    def __init__(self, world: World, faults: Faults | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, rate_limit: int = 1200, rate_window_s: float = 300.0,
                 clock: Callable[[], float] | None = None,
                 observer: Callable[[Exchange], None] | None = None,
                 idle_timeout_s: float = 30.0, hold_limit_s: float = 600.0):
        self.world = world
        self.faults = faults or Faults()
        self.limiter = RateLimiter(rate_limit, rate_window_s, clock)
        self.observer = observer
        self.idle_timeout_s, self.hold_limit_s = idle_timeout_s, hold_limit_s
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Cloudflare API emulator is not started")
        return f"http://{self._server.server_name}:{self._server.server_port}{PREFIX}"

    def start(self) -> CloudflareAPI:
        self._server = _Server(self._address, _Handler, self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="cfapi", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Free held requests, close every connection, free the port and join the threads."""
        if self._server is None:
            return
        self.faults.released.set()
        self._server.shutdown()
        self._server.cut_connections()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> CloudflareAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def match(method: str, path: str) -> Match:
        """The route a request goes to, or the routing error it will get."""
        if not path.startswith(PREFIX + "/"):
            return Match(None, {}, ApiError(404, 7000, "No route for that URI"))
        try:
            route, params = ROUTES.match(method, path.removeprefix(PREFIX))
        except ApiError as error:
            return Match(None, {}, error)
        return Match(route, params, None)

    def answer(self, method: str, path: str, query: str, headers: Any, body: Any,
               match: Match) -> tuple[int, Any, dict[str, str]]:
        """The status, body (envelope dict or Text) and extra headers for one request."""
        with self.world.lock:
            try:
                token = self._authenticate(headers)
                if (wait := self.limiter.check(token.value)) is not None:
                    raise _rate_limited(wait)
                if match.route is None:
                    raise match.error or ApiError(404, 7000, "No route for that URI")
                if not has_permission(token, match.route.needs(match.params)):
                    raise ApiError(403, 10000, "Authentication error")
                if isinstance(body, _Malformed):
                    raise ApiError(400, 6007, "Malformed JSON in request body")
                request = Request(method, path.removeprefix(PREFIX), match.params,
                                  parse_qs(query, keep_blank_values=True), body, self.world, token)
                result = match.route.handler(request)
            except ApiError as error:
                return error.status, error.body(), error.headers
        return 200, result if isinstance(result, Text) else success(result), {}

    def _authenticate(self, headers: Any) -> Token:
        """Bearer tokens only: global-key headers are refused like a bad token."""
        if headers.get("X-Auth-Key") or headers.get("X-Auth-Email"):
            raise _bad_token()
        scheme, _, value = (headers.get("Authorization") or "").partition(" ")
        token = self.world.tokens.get(value.strip()) if scheme == "Bearer" else None
        if token is None or token.status != "active" or _expired(token):
            raise _bad_token()
        return token


def _rate_limited(retry_after: int) -> ApiError:
    return ApiError(429, 971, "Please wait and consider throttling your request speed",
                    headers={"Retry-After": str(retry_after)})


def _fault_answer(fault: Fault) -> tuple[int, Any, dict[str, str]]:
    error = (_rate_limited(fault.retry_after) if fault.kind == "429"
             else ApiError(500, 10001, "Internal server error (injected fault)"))
    return error.status, error.body(), error.headers


@dataclass
class Match:
    route: Route | None
    params: dict[str, str]
    error: ApiError | None


class _Malformed(str):
    """A request body that is not JSON (answered with 6007 once the caller is authenticated)."""


def _parse_body(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return _Malformed(raw.decode("utf-8", "replace"))


class _Server(StoppableHTTPServer):
    def __init__(self, address, handler, api: CloudflareAPI):
        self.api = api
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.api.idle_timeout_s)  # idle keep-alive connections end
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet: tests and demo)
        return

    def _handle(self) -> None:
        api = self.server.api
        length = int(self.headers.get("Content-Length") or 0)
        body = _parse_body(self.rfile.read(length) if length else b"")
        path, _, query = self.path.partition("?")
        match = api.match(self.command, path)
        fault = api.faults.take(match.route.endpoint if match.route else f"{self.command} {path}")
        if fault and fault.kind in ("timeout", "drop"):
            if fault.kind == "timeout":
                api.faults.released.wait(api.hold_limit_s)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if api.faults.http_latency_s:
            api.faults.released.wait(api.faults.http_latency_s)
        status, answer, headers = (_fault_answer(fault) if fault
                                   else api.answer(self.command, path, query, self.headers, body, match))
        if api.observer is not None:
            api.observer(Exchange(self.command, path.removeprefix(PREFIX),
                                  match.route.template if match.route else None, body, status,
                                  answer.body if isinstance(answer, Text) else answer))
        self._send(status, answer, headers)

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if isinstance(body, Text):
            payload, content_type = body.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("cf-ray", f"{id(self):x}-SBX")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
