"""TLS at the edge (the zone's minimum version) and the SSL modes toward the origin: flexible
loops behind an origin that forces HTTPS, strict refuses a bad origin certificate (526), full
accepts it, and an origin that is down gives 521."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from tests.sandbox.web_fixtures import DOMAIN, tls_client, web  # noqa: F401 - the fixture
from wizard.sandbox.ca import BadCert


def handshake(web, newest: ssl.TLSVersion, server_name: str = DOMAIN) -> str:  # noqa: F811
    """Connect to the edge's HTTPS port offering TLS 1.0..newest; the version agreed."""
    ctx = tls_client(web.ca, newest)
    with socket.create_connection((web.world.addresses.edge_ipv4, web.ports.https), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.version()


def test_old_tls_works_while_the_zone_allows_it(web):  # noqa: F811
    assert handshake(web, ssl.TLSVersion.TLSv1_1) == "TLSv1.1"


def test_min_tls_refuses_an_older_client_at_the_handshake(web):  # noqa: F811
    web.set(min_tls_version="1.2")
    with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
        handshake(web, ssl.TLSVersion.TLSv1_1)
    assert handshake(web, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"


def test_handshake_for_a_host_in_no_zone_is_refused(web):  # noqa: F811
    with pytest.raises((ssl.SSLError, ConnectionError)):
        handshake(web, ssl.TLSVersion.TLSv1_3, server_name="stray.example")


async def test_flexible_ssl_loops_behind_an_origin_that_forces_https(web):  # noqa: F811
    web.set(ssl="flexible")
    web.origin.options.redirect_http_to_https = True
    async with web.net() as net:
        response = await net.http.get(f"https://{DOMAIN}/")
        assert (response.status_code, response.headers["location"]) == (301, f"https://{DOMAIN}/")
        with pytest.raises(httpx.TooManyRedirects):
            await net.http.get(f"https://{DOMAIN}/", follow_redirects=True)
        web.set(ssl="full")  # the fix: the edge talks HTTPS to the origin
        assert (await net.http.get(f"https://{DOMAIN}/")).status_code == 200


@pytest.mark.parametrize("bad", list(BadCert))
async def test_strict_ssl_refuses_a_bad_origin_certificate_and_full_accepts_it(web, bad):  # noqa: F811
    web.origin.options.bad_cert = bad
    async with web.net() as net:
        web.set(ssl="strict")
        refused = await net.http.get(f"https://{DOMAIN}/health")
        assert refused.status_code == 526
        assert "Invalid SSL certificate" in refused.text
        web.set(ssl="full")
        assert (await net.http.get(f"https://{DOMAIN}/health")).json() == {"status": "ok"}


async def test_strict_ssl_with_a_good_origin_certificate(web):  # noqa: F811
    web.set(ssl="strict")
    async with web.net() as net:
        assert (await net.http.get(f"https://www.{DOMAIN}/health")).status_code == 200


async def test_origin_down_gives_521(web):  # noqa: F811
    web.origin.stop()
    async with web.net() as net:
        response = await net.http.get(f"https://{DOMAIN}/")
    assert response.status_code == 521
    assert "Error 521" in response.text and response.headers["server"] == "cloudflare"
