"""Tokens, permissions, the rate limit and injected faults, as the SDK sees them (max_retries=0)."""

from __future__ import annotations

import cloudflare
import httpx
import pytest

from wizard.sandbox.state import ALL_PERMISSIONS


def test_verify_a_valid_token(cf_api):
    raw = cf_api.client().user.tokens.with_raw_response.verify()
    assert raw.parse().status == "active"
    assert raw.http_response.json()["messages"][0]["message"] == "This API Token is valid and active"


@pytest.mark.parametrize("token_kw", [{"status": "disabled"}, {"status": "expired"},
                                      {"expires_on": "2020-01-01T00:00:00Z"}])
def test_disabled_or_expired_token_fails_verify(cf_api, token_kw):
    cf_api.world.add_token("old-token", **token_kw)
    with pytest.raises(cloudflare.AuthenticationError) as caught:
        cf_api.client("old-token").user.tokens.verify()
    assert caught.value.errors[0].code == 9109


def test_unknown_token_and_global_key_are_refused(cf_api):
    with pytest.raises(cloudflare.AuthenticationError):
        cf_api.client("nobody").zones.list()
    response = httpx.get(cf_api.base_url + "/zones", timeout=5,
                         headers={"X-Auth-Email": "a@acme.example", "X-Auth-Key": "k" * 37})
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == 9109


def test_missing_permission_answers_403_authentication_error(cf_api):
    cf_api.world.add_token("dns-read", permissions=frozenset({"DNS Read", "Zone Read"}))
    client = cf_api.client("dns-read")
    assert client.dns.records.list(zone_id=cf_api.zone.id).result == []
    with pytest.raises(cloudflare.PermissionDeniedError) as caught:
        client.dns.records.create(zone_id=cf_api.zone.id, type="A", name="www", content="192.0.2.1", ttl=1)
    assert caught.value.errors[0].code == 10000
    with pytest.raises(cloudflare.PermissionDeniedError):
        client.rulesets.phases.update("http_request_cache_settings", zone_id=cf_api.zone.id, rules=[])
    assert cf_api.zone.records == {}


def test_write_permission_of_one_phase_does_not_open_the_other(cf_api):
    cf_api.world.add_token("redirects", permissions=frozenset({"Dynamic Redirect Write"}))
    client = cf_api.client("redirects")
    assert client.rulesets.phases.update("http_request_dynamic_redirect", zone_id=cf_api.zone.id, rules=[])
    with pytest.raises(cloudflare.PermissionDeniedError):
        client.rulesets.phases.get("http_request_cache_settings", zone_id=cf_api.zone.id)


def test_rate_limit_locks_the_token_out_for_a_window(cf_api):
    cf_api.api.limiter.limit, cf_api.api.limiter.window_s = 5, 60
    client = cf_api.client()
    for _ in range(5):
        client.zones.list()
    with pytest.raises(cloudflare.RateLimitError) as caught:
        client.zones.list()
    assert caught.value.errors[0].code == 971
    assert caught.value.response.headers["Retry-After"] == "60"
    cf_api.clock.advance(45)
    with pytest.raises(cloudflare.RateLimitError) as caught:
        client.user.tokens.verify()
    assert caught.value.response.headers["Retry-After"] == "15"
    cf_api.world.add_token("other", permissions=ALL_PERMISSIONS)
    assert cf_api.client("other").zones.list().result  # the limit is per token
    cf_api.clock.advance(15)
    assert client.zones.list().result


def test_default_limit_is_cloudflares(cf_api):
    assert (cf_api.api.limiter.limit, cf_api.api.limiter.window_s) == (1200, 300)


BATCH = "POST /zones/{zone_id}/dns_records/batch"


def _batch(cf_api, client):
    return client.dns.records.batch(zone_id=cf_api.zone.id, posts=[
        {"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 1}])


def test_fault_429_on_the_second_call(cf_api):
    cf_api.faults.add("429", BATCH, nth=2, retry_after=7)
    client = cf_api.client()
    client.zones.list()  # another endpoint does not count
    _batch(cf_api, client)
    with pytest.raises(cloudflare.RateLimitError) as caught:
        client.dns.records.batch(zone_id=cf_api.zone.id, deletes=[])
    assert caught.value.errors[0].code == 971 and caught.value.response.headers["Retry-After"] == "7"


def test_fault_500(cf_api):
    cf_api.faults.add("500", BATCH)
    with pytest.raises(cloudflare.InternalServerError):
        _batch(cf_api, cf_api.client())
    assert cf_api.zone.records == {}


def test_fault_500_is_retried_by_the_sdk(cf_api):
    cf_api.faults.add("500", BATCH)
    assert _batch(cf_api, cf_api.client(max_retries=1)).posts[0].content == "192.0.2.1"


def test_fault_timeout_fires_the_clients_timeout(cf_api):
    cf_api.faults.add("timeout", "GET /zones")
    with pytest.raises(cloudflare.APITimeoutError):
        cf_api.client(timeout=0.3).zones.list()


def test_fault_drop_closes_the_connection(cf_api):
    cf_api.faults.add("drop", "*")
    with pytest.raises(cloudflare.APIConnectionError) as caught:
        cf_api.client().user.tokens.verify()
    assert not isinstance(caught.value, cloudflare.APITimeoutError)


def test_stop_frees_held_requests_and_the_port(cf_api):
    cf_api.faults.add("timeout", "GET /zones")
    with pytest.raises(cloudflare.APITimeoutError):
        cf_api.client(timeout=0.2).zones.list()
    cf_api.api.stop()  # must not wait for the held request's hold limit
    with pytest.raises(cloudflare.APIConnectionError):
        cf_api.client().zones.list()
