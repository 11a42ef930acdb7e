"""What a plan needs from the network: the certificate each host's ORIGIN serves.

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

from wizard.edge.draft import Draft
from wizard.edge.fix_dns import origin_address, partner
from wizard.edge.live_zone import LiveZone
from wizard.net import NetContext, NetRefused, close_stream
from wizard.sprint import SprintConfig

NEEDS_ORIGINS = frozenset({"cf.ssl-strict", "cf.hsts"})
Outcome = Literal["valid", "invalid", "no-tls", "unknown"]


@dataclass(frozen=True)
class OriginCert:
    host: str
    outcome: Outcome  # valid: verified for host; invalid: TLS but refused; no-tls; unknown: not asked
    detail: str = ""


@dataclass(frozen=True)
class PlanFacts:
    """Network facts plan_fixes cannot find itself (it does no I/O): host -> its origin's certificate."""

    origins: dict[str, OriginCert] = field(default_factory=dict)


async def gather_facts(net: NetContext, live: LiveZone, config: SprintConfig, fix_ids: list[str]) -> PlanFacts:
    """One TLS handshake per host in target.hosts when a requested fix needs it; none otherwise.
    A host without a record of its own is checked at its apex/www partner's origin, which is
    where cf.dns-apex / cf.dns-www would point it."""
    if not NEEDS_ORIGINS & set(fix_ids):
        return PlanFacts()
    draft = Draft(live)
    found = await asyncio.gather(*(_origin_cert(net, draft, config, h) for h in config.target.hosts))
    return PlanFacts(origins={c.host: c for c in found})


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
