"""Shared fixtures: an isolated sprints home, a local DNS server, a ready sprint on it."""

from __future__ import annotations

import pytest

from tests.fakedns import FakeDNS
from wizard.sprint import Network, Sprint, SprintConfig

DEMO_RECORDS = {
    ("acme.example", "A"): ["192.0.2.10"],
    ("acme.example", "AAAA"): ["2001:db8::10"],
    ("app.acme.example", "CNAME"): ["acme.example."],
    ("api.acme.example", "A"): ["192.0.2.20"],
}


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test gets its own sprints home; no test reads the user's real one."""
    path = tmp_path / "home"
    monkeypatch.setenv("LAUNCH_READY_HOME", str(path))
    return path


@pytest.fixture
def dns_server():
    """A DNS server for acme.example where www does not exist (a launch blocker)."""
    with FakeDNS(DEMO_RECORDS) as server:
        yield server


@pytest.fixture
def sprint(home, dns_server) -> Sprint:
    """A sprint named acme in the home, resolving through dns_server."""
    config = SprintConfig.starter("acme", "acme.example")
    config.target.hosts = ["acme.example", "www.acme.example", "app.acme.example"]
    config.network = Network(nameservers=[dns_server.nameserver], timeout_s=2)
    return Sprint.create(home / "acme", config)
