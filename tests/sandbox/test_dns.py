"""The sandbox's authoritative DNS, queried by dnspython over real UDP and TCP."""

from __future__ import annotations

import dns.asyncresolver
import dns.message
import dns.nameserver
import dns.query
import dns.rcode
import dns.resolver
import pytest

from wizard.sandbox.dns import DnsServer
from wizard.sandbox.state import DnsRecord, World, new_id


def add(zone, rtype, name, content, **kw):
    record = DnsRecord(id=new_id(), type=rtype, name=name, content=content, **kw)
    zone.records[record.id] = record
    return record


@pytest.fixture
def world():
    world = World()
    zone = world.add_zone("acme.example")
    add(zone, "A", "acme.example", "127.0.0.3")
    add(zone, "CNAME", "app.acme.example", "acme.example")
    add(zone, "CNAME", "chain.acme.example", "app.acme.example")
    add(zone, "CNAME", "docs.acme.example", "acme.hosted-docs.example")
    add(zone, "A", "shop.acme.example", "127.0.0.3", proxied=True)
    add(zone, "MX", "acme.example", "mail.acme.example", priority=10)
    add(zone, "A", "deep.under.acme.example", "127.0.0.3")
    add(zone, "TXT", "acme.example", "v=spf1 -all")
    add(zone, "TXT", "big.acme.example", "k=rsa; p=" + "A" * 1500)
    add(zone, "CAA", "acme.example", "", data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"})
    return world


@pytest.fixture
def server(world):
    with DnsServer(world) as server:
        yield server


def resolver(server) -> dns.asyncresolver.Resolver:
    r = dns.asyncresolver.Resolver(configure=False)
    r.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", server.port)]
    r.lifetime = 2
    r.cache = None
    return r


async def test_cname_is_chased_inside_the_zone(server):
    answer = await resolver(server).resolve("chain.acme.example", "A")
    assert [r.address for r in answer] == ["127.0.0.3"]
    assert answer.canonical_name.to_text() == "acme.example."
    cnames = [rr for rr in answer.response.answer if rr.rdtype == dns.rdatatype.CNAME]
    assert len(cnames) == 2


async def test_out_of_zone_cname_is_left_to_the_resolver(server):
    with pytest.raises(dns.resolver.NoAnswer) as err:
        await resolver(server).resolve("docs.acme.example", "A")
    assert "acme.hosted-docs.example" in err.value.response().to_text()


async def test_nxdomain_and_nodata_are_distinct(server):
    r = resolver(server)
    with pytest.raises(dns.resolver.NXDOMAIN):
        await r.resolve("www.acme.example", "A")
    with pytest.raises(dns.resolver.NoAnswer):
        await r.resolve("acme.example", "AAAA")
    with pytest.raises(dns.resolver.NoAnswer):  # empty non-terminal: exists, no data
        await r.resolve("under.acme.example", "A")


async def test_proxied_names_answer_with_the_edge(server, world):
    answer = await resolver(server).resolve("shop.acme.example", "A")
    assert [r.address for r in answer] == [world.addresses.edge_ipv4]


async def test_a_change_shows_in_the_very_next_answer(server, world):
    r = resolver(server)
    with pytest.raises(dns.resolver.NXDOMAIN):
        await r.resolve("www.acme.example", "A")
    zone = world.zone_by_name("acme.example")
    with world.lock:
        add(zone, "CNAME", "www.acme.example", "acme.example", proxied=True)
    answer = await r.resolve("www.acme.example", "A")
    assert [a.address for a in answer] == [world.addresses.edge_ipv4]


async def test_large_answers_set_tc_and_come_over_tcp(server):
    query = dns.message.make_query("big.acme.example", "TXT")
    udp = dns.query.udp(query, "127.0.0.1", port=server.port, timeout=2)
    assert udp.flags & dns.flags.TC and not udp.answer
    answer = await resolver(server).resolve("big.acme.example", "TXT")  # falls back to TCP
    assert b"".join(answer[0].strings).startswith(b"k=rsa; p=AAAA")
    assert len(answer[0].strings) > 1  # split in <=255-byte strings


async def test_soa_ns_mx_txt_caa(server):
    r = resolver(server)
    assert (await r.resolve("acme.example", "SOA"))[0].mname.to_text() == "ada.ns.cloudflare.com."
    assert len(await r.resolve("acme.example", "NS")) == 2
    mx = (await r.resolve("acme.example", "MX"))[0]
    assert (mx.preference, mx.exchange.to_text()) == (10, "mail.acme.example.")
    assert (await r.resolve("acme.example", "TXT"))[0].strings == (b"v=spf1 -all",)
    caa = (await r.resolve("acme.example", "CAA"))[0]
    assert (caa.tag, caa.value) == (b"issue", b"letsencrypt.org")


def test_names_outside_every_zone_do_not_exist(server):
    response = dns.query.udp(dns.message.make_query("example.com", "A"), "127.0.0.1",
                             port=server.port, timeout=2)
    assert response.rcode() == dns.rcode.NXDOMAIN and not response.flags & dns.flags.AA


def test_stop_frees_the_port(world):
    server = DnsServer(world).start()
    port = server.port
    server.stop()
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", port))
