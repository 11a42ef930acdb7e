"""The Cloudflare API emulator for one test, on a free loopback port, driven by the official SDK."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from cloudflare import Cloudflare

from wizard.sandbox.cfapi import CloudflareAPI, Exchange
from wizard.sandbox.faults import Faults
from wizard.sandbox.state import World, Zone

TOKEN = "sandbox-token-all-permissions"


class FakeClock:
    """Monotonic seconds that only move when a test says so (rate-limit windows without waiting)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class CfApi:
    base_url: str
    world: World
    faults: Faults
    token: str
    zone: Zone
    api: CloudflareAPI
    clock: FakeClock
    exchanges: list[Exchange] = field(default_factory=list)

    def client(self, token: str | None = None, **options) -> Cloudflare:
        return Cloudflare(api_token=token or self.token, base_url=self.base_url,
                          max_retries=options.pop("max_retries", 0), timeout=options.pop("timeout", 10),
                          **options)


@pytest.fixture
def cf_api(monkeypatch) -> Iterator[CfApi]:
    """A running emulator with one Free-plan zone (acme.example) and a token holding every group."""
    for name in ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    world, faults, clock = World(), Faults(), FakeClock()
    zone = world.add_zone("acme.example")
    world.add_token(TOKEN)
    exchanges: list[Exchange] = []
    api = CloudflareAPI(world, faults, clock=clock, observer=exchanges.append).start()
    port = int(api.base_url.split(":")[2].split("/")[0])
    try:
        yield CfApi(api.base_url, world, faults, TOKEN, zone, api, clock, exchanges)
    finally:
        api.stop()
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the emulator still listens after stop()"
