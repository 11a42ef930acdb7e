"""The threaded HTTP server base every sandbox listener uses (the edge, the origin, the API
emulator): a stop frees the port, cuts idle keep-alive connections and joins every connection
thread, so nothing is left running or listening after a test or `launch-ready demo`."""

from __future__ import annotations

import socket
import socketserver
import threading
from http.server import ThreadingHTTPServer


class StoppableHTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the connection threads
    block_on_close = True

    def __init__(self, address, handler):
        self._open: set[socket.socket] = set()  # dups of live connections (TLS wraps the original)
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        """HTTPServer's own server_bind looks up the address's FQDN: a reverse DNS query."""
        socketserver.TCPServer.server_bind(self)
        host, self.server_port = self.server_address[:2]
        assert isinstance(host, str)  # a bound AF_INET/AF_INET6 socket's getsockname() host is a str
        self.server_name = host

    def process_request_thread(self, request, client_address) -> None:
        handle = request.dup()
        with self._open_lock:
            self._open.add(handle)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(handle)
            handle.close()

    def cut_connections(self) -> None:
        """Wake handlers waiting on idle keep-alive connections so they end now."""
        with self._open_lock:
            for handle in self._open:
                try:
                    handle.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
