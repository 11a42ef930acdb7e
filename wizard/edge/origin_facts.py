"""What a plan needs from the network: the certificate each host's ORIGIN serves, and the
response headers it sends (cf.security-headers adds only those it does not).

Full (strict) makes the edge verify the origin's certificate; switching to it in front of an
origin whose certificate is expired or for another name takes the site down (526). So before
planning it, each host's origin is asked directly, at the address its DNS record holds (CNAMEs
in the zone followed), with SNI the host's name and the sprint's CA bundle: the edge's answer
would say nothing about the origin.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import Literal

import httpx

from wizard.edge.draft import Draft
from wizard.edge.fix_dns import origin_address, partner
from wizard.edge.live_zone import LiveZone
from wizard.net import NetContext, NetRefused, close_stream
from wizard.sprint import SprintConfig

NEEDS_ORIGINS = frozenset({"cf.ssl-strict", "cf.hsts"})
NEEDS_HEADERS = frozenset({"cf.security-headers"})
Outcome = Literal["valid", "invalid", "no-tls", "unknown"]


@dataclass(frozen=True)
class OriginCert:
    host: str
    outcome: Outcome  # valid: verified for host; invalid: TLS but refused; no-tls; unknown: not asked
    detail: str = ""


@dataclass(frozen=True)
class PlanFacts:
    """Network facts plan_fixes cannot find itself (it does no I/O): host -> its origin's
    certificate; host -> the headers its origin's home page answers with (None: not reached)."""

    origins: dict[str, OriginCert] = field(default_factory=dict)
    headers: dict[str, dict[str, str] | None] = field(default_factory=dict)


async def gather_facts(net: NetContext, live: LiveZone, config: SprintConfig, fix_ids: list[str]) -> PlanFacts:
    """One TLS handshake per host in target.hosts when a requested fix needs it; none otherwise.
    A host without a record of its own is checked at its apex/www partner's origin, which is
    where cf.dns-apex / cf.dns-www would point it."""
    draft, hosts = Draft(live), config.target.hosts
    origins: dict[str, OriginCert] = {}
    headers: dict[str, dict[str, str] | None] = {}
    if NEEDS_ORIGINS & set(fix_ids):
        found = await asyncio.gather(*(_origin_cert(net, draft, config, h) for h in hosts))
        origins = {c.host: c for c in found}
    if NEEDS_HEADERS & set(fix_ids):
        answers = await asyncio.gather(*(_origin_headers(net, draft, config, h) for h in hosts))
        headers = dict(zip(hosts, answers, strict=True))
    return PlanFacts(origins=origins, headers=headers)


async def _origin_headers(net: NetContext, draft: Draft, config: SprintConfig,
                          host: str) -> dict[str, str] | None:
    """The headers of GET https://host/ asked of the host's origin directly (not the edge, whose
    answer carries the headers our own rule adds), lower-case names; None when not reached."""
    source = host if draft.web(host) else partner(config, host) or host
    address, _ = origin_address(draft, source)
    if address is None:
        return None
    port = net.route(host, 443)[1]
    try:
        net.check_scope(host)
        net.budget.spend(f"GET https://{host}/ at its origin {address}:{port}")
        async with httpx.AsyncClient(verify=net.ssl_context, timeout=net.timeout_s) as client:
            response = await client.get(f"https://{address}:{port}/", headers={"Host": host},
                                        extensions={"sni_hostname": host})
    except (NetRefused, httpx.HTTPError):
        return None
    return {k.lower(): v for k, v in response.headers.items()}


async def _origin_cert(net: NetContext, draft: Draft, config: SprintConfig, host: str) -> OriginCert:
    source = host if draft.web(host) else partner(config, host) or host
    address, how = origin_address(draft, source)
    if address is None:
        return OriginCert(host, "unknown", f"origin not found: {how}")
    port = net.route(host, 443)[1]
    try:
        net.check_scope(host)
        net.budget.spend(f"TLS handshake {host} at its origin {address}:{port}")
        async with asyncio.timeout(net.timeout_s):
            _, writer = await asyncio.open_connection(address, port, ssl=net.ssl_context, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        return OriginCert(host, "invalid", f"{address}: {exc.verify_message or exc.reason}")
    except NetRefused as exc:
        return OriginCert(host, "unknown", str(exc))
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return OriginCert(host, "no-tls", f"{address}:{port}: no TLS handshake ({type(exc).__name__})")
    await close_stream(writer, net.timeout_s)
    return OriginCert(host, "valid", f"{address}: certificate valid for {host}")
