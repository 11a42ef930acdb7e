"""The whole sandbox in one object: DNS, the Cloudflare API, the edge, the origin (with the demo
product's API mounted, `sandbox.product`), an alert receiver (`sandbox.alerts`: webhook and SMTP
sink) and a CA on loopback, started together and stopped together (nothing left listening), plus
the demo sprint that points at them."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from wizard.sandbox.agent import CredentialAgent
from wizard.sandbox.alert_sink import AlertSink
from wizard.sandbox.ca import SandboxCA, zone_names
from wizard.sandbox.cfapi import CloudflareAPI
from wizard.sandbox.demo import APP, DEMO_TOKEN, DOMAIN, build_world
from wizard.sandbox.demo_sections import (
    api_section,
    monitoring_section,
    release_section,
    write_env_files,
)
from wizard.sandbox.dns import DnsServer
from wizard.sandbox.edge import Edge
from wizard.sandbox.faults import Faults
from wizard.sandbox.http_server import Ports, free_ports
from wizard.sandbox.origin import Origin
from wizard.sandbox.product import Product
from wizard.sandbox.state import World
from wizard.sprint import CloudflareConfig, Email, Network, Sprint, SprintConfig, Target
from wizard.vault import CREDENTIALS

CA_FILE = "sandbox-ca.pem"

_Part = TypeVar("_Part")


def _started(part: _Part | None) -> _Part:
    """A part of a started sandbox (they are None before start() and after stop())."""
    if part is None:
        raise RuntimeError("the sandbox is not started")
    return part


class Sandbox:
    """`with Sandbox() as sb:` runs the demo world; pass `world` to run another one."""

    def __init__(self, faults: Faults | None = None, world: World | None = None):
        self.faults = faults or Faults()
        self.world = world or build_world()
        self.token = DEMO_TOKEN
        self.ca = SandboxCA()
        self.ports: Ports | None = None
        self.dns: DnsServer | None = None
        self.api: CloudflareAPI | None = None
        self.origin: Origin | None = None
        self.product: Product | None = None
        self.edge: Edge | None = None
        self.alerts: AlertSink | None = None
        self.agent: CredentialAgent | None = None

    def start(self) -> Sandbox:
        try:
            addresses = self.world.addresses
            self.ports = free_ports([addresses.edge_ipv4, addresses.origin_ipv4])
            self.dns = DnsServer(self.world, self.faults).start()
            self.api = CloudflareAPI(self.world, self.faults).start()
            self.origin = Origin(self.ca, self.ports, addresses.origin_ipv4, zone_names(DOMAIN), self.faults)
            self.product = Product().mount(self.origin)
            self.origin.start()
            self.edge = Edge(self.world, self.ca, self.ports).start()
            self.alerts = AlertSink().start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for part in (self.agent, self.alerts, self.edge, self.origin, self.api, self.dns):
            if part is not None:
                part.stop()
        if self.product is not None:
            self.product.stop()
        self.agent = self.alerts = self.edge = self.origin = self.product = self.api = self.dns = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def credential_values(self) -> dict[str, str]:
        """The demo's credentials by vault name: the emulator's token, the product's test
        accounts (bearer tokens), its webhook signing secret and system prompt canary, and the
        alert receiver's webhook URL."""
        product, alerts = _started(self.product), _started(self.alerts)
        return {"cloudflare-token": self.token, "user-a": "tok-alice", "user-b": "tok-bob",
                "admin": "tok-admin", "webhook-secret": product.webhook_secret,
                "prompt-canary": product.canary, "alert-webhook": alerts.webhook_url()}

    def credentials(self) -> dict[str, str]:
        """The same as the environment variables the vault reads (the CI path; tests); a
        credential with no environment variable (keyring only) has no entry."""
        return {env: value for name, value in self.credential_values().items()
                if (env := CREDENTIALS[name].env) is not None}

    def share_credentials(self, sprint: Sprint) -> None:
        """Answer for the demo's credentials to this user's launch-ready processes reading
        `sprint` (wizard.sandbox.agent), until the sandbox stops."""
        self.agent = CredentialAgent(sprint.root, self.credential_values()).start()

    def endpoints(self) -> dict[str, str]:
        addresses = self.world.addresses
        ports, alerts = _started(self.ports), _started(self.alerts)
        return {
            "dns": _started(self.dns).nameserver,
            "cloudflare_api": _started(self.api).base_url,
            "edge": f"{addresses.edge_ipv4} http:{ports.http} https:{ports.https}",
            "origin": f"{addresses.origin_ipv4} http:{ports.http} https:{ports.https}",
            # the webhook URL itself is the demo's alert-webhook credential: not printed
            "alerts": f"{alerts.address} webhook:{alerts.webhook_port} smtp:{alerts.smtp_port}",
        }

    def network(self, ca_bundle: str) -> Network:
        """The `network:` section that sends a sprint's probes into the sandbox."""
        ports = _started(self.ports)
        return Network(
            nameservers=[_started(self.dns).nameserver],
            connect_to=[f":80::{ports.http}", f":443::{ports.https}"],
            ca_bundle=ca_bundle,
            timeout_s=5,
            request_budget=3000,  # a full run with the API, red-team and latency probes
        )

    def demo_config(self, name: str = "demo") -> SprintConfig:
        return SprintConfig(
            name=name,
            target=Target(
                domain=DOMAIN,
                canonical=DOMAIN,
                hosts=[DOMAIN, f"www.{DOMAIN}", APP],
                pages=[f"https://{DOMAIN}/"],
                private_urls=[f"https://{APP}/api/me"],
            ),
            email=Email(sends_mail=True),
            cloudflare=CloudflareConfig(zone=DOMAIN, api_base_url=_started(self.api).base_url),
            network=self.network(CA_FILE),
            api=api_section(_started(self.product)),
            monitoring=monitoring_section(),
            release=release_section(),
        )

    def write_demo_sprint(self, root: Path, name: str = "demo") -> Sprint:
        """Create the demo sprint, or point an existing one at this run's ports (answers, notes
        and decisions in its progress.yaml are kept)."""
        root = Path(root)
        config = self.demo_config(name)
        if (root / "sprint.yaml").exists():
            sprint = Sprint(root)
            sprint.load_config()  # a file we cannot read is reported, never overwritten
            sprint.save_config(config)
        else:
            sprint = Sprint.create(root, config)
        self.ca.write_pem(sprint.root / CA_FILE)
        write_env_files(sprint.root)
        return sprint
