"""An authoritative DNS server over UDP and TCP that answers from the World's live zones.

Every answer is computed from the zone at the moment of the query, so a record changed through
the API emulator is in the very next answer. Proxied A/AAAA/CNAME records are answered with the
edge's address, as Cloudflare does.

Known differences from Cloudflare's nameservers:
- proxied names answer A with the edge's loopback address and AAAA with no data (loopback has
  only one IPv6 address, so the sandbox has no IPv6 edge);
- no DNSSEC, no ANY, no wildcard records, no zone transfers;
- it also stands in for the recursive resolver a sprint would use: a name outside every zone is
  NXDOMAIN (an internet where only the sandbox's zones exist), not REFUSED;
- the SOA serial is derived from the records' modification times.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from datetime import datetime

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from wizard.sandbox.faults import Faults
from wizard.sandbox.state import DnsRecord, World, Zone

TTL_AUTO = 300  # what Cloudflare serves for ttl=1 ("automatic")
EDGE_TTL = 300
MAX_CHASE = 8
SOCKET_TIMEOUT_S = 5


def _serial(zone: Zone) -> int:
    stamps = [zone.created_on] + [r.modified_on for r in zone.records.values()]
    latest = max(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
    return int(latest.timestamp()) + len(zone.records)


def _txt(content: str) -> str:
    """Cloudflare stores TXT content as text; the wire wants <=255-byte quoted strings."""
    if content.startswith('"'):
        return content
    chunks = [content[i:i + 255] for i in range(0, len(content), 255)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


def _rdata_text(record: DnsRecord) -> str:
    if record.type == "TXT":
        return _txt(record.content)
    if record.type == "MX":
        return f"{record.priority or 0} {record.content.rstrip('.')}."
    if record.type == "CAA" and record.data:
        return f'{record.data.get("flags", 0)} {record.data["tag"]} "{record.data["value"]}"'
    if record.type in ("CNAME", "NS", "PTR"):
        return record.content.rstrip(".") + "."
    return record.content


class Answerer:
    """Builds the response to one query from the World (no sockets here)."""

    def __init__(self, world: World):
        self.world = world

    def respond(self, query: dns.message.Message, max_size: int | None) -> dns.message.Message:
        response = dns.message.make_response(query)
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        qname = question.name.to_text(omit_final_dot=True).lower()
        with self.world.lock:
            zone = self.world.zone_for(qname)
            if zone is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
                return response
            response.flags |= dns.flags.AA
            self._answer(zone, qname, question.rdtype, response)
        if max_size is not None and len(response.to_wire()) > max_size:
            response.answer.clear()
            response.authority.clear()
            response.flags |= dns.flags.TC
        return response

    def _answer(self, zone: Zone, qname: str, rdtype: dns.rdatatype.RdataType,
                response: dns.message.Message) -> None:
        wanted = dns.rdatatype.to_text(rdtype)
        name = qname
        for _hop in range(MAX_CHASE):
            records = zone.records_named(name)
            cname = next((r for r in records if r.type == "CNAME"), None)
            proxied = any(r.proxied for r in records if r.type in ("A", "AAAA", "CNAME"))
            if proxied and wanted in ("A", "AAAA"):
                if wanted == "A":
                    response.answer.append(self._rrset(name, EDGE_TTL, "A", [self.world.addresses.edge_ipv4]))
                else:
                    self._soa(zone, response)
                return
            if cname is not None and wanted != "CNAME":
                response.answer.append(self._rrset(name, cname.ttl, "CNAME", [_rdata_text(cname)]))
                target = cname.content.rstrip(".").lower()
                if not zone.contains(target):
                    return  # out of zone: the resolver chases it
                name = target
                continue
            matching = [r for r in records if r.type == wanted]
            if matching:
                ttl = matching[0].ttl
                response.answer.append(self._rrset(name, ttl, wanted, [_rdata_text(r) for r in matching]))
            elif wanted == "SOA" and name == zone.name:
                self._soa(zone, response, answer=True)
            elif wanted == "NS" and name == zone.name:
                response.answer.append(self._rrset(name, 86400, "NS", [n + "." for n in zone.name_servers]))
            else:
                if not zone.name_exists(name):
                    response.set_rcode(dns.rcode.NXDOMAIN)
                self._soa(zone, response)
            return

    def _soa(self, zone: Zone, response: dns.message.Message, answer: bool = False) -> None:
        text = f"{zone.name_servers[0]}. dns.cloudflare.com. {_serial(zone)} 10000 2400 604800 1800"
        rrset = self._rrset(zone.name, 1800, "SOA", [text])
        (response.answer if answer else response.authority).append(rrset)

    @staticmethod
    def _rrset(name: str, ttl: int, rdtype: str, values: list[str]) -> dns.rrset.RRset:
        return dns.rrset.from_text_list(name + ".", TTL_AUTO if ttl == 1 else ttl, "IN", rdtype, values)


class DnsServer:
    """UDP and TCP on the same loopback port, each in its own thread."""

    def __init__(self, world: World, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 0):
        self.answerer = Answerer(world)
        self.faults = faults or Faults()
        self.host = host
        self._udp, self._tcp = self._bind(host, port)
        self.port = self._udp.server_address[1]
        self._threads: list[threading.Thread] = []

    @property
    def nameserver(self) -> str:
        return f"{self.host}:{self.port}"

    def _bind(self, host: str, port: int):
        outer = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                reply = outer.handle(data, udp=True)
                if reply is not None:
                    sock.sendto(reply, self.client_address)

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.settimeout(SOCKET_TIMEOUT_S)
                try:
                    while True:
                        head = _recv_exact(self.request, 2)
                        if head is None:
                            return
                        data = _recv_exact(self.request, struct.unpack("!H", head)[0])
                        if data is None:
                            return
                        reply = outer.handle(data, udp=False)
                        if reply is None:
                            return
                        self.request.sendall(struct.pack("!H", len(reply)) + reply)
                except (TimeoutError, OSError):
                    return

        for _attempt in range(20):  # UDP and TCP must share one free port
            udp = socketserver.ThreadingUDPServer((host, port), Udp)
            try:
                tcp = _TcpServer((host, udp.server_address[1]), Tcp)
            except OSError:
                udp.server_close()
                if port:
                    raise
                continue
            return udp, tcp
        raise OSError("no free port for DNS on both UDP and TCP")

    def handle(self, data: bytes, udp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return None
        if self.faults.dns_latency_s:
            time.sleep(self.faults.dns_latency_s)  # injected latency for benchmarks
        max_size = None
        if udp:
            max_size = min(query.payload, 1232) if query.edns >= 0 else 512
        response = self.answerer.respond(query, max_size)
        return response.to_wire()

    def start(self) -> DnsServer:
        self._threads = [threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True,
                                          name=f"sandbox-dns-{kind}")
                         for kind, s in (("udp", self._udp), ("tcp", self._tcp))]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        for server in (self._udp, self._tcp):
            if self._threads:
                server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join(timeout=SOCKET_TIMEOUT_S)

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
