"""The edge behaves as Cloudflare does for the zone's live settings and rules, seen through the
project's network context (sandbox DNS decides edge or origin, real TLS with the sandbox CA)."""

from __future__ import annotations

import re

from tests.sandbox.web_fixtures import DOMAIN, web  # noqa: F401 - the fixture

CACHE = "http_request_cache_settings"
REDIRECT = "http_request_dynamic_redirect"
RAY = re.compile(r"^[0-9a-f]{16}-SBX$")


def alice(token: str = "tok-alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_always_use_https_follows_the_live_setting(web):  # noqa: F811
    async with web.net() as net:
        plain = await net.http.get(f"http://{DOMAIN}/login?next=%2F")
        assert plain.status_code == 200
        web.set(always_use_https="on")
        moved = await net.http.get(f"http://{DOMAIN}/login?next=%2F")
        assert moved.status_code == 301
        assert moved.headers["location"] == f"https://{DOMAIN}/login?next=%2F"
        assert (await net.http.get(moved.headers["location"])).status_code == 200


async def test_hsts_is_sent_on_https_only_when_enabled(web):  # noqa: F811
    async with web.net() as net:
        assert "strict-transport-security" not in (await net.http.get(f"https://{DOMAIN}/")).headers
        web.set(security_header={"strict_transport_security": {
            "enabled": True, "max_age": 31536000, "include_subdomains": True, "preload": True,
            "nosniff": True}})
        secure = await net.http.get(f"https://{DOMAIN}/")
        assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
        assert secure.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in (await net.http.get(f"http://{DOMAIN}/")).headers


async def test_cf_ray_and_server_on_every_edge_response(web):  # noqa: F811
    web.set(always_use_https="on")
    async with web.net() as net, web.net("stray.example", web.via_edge("stray.example")) as stray:
        responses = [
            await net.http.get(f"https://{DOMAIN}/"),  # from the origin
            await net.http.get(f"http://{DOMAIN}/"),  # the edge's own redirect
            await net.http.get(f"https://{DOMAIN}/no-such-page"),  # the origin's 404
            await stray.http.get("http://stray.example/"),  # no zone: 1003
        ]
    assert [r.status_code for r in responses] == [200, 301, 404, 403]
    rays = [r.headers["cf-ray"] for r in responses]
    assert all(RAY.match(ray) for ray in rays) and len(set(rays)) == len(rays)
    assert all(r.headers["server"] == "cloudflare" for r in responses)


async def test_dns_only_host_reaches_the_origin_directly(web):  # noqa: F811
    async with web.net() as net:
        response = await net.http.get(f"https://api.{DOMAIN}/health")
    assert response.json() == {"status": "ok"}
    assert "cf-ray" not in response.headers


async def test_host_outside_every_zone_gets_error_1003(web):  # noqa: F811
    async with web.net("stray.example", web.via_edge("stray.example")) as net:
        response = await net.http.get("http://stray.example/")
    assert response.status_code == 403
    assert "Error 1003" in response.text and response.headers["cf-ray"] in response.text


async def test_zone_host_without_proxied_record_gets_error_1001(web):  # noqa: F811
    async with web.net(connect_to=web.via_edge(f"api.{DOMAIN}")) as net:
        response = await net.http.get(f"https://api.{DOMAIN}/health")
    assert response.status_code == 530
    assert "Error 1001" in response.text


async def test_redirect_rule_sends_www_to_the_apex_keeping_path_and_query(web):  # noqa: F811
    web.add_rule(REDIRECT, f'(http.host eq "www.{DOMAIN}")', "redirect", from_value={
        "status_code": 301, "preserve_query_string": True,
        "target_url": {"expression": f'concat("https://{DOMAIN}", http.request.uri.path)'}})
    async with web.net() as net:
        response = await net.http.get(f"https://www.{DOMAIN}/pricing/plans?ref=ad&x=1")
        assert response.status_code == 301
        assert response.headers["location"] == f"https://{DOMAIN}/pricing/plans?ref=ad&x=1"
        assert (await net.http.get(f"https://{DOMAIN}/pricing/plans")).status_code == 404  # apex untouched


async def test_first_matching_redirect_rule_wins(web):  # noqa: F811
    for target in ("/first", "/second"):
        web.add_rule(REDIRECT, '(http.request.uri.path in {"/old" "/older"})', "redirect",
                     from_value={"status_code": 302, "target_url": {"value": f"https://{DOMAIN}{target}"}})
    async with web.net() as net:
        response = await net.http.get(f"https://{DOMAIN}/older?x=1")
    assert (response.status_code, response.headers["location"]) == (302, f"https://{DOMAIN}/first")


async def test_cache_everything_serves_one_users_private_data_to_another(web):  # noqa: F811
    web.add_rule(CACHE, f'(http.host eq "{DOMAIN}")', "set_cache_settings",
                 cache=True, edge_ttl={"mode": "override_origin", "default": 3600})
    async with web.net() as net:
        first = await net.http.get(f"https://{DOMAIN}/api/me", headers=alice())
        second = await net.http.get(f"https://{DOMAIN}/api/me", headers=alice("tok-bob"))
    assert first.headers["cf-cache-status"] == "MISS"
    assert first.headers["cache-control"] == "private"
    assert second.headers["cf-cache-status"] == "HIT"
    assert second.json()["name"] == "Alice Martin"  # Bob sees Alice's profile


async def test_cache_rule_respecting_the_origin_does_not_store_private_responses(web):  # noqa: F811
    web.add_rule(CACHE, f'(http.host eq "{DOMAIN}")', "set_cache_settings", cache=True)
    async with web.net() as net:
        first = await net.http.get(f"https://{DOMAIN}/api/me", headers=alice())
        second = await net.http.get(f"https://{DOMAIN}/api/me", headers=alice("tok-bob"))
    assert [first.headers["cf-cache-status"], second.headers["cf-cache-status"]] == ["BYPASS", "BYPASS"]
    assert second.json()["name"] == "Bob Chen"


async def test_default_caching_is_static_files_only(web):  # noqa: F811
    async with web.net() as net:
        statuses = [(await net.http.get(f"https://{DOMAIN}{path}")).headers["cf-cache-status"]
                    for path in ("/static/app.js", "/static/app.js", "/", "/api/me")]
    assert statuses == ["MISS", "HIT", "DYNAMIC", "DYNAMIC"]


async def test_head_fills_the_cache_with_the_whole_response(web):  # noqa: F811
    async with web.net() as net:
        head = await net.http.head(f"https://{DOMAIN}/static/app.js")
        get = await net.http.get(f"https://{DOMAIN}/static/app.js")
    assert head.headers["cf-cache-status"] == "MISS" and head.content == b""
    assert get.headers["cf-cache-status"] == "HIT" and "/api/chat" in get.text
    assert get.headers["content-length"] == head.headers["content-length"]


async def test_cache_rule_can_bypass_static_files(web):  # noqa: F811
    web.add_rule(CACHE, '(http.request.uri.path eq "/static/app.js")', "set_cache_settings", cache=False)
    async with web.net() as net:
        statuses = [(await net.http.get(f"https://{DOMAIN}/static/app.js")).headers["cf-cache-status"]
                    for _ in range(2)]
    assert statuses == ["BYPASS", "BYPASS"]


async def test_automatic_https_rewrites_fix_the_mixed_content_image(web):  # noqa: F811
    async with web.net() as net:
        assert f'src="http://{DOMAIN}/static/hero.svg"' in (await net.http.get(f"https://{DOMAIN}/")).text
        web.set(automatic_https_rewrites="on")
        assert f'src="https://{DOMAIN}/static/hero.svg"' in (await net.http.get(f"https://{DOMAIN}/")).text
