"""The edge enforces custom rules, rate limiting rules and response header transforms set through
the API emulator with the official SDK, on live HTTPS traffic; rate limiting windows move on an
injected clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cloudflare import Cloudflare

from tests.sandbox.conftest import FakeClock
from tests.sandbox.web_fixtures import DOMAIN, Web, web  # noqa: F401 - the fixture
from wizard.sandbox.cfapi import CloudflareAPI

TOKEN = "edge-rules-token"
LIMIT = {"characteristics": ["ip.src", "cf.colo.id"], "period": 10, "requests_per_period": 5,
         "mitigation_timeout": 10}


@dataclass
class Site:
    web: Web
    client: Cloudflare
    clock: FakeClock
    zone_id: str

    def rules(self, phase: str, *rules: dict[str, Any]) -> None:
        self.client.rulesets.phases.update(phase, zone_id=self.zone_id, rules=list(rules))


@pytest.fixture
def site(web, monkeypatch) -> Iterator[Site]:  # noqa: F811
    """The web sandbox with the API emulator on its World and the edge on a FakeClock."""
    for name in ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    web.world.add_token(TOKEN)
    web.edge.clock = clock = FakeClock()
    with CloudflareAPI(web.world) as api:
        client = Cloudflare(api_token=TOKEN, base_url=api.base_url, max_retries=0, timeout=10)
        yield Site(web, client, clock, web.zone.id)


async def test_rate_limit_blocks_with_429_and_retry_after_then_recovers(site):
    site.rules("http_ratelimit", {"action": "block", "expression": 'http.request.uri.path eq "/login"',
                                  "ratelimit": LIMIT})
    async with site.web.net() as net:
        allowed = [(await net.http.get(f"https://{DOMAIN}/login")).status_code for _ in range(5)]
        limited = await net.http.get(f"https://{DOMAIN}/login")
        assert allowed == [200] * 5
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "10")
        assert "Error 1015" in limited.text and limited.headers["cf-ray"] in limited.text
        assert (await net.http.get(f"https://{DOMAIN}/")).status_code == 200  # another path
        site.clock.advance(4)
        assert (await net.http.get(f"https://{DOMAIN}/login")).headers["retry-after"] == "6"
        site.clock.advance(6)
        assert (await net.http.get(f"https://{DOMAIN}/login")).status_code == 200


async def test_challenge_rate_limit_throttles_until_the_window_ends(site):
    site.rules("http_ratelimit", {"action": "managed_challenge", "expression": 'http.request.uri.path eq "/"',
                                  "ratelimit": {**LIMIT, "requests_per_period": 2, "mitigation_timeout": 0}})
    async with site.web.net() as net:
        statuses = [(await net.http.get(f"https://{DOMAIN}/")).status_code for _ in range(3)]
        challenged = await net.http.get(f"https://{DOMAIN}/")
        site.clock.advance(10)
        after = await net.http.get(f"https://{DOMAIN}/")
    assert statuses == [200, 200, 403]
    assert challenged.headers["cf-mitigated"] == "challenge" and "retry-after" not in challenged.headers
    assert after.status_code == 200


async def test_requests_to_origin_counts_only_what_the_cache_did_not_answer(site):
    site.rules("http_ratelimit", {"action": "block", "expression": 'http.request.uri.path eq "/static/app.js"',
                                  "ratelimit": {**LIMIT, "requests_per_period": 1, "requests_to_origin": True}})
    async with site.web.net() as net:
        served = [(await net.http.get(f"https://{DOMAIN}/static/app.js")).headers["cf-cache-status"]
                  for _ in range(4)]
        site.web.edge.cache.purge()
        second_miss = await net.http.get(f"https://{DOMAIN}/static/app.js")  # counted 2: mitigation starts
        blocked = await net.http.get(f"https://{DOMAIN}/static/app.js")
    assert served == ["MISS", "HIT", "HIT", "HIT"]
    assert second_miss.status_code == 200
    assert blocked.status_code == 429


async def test_custom_rules_block_challenge_and_log(site):
    site.rules("http_request_firewall_custom",
               {"action": "log", "expression": "true"},
               {"action": "block", "expression": 'starts_with(http.request.uri.path, "/admin")'},
               {"action": "js_challenge", "expression": 'http.request.uri.path wildcard "/wp-*"'},
               {"action": "block", "expression": 'http.request.uri.path eq "/api/me"', "action_parameters": {
                   "response": {"status_code": 418, "content": '{"error": "no"}',
                                "content_type": "application/json"}}})
    async with site.web.net() as net:
        blocked = await net.http.get(f"https://{DOMAIN}/admin/users")
        challenged = await net.http.get(f"https://{DOMAIN}/wp-login.php")
        custom = await net.http.get(f"https://{DOMAIN}/api/me")
        passed = await net.http.get(f"https://{DOMAIN}/")
    assert blocked.status_code == 403 and "Error 1020" in blocked.text
    assert blocked.headers["cf-ray"] in blocked.text and "cf-mitigated" not in blocked.headers
    assert (challenged.status_code, challenged.headers["cf-mitigated"]) == (403, "challenge")
    assert (custom.status_code, custom.json()) == (418, {"error": "no"})
    assert passed.status_code == 200


async def test_skip_ends_the_custom_rules_or_skips_rate_limiting(site):
    site.rules("http_request_firewall_custom",
               {"action": "skip", "expression": 'http.request.uri.path eq "/health"',
                "action_parameters": {"ruleset": "current"}},
               {"action": "skip", "expression": 'http.request.uri.path eq "/login"',
                "action_parameters": {"phases": ["http_ratelimit"]}},
               {"action": "block", "expression": 'http.request.uri.path in {"/" "/health"}'})
    site.rules("http_ratelimit", {"action": "block", "expression": 'http.request.uri.path eq "/login"',
                                  "ratelimit": {**LIMIT, "requests_per_period": 1}})
    async with site.web.net() as net:
        health = await net.http.get(f"https://{DOMAIN}/health")
        home = await net.http.get(f"https://{DOMAIN}/")
        logins = [(await net.http.get(f"https://{DOMAIN}/login")).status_code for _ in range(3)]
    assert (health.status_code, home.status_code) == (200, 403)
    assert logins == [200, 200, 200]


async def test_response_header_transforms_set_add_and_remove(site):
    site.rules("http_response_headers_transform",
               {"action": "rewrite", "expression": "true", "action_parameters": {"headers": {
                   "Cache-Control": {"operation": "set", "value": "private, max-age=60"},
                   "X-Frame-Options": {"operation": "set", "value": "DENY"},
                   "Link": {"operation": "add", "value": "</static/app.js>; rel=preload"}}}},
               {"action": "rewrite", "expression": 'http.request.uri.path eq "/static/app.js"',
                "action_parameters": {"headers": {
                    "Cache-Control": {"operation": "remove"},
                    "Link": {"operation": "add", "expression": 'concat("<https://", http.host, "/>")'}}}})
    async with site.web.net() as net:
        health = await net.http.get(f"https://{DOMAIN}/health")  # the origin sends no-store
        first = await net.http.get(f"https://{DOMAIN}/static/app.js")
        hit = await net.http.get(f"https://{DOMAIN}/static/app.js")
    assert health.headers["cache-control"] == "private, max-age=60"
    assert health.headers["x-frame-options"] == "DENY"
    for response in (first, hit):
        assert "cache-control" not in response.headers
        assert response.headers.get_list("link") == ["</static/app.js>; rel=preload", f"<https://{DOMAIN}/>"]
    assert [first.headers["cf-cache-status"], hit.headers["cf-cache-status"]] == ["MISS", "HIT"]
