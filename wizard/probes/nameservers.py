"""The zone's delegation and whether every nameserver serves the same version of it.

On the internet each NS host is asked for the SOA directly (at its own address, port 53), so a
nameserver that lags behind or does not answer is seen. When the NS hosts cannot be resolved
(a private or sandboxed network), the configured resolvers are asked instead, and the result
says so: it then shows what the sprint's resolvers serve, not each authoritative server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver

from wizard.net import NetContext
from wizard.probes.dns import resolve_host

DNS_PORT = 53


@dataclass
class SoaAnswer:
    server: str  # the NS host name, or the configured nameserver
    address: str
    serial: int | None = None
    error: str = ""
    timed_out: bool = False

    def as_dict(self) -> dict:
        return {"server": self.server, "address": self.address, "serial": self.serial,
                **({"error": self.error} if self.error else {})}


@dataclass
class Delegation:
    domain: str
    ns: list[str] = field(default_factory=list)
    answers: list[SoaAnswer] = field(default_factory=list)
    direct: bool = True  # False: asked the configured resolvers, the NS hosts did not resolve
    error: str = ""  # the NS question itself failed
    timed_out: bool = False

    @property
    def serials(self) -> set[int]:
        return {a.serial for a in self.answers if a.serial is not None}


async def soa_serial(net: NetContext, server: str, address: str, port: int, domain: str) -> SoaAnswer:
    """One SOA question straight to one server: its serial, or why there is none."""
    net.budget.spend(f"DNS {domain} SOA @{address}:{port}")
    answer = SoaAnswer(server, f"{address}:{port}" if port != DNS_PORT else address)
    query = dns.message.make_query(domain, dns.rdatatype.SOA)
    try:
        response, _tcp = await dns.asyncquery.udp_with_fallback(query, address, timeout=net.timeout_s,
                                                                port=port)
    except dns.exception.Timeout:
        answer.error, answer.timed_out = f"no answer within {net.timeout_s:g} s", True
        return answer
    except (OSError, dns.exception.DNSException) as exc:
        answer.error = f"{type(exc).__name__}: {exc}"
        return answer
    soa = [r for rrset in response.answer if rrset.rdtype == dns.rdatatype.SOA for r in rrset]
    if soa:
        answer.serial = soa[0].serial
    else:
        answer.error = f"no SOA in the answer ({dns.rcode.to_text(response.rcode())})"
    return answer


async def delegation(net: NetContext, domain: str) -> Delegation:
    """NS names of domain and the SOA serial each one (or each configured resolver) serves."""
    result = Delegation(domain)
    try:
        answer = await net.query(domain, "NS")
    except dns.exception.Timeout as exc:
        result.error, result.timed_out = f"the NS question timed out: {exc}", True
        return result
    except dns.exception.DNSException as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    result.ns = sorted(r.target.to_text(omit_final_dot=True).lower() for r in answer)
    addresses = [r.addresses for r in await asyncio.gather(*(resolve_host(net, ns) for ns in result.ns))]
    found = dict(zip(result.ns, addresses, strict=True))
    targets = [(ns, a[0], DNS_PORT) for ns, a in found.items() if a]
    unresolved = [SoaAnswer(ns, "", error="the NS host does not resolve") for ns, a in found.items() if not a]
    if not targets:
        result.direct, unresolved = False, []
        targets = [(f"{ns.address}:{ns.port}", ns.address, ns.port) for ns in net.nameservers]
        if not targets:  # the system resolver
            targets = [(str(a), str(a), DNS_PORT) for a in dns.resolver.Resolver().nameservers]
    asked = await asyncio.gather(*(soa_serial(net, s, a, p, domain) for s, a, p in targets))
    result.answers = [*asked, *unresolved]
    return result
