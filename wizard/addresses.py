"""Host names, scope, nameserver and connect-to specs: parsed and validated in one place.

The setup screen, sprint.yaml validation and the network context all use these, so a value typed
in the TUI and the same value written by hand are accepted or refused alike.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_hostname(value: str) -> str:
    """Lower-case ASCII (punycode) host name, or ValueError saying why it is not one."""
    raw = value.strip()
    text = raw.rstrip(".").lower()
    if not text:
        raise ValueError("a host name is required")
    if "://" in text or "/" in text:
        raise ValueError(f"{raw!r} is a URL; give only the host name, e.g. www.acme.example")
    if ":" in text or is_ip(text):
        raise ValueError(f"{raw!r} is an address or has a port; give a host name, e.g. acme.example")
    if " " in text:
        raise ValueError(f"{raw!r} has a space in it")
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"{raw!r} is not a valid host name ({exc})") from None
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise ValueError(f"{raw!r} needs a dot: a host name looks like acme.example")
    if len(ascii_name) > 253:
        raise ValueError(f"{raw!r} is longer than 253 characters")
    for label in labels:
        if not _LABEL.match(label):
            raise ValueError(
                f"{raw!r}: label {label!r} may hold only letters, digits and inner hyphens (1-63)"
            )
    if labels[-1].isdigit():
        raise ValueError(f"{raw!r}: the last label cannot be all digits")
    return ascii_name


def in_scope(host: str, domain: str) -> bool:
    """True for the domain itself and any name under it."""
    host = host.rstrip(".").lower()
    domain = domain.rstrip(".").lower()
    return host == domain or host.endswith("." + domain)


def normalize_url(value: str, domain: str) -> str:
    """An http(s) URL whose host is inside the domain, with the host normalised."""
    raw = value.strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{raw!r} is not an http(s) URL, e.g. https://{domain}/")
    host = normalize_hostname(parts.hostname)
    if not in_scope(host, domain):
        raise ValueError(f"{raw!r} is outside {domain}; only the sprint's domain is checked")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return parts._replace(netloc=netloc, path=parts.path or "/").geturl()


LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: this machine, never the network."""
    bare = host.strip("[]").rstrip(".").lower()
    if bare in LOOPBACK_NAMES or bare.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def local_base_url(value: str | None) -> str:
    """A local API's base URL: http(s) on a loopback address (api.environment: local)."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or not is_loopback(parts.hostname):
        raise ValueError(f"api.environment local needs a loopback base_url such as "
                         f"http://localhost:8000 (got {value!r})")
    return value or ""


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Nameserver:
    address: str
    port: int = 53


def parse_nameserver(spec: str) -> Nameserver:
    """`ip`, `ip:port` or `[ipv6]:port`."""
    text = spec.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValueError(f"{spec!r}: missing ']' after the IPv6 address")
        port = rest[1:] if rest.startswith(":") else "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{spec!r} is not an IP address (use 'ip' or 'ip:port')") from None
    return Nameserver(host, _port(port, spec))


@dataclass(frozen=True)
class ConnectTo:
    """curl's --connect-to HOST1:PORT1:HOST2:PORT2; empty fields match anything / keep the value."""

    from_host: str
    from_port: int | None
    to_host: str
    to_port: int | None

    def matches(self, host: str, port: int) -> bool:
        host_ok = not self.from_host or self.from_host == host.lower()
        return host_ok and (self.from_port is None or self.from_port == port)

    def apply(self, host: str, port: int) -> tuple[str, int]:
        return (self.to_host or host, self.to_port or port)


def parse_connect_to(spec: str) -> ConnectTo:
    fields = _split_connect_to(spec.strip())
    if len(fields) != 4:
        raise ValueError(f"{spec!r} must have four fields HOST1:PORT1:HOST2:PORT2 (any may be empty)")
    h1, p1, h2, p2 = fields
    if h1:
        h1 = normalize_hostname(h1)
    if h2 and not is_ip(h2):
        h2 = normalize_hostname(h2)
    return ConnectTo(h1, _port(p1, spec) if p1 else None, h2.strip("[]"), _port(p2, spec) if p2 else None)


def _split_connect_to(text: str) -> list[str]:
    fields, current, depth = [], "", 0
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == ":" and depth == 0:
            fields.append(current)
            current = ""
        else:
            current += ch
    fields.append(current)
    return fields


def _port(text: str, spec: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{spec!r}: port {text!r} is not a number from 1 to 65535")
    return int(text)
