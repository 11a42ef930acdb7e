"""The sandbox's one live world: zones with their DNS records, settings, rulesets and bot
management, and the API tokens. The Cloudflare API emulator writes it; the DNS server and the
edge read it on every query and request, so a change made through the API shows at once.

All access goes through `World.lock` (the servers run in different threads).
"""

from __future__ import annotations

import copy
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def new_id() -> str:
    """Cloudflare ids are 32 lower-case hex characters."""
    return secrets.token_hex(16)


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


PROXIABLE_TYPES = frozenset({"A", "AAAA", "CNAME"})

# Zone settings the emulator serves, with Cloudflare's defaults for a new zone.
DEFAULT_SETTINGS: dict[str, Any] = {
    "ssl": "full",
    "always_use_https": "off",
    "min_tls_version": "1.0",
    "automatic_https_rewrites": "off",
    "security_header": {
        "strict_transport_security": {
            "enabled": False, "max_age": 0, "include_subdomains": False, "preload": False,
            "nosniff": False,
        }
    },
    "tls_1_3": "on",
    "security_level": "medium",
    "browser_check": "on",
}


@dataclass
class DnsRecord:
    id: str
    type: str
    name: str  # fully qualified, lower-case, no trailing dot
    content: str
    ttl: int = 1  # 1 = automatic
    proxied: bool = False
    priority: int | None = None  # MX
    comment: str | None = None
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None  # CAA and other structured types
    created_on: str = field(default_factory=timestamp)
    modified_on: str = field(default_factory=timestamp)

    @property
    def proxiable(self) -> bool:
        return self.type in PROXIABLE_TYPES


@dataclass
class Rule:
    id: str
    expression: str
    action: str
    action_parameters: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    enabled: bool = True
    ref: str | None = None
    version: str = "1"
    last_updated: str = field(default_factory=timestamp)
    ratelimit: dict[str, Any] | None = None  # http_ratelimit rules only


@dataclass
class Ruleset:
    """A phase entrypoint; every PUT makes a new version and the old ones are kept."""

    id: str
    phase: str
    rules: list[Rule] = field(default_factory=list)
    version: int = 1
    name: str = "default"
    description: str = ""
    last_updated: str = field(default_factory=timestamp)
    history: dict[int, list[Rule]] = field(default_factory=dict)
    history_updated: dict[int, str] = field(default_factory=dict)  # when each version was made


@dataclass
class Zone:
    id: str
    name: str
    plan: str = "free"  # decides which settings are editable
    account_id: str = field(default_factory=new_id)
    account_name: str = "Demo account"
    name_servers: list[str] = field(default_factory=lambda: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"])
    status: str = "active"
    created_on: str = field(default_factory=timestamp)
    records: dict[str, DnsRecord] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_SETTINGS))
    settings_modified: dict[str, str] = field(default_factory=dict)
    rulesets: dict[str, Ruleset] = field(default_factory=dict)  # by phase
    bot_management: dict[str, Any] = field(default_factory=lambda: {"fight_mode": False, "enable_js": False})
    healthchecks: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id (cfapi/healthchecks.py)
    dnssec: dict[str, Any] = field(default_factory=dict)  # cfapi/dnssec.py: status and when it changed

    def contains(self, hostname: str) -> bool:
        host = hostname.lower().rstrip(".")
        return host == self.name or host.endswith("." + self.name)

    def records_named(self, name: str, rtype: str | None = None) -> list[DnsRecord]:
        name = name.lower().rstrip(".")
        return [r for r in self.records.values()
                if r.name == name and (rtype is None or r.type == rtype)]

    def name_exists(self, name: str) -> bool:
        """True when the name or any name below it has a record (an empty non-terminal is NODATA)."""
        name = name.lower().rstrip(".")
        return name == self.name or any(
            r.name == name or r.name.endswith("." + name) for r in self.records.values())

    def rules(self, phase: str) -> list[Rule]:
        ruleset = self.rulesets.get(phase)
        return list(ruleset.rules) if ruleset else []


@dataclass
class Token:
    """An API token: its value, status, and the permission groups it carries."""

    value: str
    id: str = field(default_factory=new_id)
    status: str = "active"
    permissions: frozenset[str] = frozenset()
    expires_on: str | None = None


# Permission groups as Cloudflare names them; each emulator endpoint needs one.
ALL_PERMISSIONS = frozenset({
    "Zone Read", "DNS Read", "DNS Write", "Zone Settings Read", "Zone Settings Write",
    "Dynamic Redirect Read", "Dynamic Redirect Write", "Cache Rules Read", "Cache Rules Write",
    "Bot Management Read", "Bot Management Write",
    "Health Checks Read", "Health Checks Write", "Notifications Read", "Notifications Write",
    "Zone WAF Read", "Zone WAF Write", "Transform Rules Read", "Transform Rules Write",
})


@dataclass
class Addresses:
    """Where the sandbox's pretend internet lives on loopback."""

    edge_ipv4: str = "127.0.0.2"
    origin_ipv4: str = "127.0.0.3"


class World:
    def __init__(self, addresses: Addresses | None = None):
        self.lock = threading.RLock()
        self.zones: dict[str, Zone] = {}
        self.tokens: dict[str, Token] = {}
        self.policies: dict[str, dict[str, dict[str, Any]]] = {}  # account id -> notification policies by id
        self.addresses = addresses or Addresses()

    def add_zone(self, name: str, plan: str = "free") -> Zone:
        with self.lock:
            zone = Zone(id=new_id(), name=name.lower().rstrip("."), plan=plan)
            self.zones[zone.id] = zone
            return zone

    def add_token(self, value: str, permissions: frozenset[str] = ALL_PERMISSIONS, **kw) -> Token:
        with self.lock:
            token = Token(value=value, permissions=frozenset(permissions), **kw)
            self.tokens[value] = token
            return token

    def zone_for(self, hostname: str) -> Zone | None:
        """The most specific zone that holds hostname."""
        with self.lock:
            matches = [z for z in self.zones.values() if z.contains(hostname)]
            return max(matches, key=lambda z: len(z.name)) if matches else None

    def zone_by_name(self, name: str) -> Zone | None:
        with self.lock:
            return next((z for z in self.zones.values() if z.name == name.lower().rstrip(".")), None)
