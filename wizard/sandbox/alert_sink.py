"""Where the sandbox's alerts land, so the alert route is tested for real: an HTTP webhook
receiver (what a Slack, Discord or generic incoming webhook is) and a small SMTP server, both on
loopback, recording what arrives. Each delivery sets its own event: tests wait on
`sink.webhook.arrival(0)` or `sink.smtp.arrival(0)`, never sleep.

The SMTP side speaks the part of RFC 5321 a sender needs (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT), AUTH PLAIN, and TLS when given a server context: STARTTLS, or TLS from the first
byte (`implicit_tls`, port-465 style). It is a test sink: it never relays anything.
"""

from __future__ import annotations

import base64
import email
import email.message
import email.policy
import json
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from wizard.sandbox.stoppable_server import StoppableHTTPServer

SOCKET_TIMEOUT_S = 5.0
MAX_BODY = 1_000_000


class Deliveries:
    """What arrived, in order, with one event per delivery (set when it is recorded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[Any] = []
        self._events: list[threading.Event] = []

    def arrival(self, index: int) -> threading.Event:
        """The event set when delivery number `index` (0-based) has arrived."""
        with self._lock:
            while len(self._events) <= index:
                self._events.append(threading.Event())
            return self._events[index]

    def record(self, item: Any) -> None:
        with self._lock:
            self.items.append(item)
            index = len(self.items) - 1
        self.arrival(index).set()


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _WebhookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT_S
    server: _WebhookServer

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        post = Post(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
        status = self.server.status
        body = b"ok" if status < 300 else b"invalid_token"  # Slack's answers
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.posts.record(post)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass


class _WebhookServer(StoppableHTTPServer):
    def __init__(self, address: tuple[str, int]):
        self.posts = Deliveries()
        self.status = 200  # what every post is answered with (a 4xx/5xx tests the failure path)
        super().__init__(address, _WebhookHandler)


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    user: str | None = None  # who signed in with AUTH (the password is not kept)
    tls: bool = False

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class _Envelope:
    sender: str | None = None
    recipients: list[str] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    timeout = SOCKET_TIMEOUT_S
    server: _SmtpServer

    def setup(self) -> None:
        if self.server.implicit_tls:
            tls = self.server.tls
            assert tls is not None  # _SmtpServer refuses implicit TLS without a context
            self.request = tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 sink.launch-ready.test ESMTP ready")
        envelope, user = _Envelope(), None
        while line := self.rfile.readline(4096):
            verb, _, arg = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                offers = ["AUTH PLAIN"] + (["STARTTLS"] if self._may_starttls() else [])
                for offer in ["sink.launch-ready.test", *offers][:-1]:
                    self.reply(f"250-{offer}")
                self.reply(f"250 {offers[-1]}")
            elif verb == "HELO":
                self.reply("250 sink.launch-ready.test")
            elif verb == "STARTTLS" and self._may_starttls():
                self.reply("220 go ahead")
                self._start_tls()
                envelope, user = _Envelope(), None
            elif verb == "AUTH" and arg.upper().startswith("PLAIN "):
                user = base64.b64decode(arg.split()[1]).split(b"\0")[1].decode()
                self.reply("235 authenticated")
            elif verb == "MAIL" and arg.upper().startswith("FROM:"):
                envelope = _Envelope(sender=_address(arg))
                self.reply("250 ok")
            elif verb == "RCPT" and arg.upper().startswith("TO:") and envelope.sender is not None:
                envelope.recipients.append(_address(arg))
                self.reply("250 ok")
            elif verb == "DATA" and envelope.recipients and envelope.sender is not None:
                self.reply("354 end with <CRLF>.<CRLF>")
                data = self._data()
                self.server.mails.record(Mail(envelope.sender, envelope.recipients, data, user,
                                              isinstance(self.request, ssl.SSLSocket)))
                envelope = _Envelope()
                self.reply("250 queued (never relayed: a test sink)")
            elif verb == "RSET":
                envelope = _Envelope()
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("503 bad sequence of commands" if verb in ("RCPT", "DATA", "STARTTLS")
                           else "502 command not implemented")

    def _may_starttls(self) -> bool:
        return self.server.tls is not None and not isinstance(self.request, ssl.SSLSocket)

    def _start_tls(self) -> None:
        tls = self.server.tls
        assert tls is not None  # only called when _may_starttls()
        self.wfile.flush()
        self.request = tls.wrap_socket(self.request, server_side=True)
        self.connection = self.request
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb")

    def _data(self) -> bytes:
        lines: list[bytes] = []
        size = 0
        while (line := self.rfile.readline(4096)) not in (b".\r\n", b".\n", b""):
            size += len(line)
            if size <= MAX_BODY:
                lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
        return b"".join(lines)


def _address(arg: str) -> str:
    """`FROM:<a@b>` or `TO:<a@b> SIZE=...` -> a@b."""
    value = arg.split(":", 1)[1].strip()
    return value.split(">", 1)[0].lstrip("<").strip()


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], tls: ssl.SSLContext | None, implicit_tls: bool):
        if implicit_tls and tls is None:
            raise ValueError("implicit TLS needs a server context")
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.mails = Deliveries()
        super().__init__(address, _SmtpHandler)

    def handle_error(self, request, client_address) -> None:
        """A sender that hangs up or fails the handshake ends its own session, nothing more."""


class AlertSink:
    """The webhook receiver and the SMTP sink on `address` (free ports), started together.

    `tls` (a server context, e.g. `sandbox.ca.context(("mail.acme.example",))`) lets the SMTP
    sink offer STARTTLS, or speak TLS from the start with `implicit_tls`."""

    def __init__(self, address: str = "127.0.0.1", tls: ssl.SSLContext | None = None,
                 implicit_tls: bool = False):
        self._webhook = _WebhookServer((address, 0))
        try:
            self._smtp = _SmtpServer((address, 0), tls, implicit_tls)
        except BaseException:
            self._webhook.server_close()
            raise
        self.address = address
        self._threads: list[threading.Thread] = []

    @property
    def webhook(self) -> Deliveries:
        return self._webhook.posts

    @property
    def smtp(self) -> Deliveries:
        return self._smtp.mails

    @property
    def webhook_status(self) -> int:
        return self._webhook.status

    @webhook_status.setter
    def webhook_status(self, status: int) -> None:
        self._webhook.status = status

    def webhook_url(self, path: str = "/services/T0000/B0000/sandbox-hook") -> str:
        return f"http://{self.address}:{self.webhook_port}{path}"

    @property
    def webhook_port(self) -> int:
        return self._webhook.server_address[1]

    @property
    def smtp_port(self) -> int:
        return self._smtp.server_address[1]

    def start(self) -> AlertSink:
        for server in (self._webhook, self._smtp):
            thread = threading.Thread(target=server.serve_forever, args=(0.02,),
                                      name=f"alert-sink:{server.server_address[1]}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in (self._webhook, self._smtp):
            if self._threads:
                server.shutdown()
        self._webhook.cut_connections()  # idle keep-alive connections; senders QUIT SMTP
        for server in (self._webhook, self._smtp):
            server.server_close()
        for thread in self._threads:
            thread.join(SOCKET_TIMEOUT_S)
        self._threads.clear()

    def __enter__(self) -> AlertSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
