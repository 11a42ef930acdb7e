"""The web side of the sandbox running for a test: a World with acme.example, the sandbox DNS
server, the origin and the edge on loopback, and NetContexts that reach them the way a sprint
does (real DNS over UDP, connect_to to the sandbox's ports, the sandbox CA trusted)."""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wizard.net import NetContext
from wizard.sandbox.ca import SandboxCA, zone_names
from wizard.sandbox.dns import DnsServer
from wizard.sandbox.edge import Edge
from wizard.sandbox.http_server import Ports, free_ports
from wizard.sandbox.origin import Origin
from wizard.sandbox.state import DnsRecord, Rule, Ruleset, World, Zone, new_id
from wizard.sprint import Network

DOMAIN = "acme.example"


def add_record(zone: Zone, rtype: str, name: str, content: str, **kw) -> DnsRecord:
    record = DnsRecord(id=new_id(), type=rtype, name=name, content=content, **kw)
    zone.records[record.id] = record
    return record


@dataclass
class Web:
    world: World
    zone: Zone
    ca: SandboxCA
    ca_pem: Path
    ports: Ports
    dns: DnsServer
    origin: Origin
    edge: Edge

    def net(self, domain: str = DOMAIN, connect_to: list[str] | None = None) -> NetContext:
        """A network context like the demo sprint's: sandbox DNS, the sandbox ports, the CA."""
        moves = [f":80::{self.ports.http}", f":443::{self.ports.https}"]
        network = Network(nameservers=[self.dns.nameserver], connect_to=(connect_to or []) + moves,
                          ca_bundle=str(self.ca_pem), timeout_s=5)
        return NetContext(network, domain)

    def via_edge(self, host: str) -> list[str]:
        """connect_to rules sending host to the edge whatever DNS says."""
        edge = self.world.addresses.edge_ipv4
        return [f"{host}:80:{edge}:{self.ports.http}", f"{host}:443:{edge}:{self.ports.https}"]

    def set(self, **settings: Any) -> None:
        """Change zone settings as the API emulator would."""
        with self.world.lock:
            self.zone.settings.update(settings)

    def add_rule(self, phase: str, expression: str, action: str, **params: Any) -> None:
        with self.world.lock:
            ruleset = self.zone.rulesets.setdefault(phase, Ruleset(id=new_id(), phase=phase))
            ruleset.rules.append(Rule(id=new_id(), expression=expression, action=action,
                                      action_parameters=params))


@pytest.fixture
def web(tmp_path):
    """acme.example proxied (apex, www, app); api.acme.example DNS-only, straight to the origin."""
    world = World()
    with world.lock:
        zone = world.add_zone(DOMAIN)
        origin_ip = world.addresses.origin_ipv4
        add_record(zone, "A", DOMAIN, origin_ip, proxied=True)
        add_record(zone, "CNAME", f"www.{DOMAIN}", DOMAIN, proxied=True)
        add_record(zone, "CNAME", f"app.{DOMAIN}", DOMAIN, proxied=True)
        add_record(zone, "A", f"api.{DOMAIN}", origin_ip, proxied=False)
    ca = SandboxCA()
    ports = free_ports([world.addresses.edge_ipv4, world.addresses.origin_ipv4])
    origin = Origin(ca, ports, world.addresses.origin_ipv4, zone_names(DOMAIN))
    edge = Edge(world, ca, ports)
    with DnsServer(world) as dns, origin, edge:
        yield Web(world, zone, ca, ca.write_pem(tmp_path / "ca.pem"), ports, dns, origin, edge)


def tls_client(ca: SandboxCA, newest: ssl.TLSVersion) -> ssl.SSLContext:
    """A client trusting the sandbox CA that offers TLS 1.0 up to `newest` (security level 0,
    which Debian's OpenSSL needs before it will speak TLS 1.0 or 1.1 at all)."""
    ctx = ssl.create_default_context(cadata=ca.cert_pem.decode())
    ctx.set_ciphers("DEFAULT@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = newest
    return ctx
