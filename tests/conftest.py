"""Shared fixtures: an isolated sprints home, a fresh sandbox per test, the demo sprint on it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.core
import pytest

from wizard.sandbox.dns import DnsServer
from wizard.sandbox.run import Sandbox
from wizard.sandbox.state import DnsRecord, World, new_id
from wizard.sprint import Sprint

NO_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test gets its own sprints home and no keyring (unless it asks for `real_keyring`):
    no test reads or writes the user's real ones."""
    path = tmp_path / "home"
    monkeypatch.setenv("LAUNCH_READY_HOME", str(path))
    for name in ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    keyring.core.init_backend()
    yield path
    keyring.core.init_backend()


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A real Secret Service for the session: a private D-Bus session bus with gnome-keyring's
    secrets component, unlocked, in a throw-away HOME. Fails (never skips) when the parts are
    missing: `.ci/run` installs dbus and gnome-keyring."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon", "gdbus"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install dbus gnome-keyring libglib2.0-bin"
    base = tmp_path_factory.mktemp("keyring-home")
    env = {**os.environ, "HOME": str(base), "XDG_RUNTIME_DIR": str(base),
           "XDG_DATA_HOME": str(base / "data")}
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock",
                               "--components=secrets"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    daemon.stdin.write(b"test-keyring-password")
    daemon.stdin.close()
    subprocess.run(["gdbus", "wait", "--session", "--timeout", "20", "org.freedesktop.secrets"],
                   env=env, check=True, timeout=30)
    try:
        yield {"DBUS_SESSION_BUS_ADDRESS": address, "HOME": env["HOME"],
               "XDG_RUNTIME_DIR": env["XDG_RUNTIME_DIR"], "XDG_DATA_HOME": env["XDG_DATA_HOME"]}
    finally:
        daemon.terminate()
        bus.terminate()
        daemon.wait(timeout=10)
        bus.wait(timeout=10)


@pytest.fixture
def real_keyring(secret_service, monkeypatch):
    """The real Secret Service keyring (gnome-keyring over D-Bus) for this test."""
    for name, value in secret_service.items():
        if name != "HOME":  # the sprints home and the rest of the test keep their own HOME
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    keyring.core.init_backend()
    backend = keyring.get_keyring()
    assert type(backend).__module__ == "keyring.backends.SecretService", backend
    yield backend
    collection = backend.get_preferred_collection()  # each test starts from an empty keyring
    for item in collection.search_items({"service": "launch-ready"}):
        item.delete()


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
