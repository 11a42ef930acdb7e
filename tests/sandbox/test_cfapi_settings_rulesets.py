"""Zone settings, ruleset phase entrypoints, bot management and DNS settings through the SDK."""

from __future__ import annotations

import cloudflare
import pytest

from wizard.sandbox.state import DEFAULT_SETTINGS

REDIRECT_RULE = {
    "action": "redirect", "expression": '(http.host eq "www.acme.example")',
    "action_parameters": {"from_value": {"status_code": 301, "preserve_query_string": True, "target_url": {
        "expression": 'concat("https://acme.example", http.request.uri.path)'}}},
}
CACHE_RULE = {"action": "set_cache_settings", "expression": 'http.request.uri.path in {"/" "/about"}',
              "action_parameters": {"cache": True}}


@pytest.mark.parametrize("setting", sorted(DEFAULT_SETTINGS))
def test_every_setting_reads_with_cloudflares_default(cf_api, setting):
    got = cf_api.client().zones.settings.get(setting, zone_id=cf_api.zone.id)
    assert (got.id, got.editable) == (setting, True)
    assert got.value == DEFAULT_SETTINGS[setting] or got.value.to_dict() == DEFAULT_SETTINGS[setting]


def test_edit_settings_and_see_them_in_the_world(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    assert client.zones.settings.edit("always_use_https", zone_id=zone_id, value="on").value == "on"
    assert client.zones.settings.edit("min_tls_version", zone_id=zone_id, value="1.2").value == "1.2"
    hsts = client.zones.settings.edit("security_header", zone_id=zone_id, value={
        "strict_transport_security": {"enabled": True, "max_age": 31536000}})
    assert hsts.value.strict_transport_security.enabled is True
    assert cf_api.zone.settings["security_header"]["strict_transport_security"] == {
        "enabled": True, "max_age": 31536000, "include_subdomains": False, "preload": False,
        "nosniff": False}
    assert cf_api.zone.settings["always_use_https"] == "on"


@pytest.mark.parametrize(("setting", "value"), [
    ("ssl", "very-strict"), ("always_use_https", True), ("min_tls_version", "1.4"),
    ("security_header", {"strict_transport_security": {"max_age": -1}}),
    ("security_header", {"strict_transport_security": {"colour": "red"}}),
    ("ssl", "origin_pull"),  # Enterprise only; the fixture's zone is on Free
])
def test_invalid_setting_values_answer_1007(cf_api, setting, value):
    with pytest.raises(cloudflare.BadRequestError) as caught:
        cf_api.client().zones.settings.edit(setting, zone_id=cf_api.zone.id, value=value)
    assert caught.value.errors[0].code == 1007
    assert cf_api.zone.settings[setting] == DEFAULT_SETTINGS[setting]


def test_enterprise_zone_may_use_origin_pull(cf_api):
    zone = cf_api.world.add_zone("big.example", plan="enterprise")
    assert cf_api.client().zones.settings.edit("ssl", zone_id=zone.id, value="origin_pull").value == "origin_pull"


def test_setting_without_value_is_1004_and_unknown_setting_7003(cf_api):
    client = cf_api.client()
    with pytest.raises(cloudflare.BadRequestError) as caught:
        client.zones.settings.edit("ssl", zone_id=cf_api.zone.id)
    assert caught.value.errors[0].code == 1004
    with pytest.raises(cloudflare.NotFoundError) as caught:
        client.zones.settings.get("rocket_loader", zone_id=cf_api.zone.id)
    assert caught.value.errors[0].code == 7003


def test_unused_phase_answers_10003(cf_api):
    with pytest.raises(cloudflare.NotFoundError) as caught:
        cf_api.client().rulesets.phases.get("http_request_cache_settings", zone_id=cf_api.zone.id)
    assert caught.value.errors[0].code == 10003


def test_put_replaces_all_rules_and_keeps_versions(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    phases = client.rulesets.phases
    first = phases.update("http_request_dynamic_redirect", zone_id=zone_id,
                          rules=[REDIRECT_RULE, {**REDIRECT_RULE, "expression": 'http.host eq "old.acme.example"'}])
    assert first["version"] == "1" and len(first["rules"]) == 2
    second = phases.update("http_request_dynamic_redirect", zone_id=zone_id, rules=[REDIRECT_RULE])
    assert second["version"] == "2"
    live = phases.get("http_request_dynamic_redirect", zone_id=zone_id)
    assert [r.expression for r in live.rules] == [REDIRECT_RULE["expression"]]
    assert [r.expression for r in cf_api.zone.rules("http_request_dynamic_redirect")] == [REDIRECT_RULE["expression"]]
    versions = [v.version for v in phases.versions.list("http_request_dynamic_redirect", zone_id=zone_id)]
    assert versions == ["2", "1"]
    old = phases.versions.get("1", ruleset_phase="http_request_dynamic_redirect", zone_id=zone_id)
    assert len(old.rules) == 2
    cache = phases.update("http_request_cache_settings", zone_id=zone_id, rules=[CACHE_RULE])
    assert cache["rules"][0]["action"] == "set_cache_settings"


@pytest.mark.parametrize(("expression", "unsupported"), [
    ('http.cookie eq "a"', "http.cookie"),
    ('lower(http.host) eq "a"', "lower"),
    ('http.host contains "acme"', "contains"),
    ('http.host matches "^a"', "matches"),
])
def test_expression_outside_the_edges_subset_is_refused_by_name(cf_api, expression, unsupported):
    with pytest.raises(cloudflare.BadRequestError) as caught:
        cf_api.client().rulesets.phases.update("http_request_dynamic_redirect", zone_id=cf_api.zone.id,
                                               rules=[{**REDIRECT_RULE, "expression": expression}])
    error = caught.value.body["errors"][0]
    assert error["code"] == 1004 and unsupported in error["message"]
    assert error["source"]["pointer"] == "/rules/0/expression"
    assert "http_request_dynamic_redirect" not in cf_api.zone.rulesets


def test_rule_with_the_wrong_action_is_refused(cf_api):
    with pytest.raises(cloudflare.BadRequestError):
        cf_api.client().rulesets.phases.update("http_request_cache_settings", zone_id=cf_api.zone.id,
                                               rules=[REDIRECT_RULE])


def test_bot_management_and_dns_settings(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    assert client.bot_management.get(zone_id=zone_id).fight_mode is False
    assert client.bot_management.update(zone_id=zone_id, fight_mode=True, enable_js=True).fight_mode is True
    assert cf_api.zone.bot_management == {"fight_mode": True, "enable_js": True}
    assert client.dns.settings.zone.get(zone_id=zone_id).zone_mode == "standard"


def test_zones_list_filter_and_get(cf_api):
    client = cf_api.client()
    for i in range(25):
        cf_api.world.add_zone(f"z{i:02}.example")
    names = [z.name for z in client.zones.list()]
    assert len(names) == 26 and len(set(names)) == 26
    found = client.zones.list(name="acme.example").result
    assert [z.id for z in found] == [cf_api.zone.id]
    assert client.zones.get(zone_id=cf_api.zone.id).name == "acme.example"
