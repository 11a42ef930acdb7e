"""Shared fixtures: an isolated sprints home, a fresh sandbox per test, the demo sprint on it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from wizard.sandbox.dns import DnsServer
from wizard.sandbox.run import Sandbox
from wizard.sandbox.state import DnsRecord, World, new_id
from wizard.sprint import Sprint


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test gets its own sprints home; no test reads the user's real one."""
    path = tmp_path / "home"
    monkeypatch.setenv("LAUNCH_READY_HOME", str(path))
    for name in ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """The whole sandbox (DNS, Cloudflare API, edge, origin, CA) on free loopback ports, in the
    demo's starting state: www missing, so dns.resolves fails for it."""
    with Sandbox() as running:
        yield running


@pytest.fixture
def sprint(home, sandbox) -> Sprint:
    """The demo sprint, named acme, in the home, probing the sandbox (hosts: acme.example,
    www.acme.example, app.acme.example)."""
    return sandbox.write_demo_sprint(home / "acme", name="acme")


def zone_world(records: dict[tuple[str, str], list[str]], zone: str = "acme.example") -> World:
    """A World with one zone holding records {(name, type): [contents]}."""
    world = World()
    with world.lock:
        z = world.add_zone(zone)
        for (name, rtype), contents in records.items():
            for content in contents:
                r = DnsRecord(id=new_id(), type=rtype, name=name, content=content)
                z.records[r.id] = r
    return world


@contextmanager
def dns_for(records: dict[tuple[str, str], list[str]]) -> Iterator[DnsServer]:
    """Only the sandbox's DNS server, answering for the given records."""
    with DnsServer(zone_world(records)) as server:
        yield server


@contextmanager
def silent_nameserver() -> Iterator[str]:
    """A UDP port that swallows every query: a nameserver that never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"
