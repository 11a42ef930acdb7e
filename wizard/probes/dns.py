"""DNS lookups that keep their evidence: the answer chain, and why a name did not resolve."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Literal

import dns.exception
import dns.message
import dns.rdatatype
import dns.resolver

from wizard.net import NetContext

Outcome = Literal["ok", "nxdomain", "nodata", "timeout", "servfail"]
MAX_CNAME_HOPS = 8


@dataclass
class Resolution:
    """How a host resolved: `chain` lists every record on the way, in order."""

    host: str
    outcome: Outcome
    chain: list[dict] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def final_name(self) -> str:
        cnames = [r for r in self.chain if r["type"] == "CNAME"]
        return cnames[-1]["value"] if cnames else self.host

    def evidence(self) -> dict:
        return {"outcome": self.outcome, "chain": self.chain, "addresses": self.addresses,
                **({"detail": self.detail} if self.detail else {})}


def _records(response: dns.message.Message | None, chain: list[dict]) -> str | None:
    """Append the answer's records to the chain; return the last CNAME target, if any."""
    target = None
    if response is None:
        return None
    for rrset in response.answer:
        for rdata in rrset:
            entry = {"name": rrset.name.to_text(omit_final_dot=True),
                     "type": dns.rdatatype.to_text(rrset.rdtype), "ttl": rrset.ttl,
                     "value": rdata.to_text().rstrip(".")}
            if entry not in chain:
                chain.append(entry)
            if rrset.rdtype == dns.rdatatype.CNAME:
                target = rdata.target.to_text(omit_final_dot=True)
    return target


async def _lookup(net: NetContext, name: str, rdtype: str, chain: list[dict]) -> list[str]:
    """Addresses for name, chasing CNAMEs that the server did not chase itself (out of zone)."""
    for _hop in range(MAX_CNAME_HOPS):
        try:
            answer = await net.query(name, rdtype)
        except dns.resolver.NoAnswer as exc:
            target = _records(exc.response(), chain)
            if target is None or target.lower() == name.lower():
                raise
            name = target
            continue
        except dns.resolver.NXDOMAIN as exc:
            for response in exc.responses().values():
                _records(response, chain)
            raise
        _records(answer.response, chain)
        return [r.address for r in answer]
    raise dns.resolver.NoAnswer(f"more than {MAX_CNAME_HOPS} CNAME hops")


async def resolve_host(net: NetContext, host: str) -> Resolution:
    """A and AAAA for host (concurrently), with NXDOMAIN, NODATA and timeouts kept apart."""
    chains: dict[str, list[dict]] = {"A": [], "AAAA": []}
    results = await asyncio.gather(
        *(_lookup(net, host, t, chains[t]) for t in ("A", "AAAA")), return_exceptions=True
    )
    chain = chains["A"] + [r for r in chains["AAAA"] if r not in chains["A"]]
    addresses = [a for r in results if isinstance(r, list) for a in r]
    if addresses:
        return Resolution(host, "ok", chain, addresses)
    errors = [r for r in results if isinstance(r, BaseException)]
    for err in errors:
        if not isinstance(err, dns.exception.DNSException):
            raise err
    if any(isinstance(e, dns.exception.Timeout) for e in errors):
        return Resolution(host, "timeout", chain, detail=str(errors[0]))
    if any(isinstance(e, dns.resolver.NoNameservers) for e in errors):
        return Resolution(host, "servfail", chain, detail=str(errors[0]))
    if all(isinstance(e, dns.resolver.NXDOMAIN) for e in errors):
        return Resolution(host, "nxdomain", chain)
    return Resolution(host, "nodata", chain)
