"""The domain's mail authentication records: SPF and DMARC through checkdmarc, DKIM keys directly.

checkdmarc is synchronous and keeps process-wide caches whose keys leave out the nameserver, so
each evaluation clears them and runs in a worker thread under one lock, with a deadline. Only its
check_spf and check_dmarc are used: neither fetches over HTTP (its MTA-STS, BIMI and SMTP probes,
which would leave the scope, are never called). Every DNS question it asks is spent from the
run's request budget through the resolver handed to it.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import checkdmarc.dmarc
import checkdmarc.dnssec
import checkdmarc.smtp
import checkdmarc.spf
import checkdmarc.utils
import dns.exception
import dns.nameserver
import dns.resolver

from wizard.net import NetContext

_CHECKDMARC_LOCK = threading.Lock()  # its caches are process-wide: one evaluation at a time
_CACHE_MODULES = (checkdmarc.utils, checkdmarc.dnssec, checkdmarc.smtp, checkdmarc.spf, checkdmarc.dmarc)


class _BudgetedResolver(dns.resolver.Resolver):
    """The sprint's nameservers, with every question counted against the run's budget."""

    def __init__(self, net: NetContext):
        super().__init__(configure=not net.nameservers)
        if net.nameservers:
            self.nameservers = [dns.nameserver.Do53Nameserver(ns.address, ns.port)
                                for ns in net.nameservers]
            self.port = net.nameservers[0].port
        self.timeout = min(1.0, net.timeout_s)  # retry a lost UDP datagram within the lifetime
        self.lifetime = net.timeout_s
        self.cache = None
        self._budget = net.budget

    def resolve(self, qname, rdtype="A", *args, **kwargs):
        self._budget.spend(f"DNS {qname} {rdtype} (SPF/DMARC)")
        return super().resolve(qname, rdtype, *args, **kwargs)


def clear_checkdmarc_caches() -> None:
    for module in _CACHE_MODULES:
        for value in vars(module).values():
            if isinstance(value, checkdmarc.utils.ExpiringDict):
                value.clear()


@dataclass(frozen=True)
class MailPolicy:
    spf: dict[str, Any]
    dmarc: dict[str, Any]


def _evaluate(net: NetContext, domain: str) -> MailPolicy:
    resolver = _BudgetedResolver(net)
    options = {"resolver": resolver, "timeout": net.timeout_s, "retries": 0,
               "nameservers": list(resolver.nameservers) if net.nameservers else None}
    with _CHECKDMARC_LOCK:
        clear_checkdmarc_caches()
        spf = checkdmarc.spf.check_spf(domain, **options)
        dmarc = checkdmarc.dmarc.check_dmarc(domain, **options)
    return MailPolicy(spf=dict(spf), dmarc=dict(dmarc))


async def mail_policy(net: NetContext, domain: str) -> MailPolicy:
    """SPF and DMARC as checkdmarc reads them through the sprint's nameservers.

    SPF may take a dozen serial lookups; the deadline leaves room for them (the thread itself
    ends when its resolver's lifetime runs out)."""
    async with asyncio.timeout(net.timeout_s * 2):
        return await asyncio.to_thread(_evaluate, net, domain)


@dataclass(frozen=True)
class DkimKey:
    selector: str
    name: str
    outcome: str  # "key", "revoked" (empty p=), "not-dkim", "missing", "timeout", "servfail"
    record: str = ""


async def dkim_key(net: NetContext, domain: str, selector: str) -> DkimKey:
    """The TXT record at <selector>._domainkey.<domain>; long keys come split in several
    strings, which are joined before reading the p= tag."""
    name = f"{selector}._domainkey.{domain}"
    try:
        answer = await net.query(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return DkimKey(selector, name, "missing")
    except dns.exception.Timeout:
        return DkimKey(selector, name, "timeout")
    except dns.exception.DNSException:
        return DkimKey(selector, name, "servfail")
    records = [b"".join(r.strings).decode("utf-8", "replace") for r in answer]
    for record in records:
        tags = dict(part.strip().partition("=")[::2] for part in record.split(";") if "=" in part)
        tags = {k.strip().lower(): v.strip() for k, v in tags.items()}
        if "p" in tags:
            return DkimKey(selector, name, "key" if tags["p"] else "revoked", record)
    return DkimKey(selector, name, "not-dkim", records[0] if records else "")
