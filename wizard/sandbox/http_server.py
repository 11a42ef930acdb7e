"""The small HTTP/1.1 server the edge and the origin share: an app is a function from Request to
Response, served over HTTP and HTTPS on one loopback address in threads.

Why not a framework: the edge must choose a TLS context per connection before the handshake
(the zone's minimum TLS version, the origin's deliberately bad certificate), and both servers
must stop cleanly in tests (ports freed, threads joined, nothing listening), which stdlib
servers give with a few overrides. Every socket wait has a timeout.
"""

from __future__ import annotations

import email.utils
import http.server
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

from wizard.sandbox.client_hello import peek_server_name
from wizard.sandbox.stoppable_server import StoppableHTTPServer

log = logging.getLogger(__name__)

SOCKET_TIMEOUT_S = 5.0
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "te", "trailer", "transfer-encoding", "upgrade", "content-length"})


@dataclass
class Request:
    method: str
    scheme: str  # "http" or "https"
    host: str  # from the Host header: lower-case, without port
    target: str  # path and query as sent
    headers: Message
    body: bytes = b""
    client: str = ""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.target).query

    def cookie(self, name: str) -> str | None:
        for part in (self.headers.get("Cookie") or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    @classmethod
    def html(cls, status: int, text: str, headers: Iterable[tuple[str, str]] = ()) -> Response:
        return cls(status, [("Content-Type", "text/html; charset=utf-8"), *headers], text.encode())

    @classmethod
    def json(cls, status: int, data: object, headers: Iterable[tuple[str, str]] = ()) -> Response:
        return cls(status, [("Content-Type", "application/json"), *headers], json.dumps(data).encode())

    @classmethod
    def redirect(cls, status: int, location: str) -> Response:
        return cls(status, [("Location", location), ("Content-Type", "text/plain")],
                   f"Redirecting to {location}\n".encode())


App = Callable[[Request], Response]
# Chooses the TLS context for a connection from the name the client asked for (None: no SNI);
# returning None refuses the handshake.
TlsChooser = Callable[[str | None], ssl.SSLContext | None]


@dataclass(frozen=True)
class Ports:
    http: int
    https: int


def free_ports(addresses: Iterable[str], tries: int = 50) -> Ports:
    """Two ports free on every address, so the edge and the origin can share the pair."""
    addresses = list(addresses)
    found: list[int] = []
    for _ in range(tries):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
            if port not in found and all(_bindable(a, port) for a in addresses[1:]):
                found.append(port)
        if len(found) == 2:
            return Ports(*found)
    raise OSError(f"no pair of ports free on {', '.join(addresses)}")


def _bindable(address: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT_S
    server: _Server

    def _serve(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._write(Response(411, [("Content-Type", "text/plain")], b"Content-Length required\n"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command, scheme=self.server.scheme,
            host=(self.headers.get("Host") or "").rsplit(":", 1)[0].lower().rstrip("."),
            target=self.path, headers=self.headers, body=self.rfile.read(length) if length else b"",
            client=self.client_address[0],
        )
        try:
            response = self.server.app(request)
        except Exception:
            log.exception("%s %s failed", self.command, self.path)
            response = Response(500, [("Content-Type", "text/plain")], b"internal error\n")
        latency = self.server.latency()
        if latency:
            self.server.stopping.wait(latency)
        self._write(response)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def _write(self, response: Response) -> None:
        self.send_response_only(response.status)
        names = {k.lower() for k, _ in response.headers}
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        if "date" not in names:
            self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        log.debug("%s %s", self.address_string(), format % args)


class _Server(StoppableHTTPServer):
    """Handshakes in the connection's own thread, so a slow client never blocks accept."""

    def __init__(self, address: tuple[str, int], app: App, tls: TlsChooser | None,
                 latency: Callable[[], float]):
        self.app = app
        self.tls = tls
        self.scheme = "https" if tls else "http"
        self.latency = latency
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address) -> None:
        request.settimeout(SOCKET_TIMEOUT_S)
        # Headers and body are written separately: without this, Nagle's algorithm and the
        # client's delayed ACK hold every body back ~40 ms (a floor under every latency measured).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = request
        try:
            if self.tls:
                conn = self._handshake(request, self.tls)
            if conn is not None:
                _Handler(conn, client_address, self)
        except (OSError, ssl.SSLError) as exc:
            log.debug("connection from %s ended: %s", client_address[0], exc)
        finally:
            if conn is not None and conn is not request:
                conn.close()

    @staticmethod
    def _handshake(sock: socket.socket, tls: TlsChooser) -> ssl.SSLSocket | None:
        ctx = tls(peek_server_name(sock))
        if ctx is None:
            return None
        return ctx.wrap_socket(sock, server_side=True)


class Site:
    """One app on one address: an HTTP listener and an HTTPS listener on the given ports."""

    def __init__(self, address: str, ports: Ports, app: App, tls: TlsChooser,
                 latency: Callable[[], float] = lambda: 0.0):
        self.address = address
        self.ports = ports
        self._servers = [
            _Server((address, ports.http), app, None, latency),
            _Server((address, ports.https), app, tls, latency),
        ]
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, args=(0.02,),
                                      name=f"{self.address}:{server.server_address[1]}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop accepting, cut open connections, join every thread, free the ports."""
        for server in self._servers:
            server.stopping.set()
            if self._threads:
                server.shutdown()
            server.cut_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(SOCKET_TIMEOUT_S)
        self._threads.clear()
