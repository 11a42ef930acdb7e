"""The demo's credential agent: the sandbox's throw-away credentials, answered on a Unix socket
in this user's private folder (0700; the socket 0600) while the sandbox runs, so any
launch-ready process of this user reading the demo sprint (a second terminal, or this one) gets
them from memory. Nothing is printed and nothing is written but the socket; it goes when the
sandbox stops. The client is wizard.vault (`Vault(name, root)`); one JSON line each way.
"""

from __future__ import annotations

import json
import os
import socketserver
import stat
import threading
from pathlib import Path

from wizard.vault import agent_socket, register_secret


class _Handler(socketserver.StreamRequestHandler):
    timeout = 2  # a client that connects and says nothing does not hold a thread
    server: _Server

    def handle(self) -> None:
        try:
            asked = json.loads(self.rfile.readline(4096)).get("get")
        except (ValueError, AttributeError, OSError):
            return
        value = self.server.values.get(asked) if isinstance(asked, str) else None
        self.wfile.write(json.dumps({"value": value}).encode() + b"\n")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    values: dict[str, str]  # what the agent answers, set by CredentialAgent.start()


class CredentialAgent:
    """`CredentialAgent(sprint_root, {credential name: value}).start()`; `.stop()` removes it."""

    def __init__(self, root: Path, values: dict[str, str]):
        self.path = agent_socket(root)
        self.values = dict(values)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> CredentialAgent:
        folder = self.path.parent
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.stat()
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise RuntimeError(f"{folder} is not this user's private folder; remove it")
        self.path.unlink(missing_ok=True)  # left by a demo that was killed
        old_umask = os.umask(0o177)  # the socket is born 0600
        try:
            self._server = _Server(str(self.path), _Handler)
        finally:
            os.umask(old_umask)
        self._server.values = self.values
        for value in self.values.values():
            register_secret(value)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="credential-agent", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self.path.unlink(missing_ok=True)
            self._server = None
