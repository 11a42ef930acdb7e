"""The zone's delegation and whether every nameserver serves the same version of it.

On the internet each NS host is asked for the SOA directly (at its own address, port 53), so a
nameserver that lags behind or does not answer is seen. When the NS hosts cannot be resolved
(a private or sandboxed network), the configured resolvers are asked instead, and the result
says so: it then shows what the sprint's resolvers serve, not each authoritative server.

The apex's NS question is also the run's test of whether the domain can be looked up at all
(`apex_ns`): a domain that does not exist, or a resolver that does not answer, is told apart
there in dns.resolves' words (wizard.probes.dns.Outcome).
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
from wizard.probes.dns import Outcome, resolve_host

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


@dataclass(frozen=True)
class Apex:
    """The answer to the apex's NS question: "ok" (its NS names) and "nodata" mean the domain
    exists, "nxdomain" that it does not, "timeout" and "servfail" that DNS could not tell."""

    domain: str
    outcome: Outcome
    asked: tuple[str, ...]  # the run's resolvers, as "address[:port]"
    ns: tuple[str, ...] = ()
    detail: str = ""

    @property
    def exists(self) -> bool:
        return self.outcome in ("ok", "nodata")

    def evidence(self) -> dict:
        return {"outcome": self.outcome, "asked": list(self.asked), "ns": list(self.ns),
                **({"detail": self.detail} if self.detail else {})}


def _label(address: str, port: int) -> str:
    return f"{address}:{port}" if port != DNS_PORT else address


def resolvers(net: NetContext) -> list[tuple[str, int]]:
    """(address, port) of each nameserver the run's resolver asks: network.nameservers, else the
    system's."""
    return [(ns, net.resolver.port) if isinstance(ns, str)
            else (ns.answer_nameserver(), ns.answer_port())
            for ns in net.resolver.nameservers]


async def apex_ns(net: NetContext, domain: str) -> Apex:
    """The NS question for domain through the run's resolver, and what its failure means."""
    asked = tuple(_label(a, p) for a, p in resolvers(net))
    try:
        answer = await net.query(domain, "NS")
    except dns.resolver.NXDOMAIN:
        return Apex(domain, "nxdomain", asked)
    except dns.resolver.NoAnswer:
        return Apex(domain, "nodata", asked)
    except dns.exception.Timeout as exc:
        return Apex(domain, "timeout", asked, detail=str(exc))
    except dns.exception.DNSException as exc:  # NoNameservers: each one failed or refused
        return Apex(domain, "servfail", asked, detail=str(exc))
    ns = sorted(r.target.to_text(omit_final_dot=True).lower() for r in answer)
    return Apex(domain, "ok", asked, tuple(ns))


@dataclass
class Delegation:
    domain: str
    ns: list[str] = field(default_factory=list)
    answers: list[SoaAnswer] = field(default_factory=list)
    direct: bool = True  # False: asked the configured resolvers, the NS hosts did not resolve

    @property
    def serials(self) -> set[int]:
        return {a.serial for a in self.answers if a.serial is not None}


async def soa_serial(net: NetContext, server: str, address: str, port: int, domain: str) -> SoaAnswer:
    """One SOA question straight to one server: its serial, or why there is none."""
    net.budget.spend(f"DNS {domain} SOA @{address}:{port}")
    answer = SoaAnswer(server, _label(address, port))
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


async def delegation(net: NetContext, apex: Apex) -> Delegation:
    """The SOA serial each NS host of the apex (or each of the run's resolvers) serves."""
    result = Delegation(apex.domain, list(apex.ns))
    addresses = [r.addresses for r in await asyncio.gather(*(resolve_host(net, ns) for ns in result.ns))]
    found = dict(zip(result.ns, addresses, strict=True))
    targets = [(ns, a[0], DNS_PORT) for ns, a in found.items() if a]
    unresolved = [SoaAnswer(ns, "", error="the NS host does not resolve") for ns, a in found.items() if not a]
    if not targets:
        result.direct, unresolved = False, []
        targets = [(_label(a, p), a, p) for a, p in resolvers(net)]
    asked = await asyncio.gather(*(soa_serial(net, s, a, p, apex.domain) for s, a, p in targets))
    result.answers = [*asked, *unresolved]
    return result
