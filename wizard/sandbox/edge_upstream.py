"""The edge's connection to the origin, as the zone's SSL mode says: plain HTTP (off, flexible),
HTTPS without checking the certificate (full), or HTTPS checked against the sandbox CA for the
request's host name (strict). Failures become the Cloudflare 52x error they cause.
"""

from __future__ import annotations

import http.client
import socket
import ssl

from wizard.sandbox.edge_errors import (
    BAD_GATEWAY,
    CONNECTION_TIMED_OUT,
    HANDSHAKE_FAILED,
    INVALID_CERTIFICATE,
    TIMEOUT_OCCURRED,
    WEB_SERVER_DOWN,
    EdgeError,
)
from wizard.sandbox.http_server import HOP_BY_HOP, Ports, Request, Response


class OriginFailed(Exception):
    def __init__(self, error: EdgeError, detail: str):
        super().__init__(f"{error.code} {error.title}: {detail}")
        self.error = error


def _unverified_context() -> ssl.SSLContext:
    """Full mode: encrypt, but accept any certificate (expired, self-signed, another name)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Upstream:
    """Sends one request to the origin per call (no pooling: the sandbox's traffic is tiny)."""

    def __init__(self, ports: Ports, strict_context: ssl.SSLContext, timeout_s: float):
        self.ports = ports
        self.timeout_s = timeout_s
        self._contexts = {"full": _unverified_context(), "strict": strict_context}

    def fetch(self, request: Request, address: str, ssl_mode: str,
              extra_headers: list[tuple[str, str]]) -> Response:
        tls = self._contexts.get(ssl_mode)  # off and flexible: plain HTTP
        port = self.ports.https if tls else self.ports.http
        sock = self._connect(address, port)
        try:
            if tls:
                sock = self._handshake(tls, sock, request.host)
            return self._exchange(sock, request, port, extra_headers)
        finally:
            sock.close()

    def _connect(self, address: str, port: int) -> socket.socket:
        try:
            return socket.create_connection((address, port), timeout=self.timeout_s)
        except ConnectionRefusedError as exc:
            raise OriginFailed(WEB_SERVER_DOWN, f"{address}:{port} refused") from exc
        except OSError as exc:
            raise OriginFailed(CONNECTION_TIMED_OUT, f"{address}:{port}: {exc}") from exc

    @staticmethod
    def _handshake(ctx: ssl.SSLContext, sock: socket.socket, host: str) -> ssl.SSLSocket:
        try:
            return ctx.wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise OriginFailed(INVALID_CERTIFICATE, exc.verify_message or str(exc)) from exc
        except OSError as exc:  # ssl.SSLError is an OSError
            sock.close()
            raise OriginFailed(HANDSHAKE_FAILED, str(exc)) from exc

    def _exchange(self, sock: socket.socket, request: Request, port: int,
                  extra_headers: list[tuple[str, str]]) -> Response:
        conn = http.client.HTTPConnection(request.host, port, timeout=self.timeout_s)
        conn.sock = sock
        try:
            conn.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
            for name, value in [*request.headers.items(), *extra_headers]:
                if name.lower() not in HOP_BY_HOP:
                    conn.putheader(name, value)
            conn.putheader("Connection", "close")
            if request.body or request.method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(request.body)))
            conn.endheaders(request.body or None)
            reply = conn.getresponse()
            body = reply.read()
        except TimeoutError as exc:
            raise OriginFailed(TIMEOUT_OCCURRED, str(exc)) from exc
        except (http.client.HTTPException, OSError) as exc:
            raise OriginFailed(BAD_GATEWAY, str(exc)) from exc
        headers = [(k, v) for k, v in reply.getheaders() if k.lower() not in HOP_BY_HOP]
        return Response(reply.status, headers, body)
