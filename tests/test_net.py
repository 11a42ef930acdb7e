"""The network context: real TLS with a test CA, DNS through our nameserver, connect_to,
scope and the request budget."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest
import trustme

from tests.conftest import dns_for
from wizard.addresses import parse_connect_to, parse_nameserver
from wizard.net import BudgetExhausted, NetContext, OutOfScope
from wizard.sprint import Network


@pytest.fixture
def ca():
    return trustme.CA()


async def _https_server(ca: trustme.CA, names: list[str]):
    """A tiny HTTPS server on 127.0.0.1 that echoes the Host header it was sent."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        host = next(line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
                    if line.lower().startswith(b"host:"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                     % (len(host), host))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    return server, server.sockets[0].getsockname()[1]


def _network(dns, port: int, ca_path, **kw) -> Network:
    return Network(nameservers=[dns.nameserver], connect_to=[f":443::{port}"],
                   ca_bundle=str(ca_path), timeout_s=2, **kw)


async def test_https_through_our_resolver_and_connect_to(tmp_path, ca):
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    server, port = await _https_server(ca, ["www.acme.example"])
    with dns_for({("www.acme.example", "A"): ["127.0.0.1"]}) as dns:
        async with server, NetContext(_network(dns, port, tmp_path / "ca.pem"), "acme.example") as net:
            response = await net.http.get("https://www.acme.example/")
            assert response.text == "www.acme.example"  # Host header kept
            assert net.budget.used == 3  # A and AAAA from our nameserver, then the request


async def test_certificate_is_verified_for_the_real_name(tmp_path, ca):
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    server, port = await _https_server(ca, ["other.acme.example"])
    with dns_for({("www.acme.example", "A"): ["127.0.0.1"]}) as dns:
        async with server, NetContext(_network(dns, port, tmp_path / "ca.pem"), "acme.example") as net:
            with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
                await net.http.get("https://www.acme.example/")


async def test_untrusted_ca_is_refused(tmp_path, ca):
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "other.pem"))
    server, port = await _https_server(ca, ["www.acme.example"])
    with dns_for({("www.acme.example", "A"): ["127.0.0.1"]}) as dns:
        async with server, NetContext(_network(dns, port, tmp_path / "other.pem"), "acme.example") as net:
            with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
                await net.http.get("https://www.acme.example/")


async def test_out_of_scope_hosts_are_refused_before_any_traffic():
    async with NetContext(Network(nameservers=["127.0.0.1:9"], timeout_s=1), "acme.example") as net:
        with pytest.raises(OutOfScope, match="outside acme.example"):
            await net.http.get("https://example.com/")
        assert net.budget.used == 0


async def test_request_budget_is_a_hard_cap():
    with dns_for({("acme.example", "A"): ["192.0.2.1"]}) as dns:
        network = Network(nameservers=[dns.nameserver], timeout_s=1, request_budget=2)
        async with NetContext(network, "acme.example") as net:
            await net.query("acme.example", "A")
            await net.query("acme.example", "A")
            with pytest.raises(BudgetExhausted, match="budget of 2 used up"):
                await net.query("acme.example", "A")
            assert net.budget.used == 2


async def test_large_answers_fall_back_to_tcp():
    many = [f"192.0.2.{i}" for i in range(1, 120)]
    with dns_for({("big.acme.example", "A"): many}) as dns:
        async with NetContext(Network(nameservers=[dns.nameserver], timeout_s=2), "acme.example") as net:
            answer = await net.query("big.acme.example", "A")
            assert len(answer) == len(many)  # 119 addresses do not fit in UDP: TC, then TCP
            assert net.budget.used == 1


def test_connect_to_follows_curl():
    rule = parse_connect_to(":443::8443")
    assert rule.matches("anything.acme.example", 443) and not rule.matches("x.acme.example", 80)
    assert rule.apply("www.acme.example", 443) == ("www.acme.example", 8443)
    rule = parse_connect_to("www.acme.example:443:[::1]:8443")
    assert rule.apply("www.acme.example", 443) == ("::1", 8443)
    with pytest.raises(ValueError, match="four fields"):
        parse_connect_to("www.acme.example:443")


def test_nameserver_specs():
    assert parse_nameserver("127.0.0.1:5353").port == 5353
    assert parse_nameserver("[::1]:5353").address == "::1"
    assert parse_nameserver("9.9.9.9").port == 53
    with pytest.raises(ValueError, match="not an IP address"):
        parse_nameserver("dns.example")


def test_a_missing_ca_bundle_is_a_clear_error(tmp_path):
    from wizard.errors import UsageError

    with pytest.raises(UsageError, match=r"network.ca_bundle .*missing.pem cannot be used"):
        NetContext(Network(ca_bundle="missing.pem"), "acme.example", tmp_path)
