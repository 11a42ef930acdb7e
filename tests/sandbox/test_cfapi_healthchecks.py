"""Health checks and notification policies through the official SDK: every field the emulator
answers is one the SDK's types know (cloudflare.types.healthchecks / alerting are the contract:
the 2024 schema subset does not hold these paths), the plan gate, permissions and errors."""

from __future__ import annotations

import cloudflare
import pytest
from cloudflare.types.alerting import Policy
from cloudflare.types.healthchecks import Healthcheck
from cloudflare.types.healthchecks.http_configuration import HTTPConfiguration

HEALTHCHECKS = "/zones/{zone_id}/healthchecks"
POLICIES = "/accounts/{account_id}/alerting/v3/policies"
CHECK = {"name": "launch-ready-app", "address": "192.0.2.10", "type": "HTTPS",
         "http_config": {"path": "/health", "expected_codes": ["200"], "header": {"Host": ["app.acme.example"]}}}


@pytest.fixture
def pro(cf_api):
    with cf_api.world.lock:
        cf_api.zone.plan = "pro"
    return cf_api


def _sdk_fields(result: dict, model) -> set[str]:
    """Keys of an answer the SDK's model does not know (none expected)."""
    return set(result) - set(model.model_fields)


def test_health_check_lifecycle_with_cloudflares_fields_and_defaults(pro):
    client, zone_id = pro.client(), pro.zone.id
    created = client.healthchecks.create(zone_id=zone_id, **CHECK, interval=60, retries=2)
    assert (created.status, created.suspended, created.timeout, created.consecutive_fails) == ("unknown", False, 5, 1)
    assert created.http_config.port == 443 and created.http_config.method == "GET"
    assert created.created_on == created.modified_on and len(created.id) == 32
    assert [c.id for c in client.healthchecks.list(zone_id=zone_id)] == [created.id]
    edited = client.healthchecks.edit(created.id, zone_id=zone_id, name=CHECK["name"], address="192.0.2.11",
                                      suspended=True)
    assert (edited.address, edited.status, edited.http_config.path) == ("192.0.2.11", "suspended", "/health")
    replaced = client.healthchecks.update(created.id, zone_id=zone_id, name="other", address="192.0.2.12")
    assert (replaced.name, replaced.type, replaced.http_config.path, replaced.suspended) == ("other", "HTTP", "/", False)
    assert client.healthchecks.get(created.id, zone_id=zone_id).address == "192.0.2.12"
    assert client.healthchecks.delete(created.id, zone_id=zone_id).id == created.id
    assert list(client.healthchecks.list(zone_id=zone_id)) == []
    with pytest.raises(cloudflare.NotFoundError):
        client.healthchecks.get(created.id, zone_id=zone_id)

    answers = [e.response_body["result"] for e in pro.exchanges
               if e.endpoint and e.endpoint.startswith(HEALTHCHECKS) and e.status == 200 and e.method != "DELETE"]
    for result in (r for a in answers for r in (a if isinstance(a, list) else [a])):
        assert not _sdk_fields(result, Healthcheck)
        assert not _sdk_fields(result["http_config"], HTTPConfiguration)


def test_health_checks_page_like_cloudflare(pro):
    client, zone_id = pro.client(), pro.zone.id
    for n in range(7):
        client.healthchecks.create(zone_id=zone_id, name=f"check-{n}", address="192.0.2.1")
    first = client.healthchecks.list(zone_id=zone_id, per_page=5)
    assert len(first.result) == 5 and first.result_info.total_pages == 2
    assert len(list(client.healthchecks.list(zone_id=zone_id, per_page=5))) == 7  # the SDK pages on


@pytest.mark.parametrize(("fields", "pointer"), [
    ({"name": "has spaces"}, "/name"),
    ({"type": "TCP"}, "/type"),
    ({"interval": 0}, "/interval"),
    ({"check_regions": ["MARS"]}, "/check_regions"),
    ({"http_config": {"path": "/", "expected_codes": ["20"]}}, "/http_config.expected_codes"),
    ({"http_config": {"path": "health"}}, "/http_config.path"),
])
def test_invalid_health_checks_answer_400(pro, fields, pointer):
    with pytest.raises(cloudflare.BadRequestError) as caught:
        pro.client().healthchecks.create(zone_id=pro.zone.id, **{**CHECK, **fields})
    assert caught.value.errors[0].code == 1004
    assert pro.exchanges[-1].response_body["errors"][0]["source"]["pointer"] == pointer
    assert pro.zone.healthchecks == {}


def test_a_free_zone_has_no_health_checks(cf_api):
    client = cf_api.client()
    for call in (lambda: client.healthchecks.list(zone_id=cf_api.zone.id),
                 lambda: client.healthchecks.create(zone_id=cf_api.zone.id, **CHECK)):
        with pytest.raises(cloudflare.PermissionDeniedError) as caught:
            call()
        assert caught.value.errors[0].code == 1002 and "Pro plan" in caught.value.errors[0].message
    assert cf_api.zone.healthchecks == {}


def test_permissions_health_checks_and_notifications(pro):
    world, zone = pro.world, pro.zone
    world.add_token("hc-read", permissions=frozenset({"Health Checks Read"}))
    world.add_token("notify-write", permissions=frozenset({"Notifications Write"}))
    assert list(pro.client("hc-read").healthchecks.list(zone_id=zone.id)) == []
    with pytest.raises(cloudflare.PermissionDeniedError) as caught:
        pro.client("hc-read").healthchecks.create(zone_id=zone.id, **CHECK)
    assert caught.value.errors[0].code == 10000
    with pytest.raises(cloudflare.PermissionDeniedError):
        pro.client("hc-read").alerting.policies.list(account_id=zone.account_id)
    assert list(pro.client("notify-write").alerting.policies.list(account_id=zone.account_id)) == []


def test_notification_policy_lifecycle_for_health_checks(pro):
    client, zone, account = pro.client(), pro.zone, pro.zone.account_id
    check = client.healthchecks.create(zone_id=zone.id, **CHECK)
    created = client.alerting.policies.create(
        account_id=account, name="launch-ready health checks", alert_type="health_check_status_notification",
        enabled=True, mechanisms={"email": [{"id": "ops@acme.example"}], "webhooks": [{"id": "a" * 32}]},
        filters={"health_check_id": [check.id]})
    [listed] = client.alerting.policies.list(account_id=account)
    assert (listed.id, listed.name, listed.enabled) == (created.id, "launch-ready health checks", True)
    assert listed.filters.health_check_id == [check.id]
    assert [m.id for m in listed.mechanisms.email] == ["ops@acme.example"]
    assert client.alerting.policies.update(created.id, account_id=account, enabled=False).id == created.id
    got = client.alerting.policies.get(created.id, account_id=account)
    assert (got.enabled, got.filters.health_check_id) == (False, [check.id])  # PUT keeps what it omits
    assert client.alerting.policies.delete(created.id, account_id=account).success
    assert list(client.alerting.policies.list(account_id=account)) == []
    answers = [e.response_body["result"] for e in pro.exchanges
               if e.endpoint and e.endpoint.startswith(POLICIES) and e.method == "GET" and e.status == 200]
    for result in (r for a in answers for r in (a if isinstance(a, list) else [a])):
        assert not _sdk_fields(result, Policy)


@pytest.mark.parametrize(("fields", "pointer"), [
    ({"filters": {"health_check_id": ["f" * 32]}}, "/filters/health_check_id"),
    ({"mechanisms": {"email": [{"id": "not-an-address"}]}}, "/mechanisms/email"),
    ({"mechanisms": {}}, "/mechanisms"),
    ({"alert_type": "Not A Type"}, "/alert_type"),
])
def test_invalid_policies_answer_400(pro, fields, pointer):
    body = {"name": "p", "alert_type": "health_check_status_notification", "enabled": True,
            "mechanisms": {"email": [{"id": "ops@acme.example"}]}, **fields}
    with pytest.raises(cloudflare.BadRequestError):
        pro.client().alerting.policies.create(account_id=pro.zone.account_id, **body)
    assert pro.exchanges[-1].response_body["errors"][0]["source"]["pointer"] == pointer


def test_an_unknown_account_is_not_found(pro):
    with pytest.raises(cloudflare.NotFoundError):
        pro.client().alerting.policies.list(account_id="0" * 32)


def test_every_call_is_recorded(pro):
    client = pro.client()
    client.healthchecks.create(zone_id=pro.zone.id, **CHECK)
    list(client.healthchecks.list(zone_id=pro.zone.id))
    list(client.alerting.policies.list(account_id=pro.zone.account_id))
    assert [(e.method, e.endpoint) for e in pro.exchanges] == [  # the SDK's iterator stops at an empty page
        ("POST", HEALTHCHECKS), ("GET", HEALTHCHECKS), ("GET", HEALTHCHECKS), ("GET", POLICIES)]
