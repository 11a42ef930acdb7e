"""Custom rules, rate limiting rules and response header transforms with the zone's plan limits,
security_level, CAA records and DNSSEC, through the official SDK."""

from __future__ import annotations

import cloudflare
import dns.asyncresolver
import pytest

from wizard.sandbox.cfapi.dnssec import registrar_has_ds
from wizard.sandbox.dns import DnsServer

CUSTOM = "http_request_firewall_custom"
RATELIMIT = "http_ratelimit"
TRANSFORM = "http_response_headers_transform"
LOGIN_LIMIT = {
    "action": "block", "expression": 'http.request.uri.path eq "/login"', "description": "login",
    "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 10, "requests_per_period": 5,
                  "mitigation_timeout": 10},
}
BLOCK_ADMIN = {"action": "block", "expression": 'starts_with(http.request.uri.path, "/admin")'}
SKIP_HEALTH = {"action": "skip", "expression": 'http.request.uri.path eq "/health"',
               "action_parameters": {"ruleset": "current"}}
SKIP_LIMITS = {"action": "skip", "expression": 'http.request.uri.path eq "/login"',
               "action_parameters": {"phases": ["http_ratelimit"], "products": ["securityLevel"]}}
HEADERS = {"action": "rewrite", "expression": "true", "action_parameters": {"headers": {
    "X-Frame-Options": {"operation": "set", "value": "DENY"},
    "X-Powered-By": {"operation": "remove"}}}}


def _refusal(cf_api, phase: str, rules: list[dict], zone_id: str | None = None) -> dict:
    with pytest.raises(cloudflare.BadRequestError) as caught:
        cf_api.client().rulesets.phases.update(phase, zone_id=zone_id or cf_api.zone.id, rules=rules)
    return caught.value.body["errors"][0]


def test_each_security_phase_round_trips_with_ids_refs_and_versions(cf_api):
    phases, zone_id = cf_api.client().rulesets.phases, cf_api.zone.id
    limit = phases.update(RATELIMIT, zone_id=zone_id, rules=[LOGIN_LIMIT])
    assert limit["rules"][0]["ratelimit"] == LOGIN_LIMIT["ratelimit"]
    rule_id = limit["rules"][0]["id"]
    again = phases.update(RATELIMIT, zone_id=zone_id, rules=[{**LOGIN_LIMIT, "id": rule_id}])
    assert (again["version"], again["rules"][0]["id"], again["rules"][0]["ref"]) == ("2", rule_id, rule_id)
    got = phases.get(RATELIMIT, zone_id=zone_id)
    assert got.rules[0].ratelimit.requests_per_period == 5
    custom = phases.update(CUSTOM, zone_id=zone_id, rules=[SKIP_HEALTH, SKIP_LIMITS, BLOCK_ADMIN, {
        "action": "managed_challenge", "expression": 'http.request.uri.path wildcard "/wp-*"'}])
    assert [r["action"] for r in custom["rules"]] == ["skip", "skip", "block", "managed_challenge"]
    assert phases.get(CUSTOM, zone_id=zone_id).rules[1].action_parameters.phases == ["http_ratelimit"]
    transform = phases.update(TRANSFORM, zone_id=zone_id, rules=[HEADERS])
    assert transform["rules"][0]["action_parameters"]["headers"]["X-Powered-By"] == {"operation": "remove"}
    assert [v.version for v in phases.versions.list(RATELIMIT, zone_id=zone_id)] == ["2", "1"]


@pytest.mark.parametrize(("rules", "pointer", "named"), [
    ([LOGIN_LIMIT, {**LOGIN_LIMIT, "expression": 'http.request.uri.path eq "/signup"'}], "/rules/1",
     "more than 1 rate limiting rules"),
    ([{**LOGIN_LIMIT, "ratelimit": {**LOGIN_LIMIT["ratelimit"], "period": 60}}],
     "/rules/0/ratelimit/period", "period 60"),
    ([{**LOGIN_LIMIT, "ratelimit": {**LOGIN_LIMIT["ratelimit"], "mitigation_timeout": 60}}],
     "/rules/0/ratelimit/mitigation_timeout", "mitigation_timeout 60"),
    ([{**LOGIN_LIMIT, "action": "managed_challenge"}], "/rules/0/ratelimit/mitigation_timeout",
     "mitigation_timeout 10 with action managed_challenge"),
    ([{**LOGIN_LIMIT, "expression": 'http.host eq "acme.example"'}], "/rules/0/expression",
     "http.host"),
    ([{**LOGIN_LIMIT, "ratelimit": {**LOGIN_LIMIT["ratelimit"], "counting_expression": "true"}}],
     "/rules/0/ratelimit/counting_expression", "counting_expression"),
])
def test_free_plan_rate_limiting_refusals_name_the_limit(cf_api, rules, pointer, named):
    error = _refusal(cf_api, RATELIMIT, rules)
    assert (error["code"], error["source"]["pointer"]) == (20217, pointer)
    assert named in error["message"] and "free plan" in error["message"]
    assert RATELIMIT not in cf_api.zone.rulesets


def test_a_pro_zone_gets_two_rules_and_a_minute(cf_api):
    zone = cf_api.world.add_zone("pro.example", plan="pro")
    minute = {**LOGIN_LIMIT, "ratelimit": {**LOGIN_LIMIT["ratelimit"], "period": 60, "mitigation_timeout": 600}}
    result = cf_api.client().rulesets.phases.update(RATELIMIT, zone_id=zone.id, rules=[LOGIN_LIMIT, minute])
    assert [r["ratelimit"]["period"] for r in result["rules"]] == [10, 60]
    error = _refusal(cf_api, RATELIMIT, [{**minute, "ratelimit": {**minute["ratelimit"], "period": 120}}],
                     zone.id)
    assert "pro plan" in error["message"]


@pytest.mark.parametrize(("rules", "pointer"), [
    ([{**LOGIN_LIMIT, "ratelimit": {**LOGIN_LIMIT["ratelimit"], "characteristics": ["ip.src"]}}],
     "/rules/0/ratelimit/characteristics"),
    ([{key: value for key, value in LOGIN_LIMIT.items() if key != "ratelimit"}], "/rules/0/ratelimit"),
    ([{**LOGIN_LIMIT, "action": "skip"}], "/rules/0/action"),
])
def test_malformed_rate_limiting_rules_answer_1004(cf_api, rules, pointer):
    error = _refusal(cf_api, RATELIMIT, rules)
    assert (error["code"], error["source"]["pointer"]) == (1004, pointer)


def test_free_plan_takes_five_custom_rules_not_six(cf_api):
    phases = cf_api.client().rulesets.phases
    five = [{**BLOCK_ADMIN, "description": str(i)} for i in range(5)]
    assert len(phases.update(CUSTOM, zone_id=cf_api.zone.id, rules=five)["rules"]) == 5
    error = _refusal(cf_api, CUSTOM, [*five, BLOCK_ADMIN])
    assert error["code"] == 20217 and "more than 5 custom rules" in error["message"]
    assert len(cf_api.zone.rules(CUSTOM)) == 5


@pytest.mark.parametrize(("rule", "pointer"), [
    ({**BLOCK_ADMIN, "action": "redirect"}, "/rules/0/action"),
    ({**BLOCK_ADMIN, "ratelimit": LOGIN_LIMIT["ratelimit"]}, "/rules/0/ratelimit"),
    ({**SKIP_HEALTH, "action_parameters": {"ruleset": "other"}}, "/rules/0/action_parameters/ruleset"),
    ({**SKIP_HEALTH, "action_parameters": {"ruleset": "current", "phases": ["http_ratelimit"]}},
     "/rules/0/action_parameters"),
    ({**SKIP_HEALTH, "action_parameters": {"phases": ["http_request_cache_settings"]}},
     "/rules/0/action_parameters/phases"),
    ({**BLOCK_ADMIN, "action_parameters": {"response": {"status_code": 500, "content": "no",
                                                        "content_type": "text/plain"}}},
     "/rules/0/action_parameters/response/status_code"),
    ({**BLOCK_ADMIN, "action": "log", "action_parameters": {"response": {}}}, "/rules/0/action_parameters"),
])
def test_bad_custom_rules_are_refused(cf_api, rule, pointer):
    assert _refusal(cf_api, CUSTOM, [rule])["source"]["pointer"] == pointer


@pytest.mark.parametrize(("headers", "pointer"), [
    ({"X-A": {"operation": "set"}}, "/rules/0/action_parameters/headers/X-A"),
    ({"X-A": {"operation": "remove", "value": "x"}}, "/rules/0/action_parameters/headers/X-A"),
    ({"X-A": {"operation": "replace", "value": "x"}}, "/rules/0/action_parameters/headers/X-A/operation"),
    ({"Bad Name": {"operation": "add", "value": "x"}}, "/rules/0/action_parameters/headers/Bad Name"),
    ({"X-A": {"operation": "add", "expression": "lower(http.host)"}},
     "/rules/0/action_parameters/headers/X-A/expression"),
])
def test_bad_header_transforms_are_refused(cf_api, headers, pointer):
    error = _refusal(cf_api, TRANSFORM, [{**HEADERS, "action_parameters": {"headers": headers}}])
    assert (error["code"], error["source"]["pointer"]) == (1004, pointer)


def test_security_phases_need_their_permission_groups(cf_api):
    cf_api.world.add_token("cache-only", permissions=frozenset({"Cache Rules Write"}))
    client = cf_api.client("cache-only")
    for phase in (CUSTOM, RATELIMIT, TRANSFORM):
        with pytest.raises(cloudflare.PermissionDeniedError):
            client.rulesets.phases.update(phase, zone_id=cf_api.zone.id, rules=[])
    cf_api.world.add_token("waf", permissions=frozenset({"Zone WAF Write"}))
    assert cf_api.client("waf").rulesets.phases.update(RATELIMIT, zone_id=cf_api.zone.id, rules=[])


def test_security_level_reads_medium_and_edits(cf_api):
    settings, zone_id = cf_api.client().zones.settings, cf_api.zone.id
    assert settings.get("security_level", zone_id=zone_id).value == "medium"
    assert settings.edit("security_level", zone_id=zone_id, value="under_attack").value == "under_attack"
    with pytest.raises(cloudflare.BadRequestError) as caught:
        settings.edit("security_level", zone_id=zone_id, value="paranoid")
    assert caught.value.errors[0].code == 1007
    assert cf_api.zone.settings["security_level"] == "under_attack"


async def test_caa_records_create_list_export_and_answer_dns(cf_api):
    records, zone_id = cf_api.client().dns.records, cf_api.zone.id
    made = records.create(zone_id=zone_id, type="CAA", name="@", ttl=3600,
                          data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"})
    assert made.content == '0 issue "letsencrypt.org"'
    records.create(zone_id=zone_id, type="CAA", name="@", ttl=3600,
                   data={"flags": 128, "tag": "iodef", "value": "mailto:security@acme.example"})
    listed = records.list(zone_id=zone_id, type="CAA").result
    assert sorted(r.data.tag for r in listed) == ["iodef", "issue"]
    assert 'acme.example.\t3600\tIN\tCAA\t0 issue "letsencrypt.org"' in records.export(zone_id=zone_id)
    with DnsServer(cf_api.world) as server:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = [server.host], server.port
        answer = await resolver.resolve("acme.example", "CAA")
    assert sorted((r.flags, r.tag, r.value) for r in answer) == [
        (0, b"issue", b"letsencrypt.org"), (128, b"iodef", b"mailto:security@acme.example")]


@pytest.mark.parametrize("data", [
    {"flags": 0, "tag": "issuer", "value": "letsencrypt.org"},
    {"flags": 256, "tag": "issue", "value": "letsencrypt.org"},
    {"flags": 0, "tag": "issue", "value": ""},
    {"flags": 0, "tag": "issue"},
])
def test_bad_caa_data_is_refused(cf_api, data):
    with pytest.raises(cloudflare.BadRequestError) as caught:
        cf_api.client().dns.records.create(zone_id=cf_api.zone.id, type="CAA", name="@", ttl=1, data=data)
    assert caught.value.body["errors"][0]["error_chain"][0]["code"] == 9101


def test_caa_in_a_batch(cf_api):
    result = cf_api.client().dns.records.batch(zone_id=cf_api.zone.id, posts=[{
        "type": "CAA", "name": "@", "ttl": 1, "data": {"flags": 0, "tag": "issuewild", "value": ";"}}])
    assert result.posts[0].content == '0 issuewild ";"'


def test_dnssec_is_disabled_then_pending_until_the_registrar_has_the_ds(cf_api):
    dnssec, zone_id = cf_api.client().dns.dnssec, cf_api.zone.id
    first = dnssec.get(zone_id=zone_id)
    assert (first.status, first.ds, first.key_tag) == ("disabled", None, None)
    pending = dnssec.edit(zone_id=zone_id, status="active")
    assert (pending.status, pending.algorithm, pending.flags, pending.key_type) == (
        "pending", "13", 257, "ECDSAP256SHA256")
    assert pending.ds.startswith(f"acme.example. 3600 IN DS {int(pending.key_tag)} 13 2 ")
    assert pending.ds.endswith(pending.digest)
    assert dnssec.get(zone_id=zone_id).status == "pending"
    registrar_has_ds(cf_api.zone)
    active = dnssec.get(zone_id=zone_id)
    assert (active.status, active.ds) == ("active", pending.ds)
    assert dnssec.edit(zone_id=zone_id, status="disabled").status == "disabled"
    assert dnssec.edit(zone_id=zone_id, status="active").ds != pending.ds  # a new key
    dnssec.delete(zone_id=zone_id)
    assert dnssec.get(zone_id=zone_id).status == "disabled"
    with pytest.raises(cloudflare.BadRequestError):
        dnssec.edit(zone_id=zone_id, status="on")  # type: ignore[arg-type]
    cf_api.world.add_token("settings-read", permissions=frozenset({"Zone Settings Read", "DNS Write"}))
    reader = cf_api.client("settings-read").dns.dnssec
    assert reader.get(zone_id=zone_id).status == "disabled"
    with pytest.raises(cloudflare.PermissionDeniedError):
        reader.edit(zone_id=zone_id, status="active")
