"""The demo's starting state has the launch blockers a real sprint meets, each observable the way
a visitor or a resolver sees it; fixing each through the official SDK turns it healthy."""

from __future__ import annotations

import socket
import ssl

import checkdmarc.dmarc
import checkdmarc.spf
import dns.nameserver
import dns.resolver
import httpx
import pytest
from cloudflare import Cloudflare

from tests.sandbox.web_fixtures import tls_client
from wizard.net import NetContext
from wizard.sandbox.demo import APP, DOMAIN
from wizard.sandbox.run import Sandbox

ALICE = {"Authorization": "Bearer tok-alice"}
BOB = {"Authorization": "Bearer tok-bob"}


@pytest.fixture
def demo(sprint, sandbox):
    """(sandbox, a maker of the demo sprint's net context, SDK client, zone id).

    A check run builds a fresh net context (no connection kept from before a change)."""
    config = sprint.load_config()
    cf = Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url, max_retries=0)
    zone_id = cf.zones.list(name=DOMAIN).result[0].id
    return sandbox, lambda: NetContext(config.network, DOMAIN, sprint.root), cf, zone_id


def resolver(sandbox: Sandbox) -> dns.resolver.Resolver:
    host, port = sandbox.dns.nameserver.split(":")
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [dns.nameserver.Do53Nameserver(host, int(port))]
    r.lifetime = 2
    r.cache = None
    return r


def record(cf: Cloudflare, zone_id: str, name: str, rtype: str):
    return cf.dns.records.list(zone_id=zone_id, name={"exact": name}, type=rtype).result[0]


async def test_www_missing_then_created(demo):
    sandbox, net, cf, zone_id = demo
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(sandbox).resolve(f"www.{DOMAIN}", "A")
    cf.dns.records.create(zone_id=zone_id, type="CNAME", name="www", content=DOMAIN, proxied=True, ttl=1)
    answer = resolver(sandbox).resolve(f"www.{DOMAIN}", "A")  # the very next answer
    assert [a.address for a in answer] == [sandbox.world.addresses.edge_ipv4]


async def test_apex_not_proxied_then_proxied(demo):
    sandbox, net, cf, zone_id = demo
    assert [a.address for a in resolver(sandbox).resolve(DOMAIN, "A")] == ["127.0.0.3"]
    async with net() as before:
        assert "cf-ray" not in (await before.http.get(f"https://{DOMAIN}/")).headers
    apex = record(cf, zone_id, DOMAIN, "A")
    cf.dns.records.edit(dns_record_id=apex.id, zone_id=zone_id, proxied=True, type="A",
                        name=DOMAIN, content=apex.content, ttl=1)
    assert [a.address for a in resolver(sandbox).resolve(DOMAIN, "A")] == ["127.0.0.2"]
    async with net() as after:
        assert (await after.http.get(f"https://{DOMAIN}/")).headers["cf-ray"].endswith("-SBX")


async def test_flexible_ssl_loops_behind_an_https_origin_until_strict(demo):
    sandbox, net, cf, zone_id = demo
    assert cf.zones.settings.get(setting_id="ssl", zone_id=zone_id).value == "flexible"
    sandbox.origin.options.redirect_http_to_https = True  # the app forces HTTPS itself
    async with net() as net:
        with pytest.raises(httpx.TooManyRedirects):
            await net.http.get(f"https://{APP}/", follow_redirects=True)
        cf.zones.settings.edit(setting_id="ssl", zone_id=zone_id, value="strict")
        # another page: the demo's cache-everything rule keeps serving the cached 301 for "/"
        assert (await net.http.get(f"https://{APP}/login")).status_code == 200


async def test_always_use_https_off_then_on(demo):
    sandbox, net, cf, zone_id = demo
    async with net() as net:
        assert (await net.http.get(f"http://{APP}/?q=1")).status_code == 200
        cf.zones.settings.edit(setting_id="always_use_https", zone_id=zone_id, value="on")
        moved = await net.http.get(f"http://{APP}/?q=1")
        assert (moved.status_code, moved.headers["location"]) == (301, f"https://{APP}/?q=1")


async def test_no_hsts_then_a_year(demo):
    sandbox, net, cf, zone_id = demo
    async with net() as net:
        assert "strict-transport-security" not in (await net.http.get(f"https://{APP}/")).headers
        cf.zones.settings.edit(setting_id="security_header", zone_id=zone_id, value={
            "strict_transport_security": {"enabled": True, "max_age": 31536000,
                                          "include_subdomains": False, "preload": False, "nosniff": True}})
        hsts = (await net.http.get(f"https://{APP}/")).headers["strict-transport-security"]
        assert hsts.startswith("max-age=31536000")


def test_tls_1_0_accepted_until_the_minimum_is_1_2(demo):
    sandbox, net, cf, zone_id = demo

    def handshake(newest: ssl.TLSVersion) -> str:
        address = (sandbox.world.addresses.edge_ipv4, sandbox.ports.https)
        with socket.create_connection(address, timeout=5) as raw:
            with tls_client(sandbox.ca, newest).wrap_socket(raw, server_hostname=APP) as tls:
                return tls.version()

    assert handshake(ssl.TLSVersion.TLSv1) == "TLSv1"
    cf.zones.settings.edit(setting_id="min_tls_version", zone_id=zone_id, value="1.2")
    with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
        handshake(ssl.TLSVersion.TLSv1_1)
    assert handshake(ssl.TLSVersion.TLSv1_3) == "TLSv1.3"


async def test_cached_private_response_until_bypassed(demo):
    sandbox, net, cf, zone_id = demo
    async with net() as net:
        await net.http.get(f"https://{APP}/api/me", headers=ALICE)
        leaked = await net.http.get(f"https://{APP}/api/me", headers=BOB)
        assert leaked.headers["cf-cache-status"] == "HIT" and "Alice" in leaked.text
        phase = cf.rulesets.phases.get(ruleset_phase="http_request_cache_settings", zone_id=zone_id)
        rules = [{"id": r.id, "expression": r.expression, "action": r.action,
                  "action_parameters": r.action_parameters.model_dump(exclude_none=True),
                  "description": r.description} for r in phase.rules]
        rules.append({"expression": '(http.request.uri.path eq "/api/me")',
                      "action": "set_cache_settings", "action_parameters": {"cache": False},
                      "description": "never cache the private API"})
        cf.rulesets.phases.update(ruleset_phase="http_request_cache_settings", zone_id=zone_id, rules=rules)
        fixed = await net.http.get(f"https://{APP}/api/me", headers=BOB)
        assert fixed.headers["cf-cache-status"] == "BYPASS" and "Bob" in fixed.text


def test_spf_over_ten_lookups_and_no_dmarc_until_fixed(demo):
    sandbox, net, cf, zone_id = demo
    host, port = sandbox.dns.nameserver.split(":")
    options = {"nameservers": [dns.nameserver.Do53Nameserver(host, int(port))],
               "resolver": resolver(sandbox), "timeout": 2}
    spf = checkdmarc.spf.check_spf(DOMAIN, **options)
    assert not spf["valid"] and "maximum DNS lookups" in spf["error"]
    assert checkdmarc.dmarc.check_dmarc(DOMAIN, **options)["error"] == "A DMARC record does not exist."
    txt = next(r for r in cf.dns.records.list(zone_id=zone_id, name={"exact": DOMAIN}, type="TXT").result
               if r.content.startswith("v=spf1"))
    cf.dns.records.edit(dns_record_id=txt.id, zone_id=zone_id, type="TXT", name=DOMAIN,
                        content="v=spf1 mx include:_spf.mailer.acme.example ~all", ttl=1)
    cf.dns.records.create(zone_id=zone_id, type="TXT", name="_dmarc", ttl=1,
                          content=f"v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}")
    checkdmarc.utils.DNS_CACHE.clear()
    assert checkdmarc.spf.check_spf(DOMAIN, **options)["valid"]
    assert checkdmarc.dmarc.check_dmarc(DOMAIN, **options)["record"].startswith("v=DMARC1")
