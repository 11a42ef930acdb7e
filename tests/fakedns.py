"""A small authoritative DNS responder over UDP and TCP on loopback, for tests until the sandbox
lands. Records are a dict {(name, type): [values]}; names absent from it get NXDOMAIN, names
present with other types get NODATA; a name listed in `silent` is never answered (a timeout)."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class FakeDNS:
    def __init__(self, records: dict[tuple[str, str], list[str]], silent: set[str] = frozenset(),
                 udp_limit: int = 1232):
        self.udp_limit = udp_limit
        self.records = {(n.lower().rstrip("."), t.upper()): v for (n, t), v in records.items()}
        self.silent = {s.lower() for s in silent}
        self.queries: list[tuple[str, str, str]] = []
        outer = self

        class UDP(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                reply = outer.answer(data, "udp")
                if reply:
                    sock.sendto(reply, self.client_address)

        class TCP(socketserver.BaseRequestHandler):
            def handle(self):
                head = self.request.recv(2)
                if len(head) < 2:
                    return
                (length,) = struct.unpack("!H", head)
                data = b""
                while len(data) < length:
                    chunk = self.request.recv(length - len(data))
                    if not chunk:
                        return
                    data += chunk
                reply = outer.answer(data, "tcp")
                if reply:
                    self.request.sendall(struct.pack("!H", len(reply)) + reply)

        self.udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), UDP)
        port = self.udp.server_address[1]
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), TCP)
        self.port = port
        self.nameserver = f"127.0.0.1:{port}"
        self._threads = [threading.Thread(target=s.serve_forever, args=(0.02,), daemon=True) for s in (self.udp, self.tcp)]

    def names(self) -> set[str]:
        return {n for n, _ in self.records}

    def answer(self, data: bytes, transport: str) -> bytes | None:
        query = dns.message.from_wire(data)
        q = query.question[0]
        name = q.name.to_text(omit_final_dot=True).lower()
        rdtype = dns.rdatatype.to_text(q.rdtype)
        self.queries.append((name, rdtype, transport))
        if name in self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        current = name
        for _hop in range(8):
            cname = self.records.get((current, "CNAME"))
            if cname and rdtype != "CNAME":
                response.answer.append(dns.rrset.from_text(current + ".", 300, "IN", "CNAME", cname[0]))
                current = cname[0].lower().rstrip(".")
                continue
            break
        values = self.records.get((current, rdtype))
        if values:
            response.answer.append(dns.rrset.from_text(current + ".", 300, "IN", rdtype, *values))
        elif current not in self.names() and not any(n.endswith("." + current) for n in self.names()):
            response.set_rcode(dns.rcode.NXDOMAIN)
        wire = response.to_wire()
        if transport == "udp" and len(wire) > self.udp_limit:
            response.answer.clear()
            response.flags |= dns.flags.TC
            wire = response.to_wire()
        return wire

    def __enter__(self) -> FakeDNS:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        for s in (self.udp, self.tcp):
            s.shutdown()
            s.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
