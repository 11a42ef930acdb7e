"""Every request and answer of a session over every endpoint, checked against Cloudflare's own
OpenAPI schema (tests/data/cloudflare/openapi-subset.json) and, for the batch endpoint that schema
predates, against the official SDK's types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cloudflare
import pytest
from cloudflare.types.dns.record_batch_params import RecordBatchParams
from cloudflare.types.dns.record_batch_response import RecordBatchResponse
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from pydantic import TypeAdapter

from wizard.sandbox.cfapi.routing import ROUTES

from .test_cfapi_security_rules import BLOCK_ADMIN, HEADERS, LOGIN_LIMIT, SKIP_HEALTH, SKIP_LIMITS
from .test_cfapi_settings_rulesets import CACHE_RULE, REDIRECT_RULE

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "cloudflare" / "openapi-subset.json"
BATCH = "/zones/{zone_id}/dns_records/batch"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SCHEMA_PATH.is_file():
        pytest.fail(f"Cloudflare's OpenAPI subset is missing: expected {SCHEMA_PATH} "
                    "(vendored in the repository, see tests/data/README.md)")
    return _repair(json.loads(SCHEMA_PATH.read_text()))


def _repair(spec: dict[str, Any]) -> dict[str, Any]:
    """Fix the schema's own defects, each one no real Cloudflare answer could satisfy:
    - rulesets_RuleAction's pattern ^[a-z]+$ refuses Cloudflare's action set_cache_settings;
    - oneOf between alternatives with no required property (a redirect's target_url
      {value} / {expression}; the four bot-management configs) matches every object more than
      once, so it is read as anyOf;
    - the dns-records 4xx answers are allOf(a success envelope, a failure envelope), which no
      body can be: they are checked against the failure envelope alone.
    """
    schemas = spec["components"]["schemas"]
    schemas["rulesets_RuleAction"]["pattern"] = "^[a-z_]+$"
    target = schemas["rulesets_RedirectRule"]["allOf"][1]["properties"]["action_parameters"][
        "properties"]["from_value"]["properties"]["target_url"]
    target["anyOf"] = target.pop("oneOf")
    schemas["bot-management_config_single"]["anyOf"] = schemas["bot-management_config_single"].pop("oneOf")
    result = schemas["bot-management_bot_management_response_body"]["allOf"][1]["properties"]["result"]
    result["anyOf"] = result.pop("oneOf")
    for path in spec["paths"].values():
        for operation in path.values():
            failure = operation["responses"].get("4xx", {}).get("content", {}).get("application/json")
            if failure and "allOf" in failure["schema"]:
                failure["schema"] = failure["schema"]["allOf"][-1]
    return spec


def _write_view(spec: dict[str, Any]) -> dict[str, Any]:
    """The schema as a request sees it: in OAS 3.0 a required readOnly property binds responses only."""
    read_only: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if _resolve(spec, prop).get("readOnly"):
                    read_only.add(name)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: [r for r in v if r not in read_only] if k == "required" and isinstance(v, list)
                    else strip(v) for k, v in node.items()}
        return [strip(v) for v in node] if isinstance(node, list) else node

    collect(spec)
    return strip(spec)


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_errors(spec, schema: dict[str, Any], instance: Any, validator) -> list[str]:
    rooted = {**schema, "components": spec["components"]}  # so #/components/... $refs resolve
    checker = validator(rooted, format_checker=oas30_format_checker)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in checker.iter_errors(instance)]


def _check(spec, write_spec, exchange) -> list[str]:
    if exchange.endpoint == BATCH:
        return _check_batch(exchange)
    operation = spec["paths"][exchange.endpoint][exchange.method.lower()]
    problems = []
    if exchange.request_body is not None and exchange.status == 200:  # refused ones are meant to be wrong
        write_op = write_spec["paths"][exchange.endpoint][exchange.method.lower()]
        content = _resolve(write_spec, write_op["requestBody"])["content"]["application/json"]
        body = exchange.request_body
        if exchange.endpoint.endswith("/settings/{setting_id}"):
            # The 2024 schema reuses the setting object as the PATCH body; the SDK (and Cloudflare)
            # send {"value": ...} alone, with the setting named in the path.
            body = {"id": exchange.path.rsplit("/", 1)[1], **body}
        problems += [f"request {p}" for p in _schema_errors(write_spec, content["schema"], body,
                                                            OAS30WriteValidator)]
    responses = {code.upper(): r for code, r in operation["responses"].items()}
    response = _resolve(spec, responses.get(str(exchange.status)) or responses[f"{exchange.status // 100}XX"])
    (media, content), = response["content"].items()
    if media == "text/plain":
        assert isinstance(exchange.response_body, str)
    problems += [f"response {p}" for p in _schema_errors(spec, content["schema"], exchange.response_body,
                                                         OAS30ReadValidator)]
    return problems


def _check_batch(exchange) -> list[str]:
    problems = []
    try:
        TypeAdapter(RecordBatchParams).validate_python({"zone_id": "z", **exchange.request_body})
    except ValueError as error:
        problems.append(f"request {error}")
    body = exchange.response_body
    if not (isinstance(body, dict) and {"success", "errors", "messages", "result"} <= body.keys()):
        problems.append(f"response is not an envelope: {body}")
    elif body["success"]:
        try:
            TypeAdapter(RecordBatchResponse).validate_python(body["result"])
        except ValueError as error:
            problems.append(f"response {error}")
    return problems


def _session(cf_api) -> None:
    """Call every endpoint the emulator serves, answers and errors alike."""
    client, zone_id = cf_api.client(), cf_api.zone.id
    records, phases = client.dns.records, client.rulesets.phases
    client.user.tokens.verify()
    list(client.zones.list())
    client.zones.list(name="acme.example")
    client.zones.get(zone_id=zone_id)
    a = records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.1", ttl=1, proxied=True,
                       comment="web", tags=["env:prod"])
    records.create(zone_id=zone_id, type="AAAA", name="@", content="2001:db8::1", ttl=300)
    mx = records.create(zone_id=zone_id, type="MX", name="@", content="mx.acme.example", priority=10, ttl=3600)
    records.create(zone_id=zone_id, type="TXT", name="@", content="v=spf1 -all", ttl=1)
    records.create(zone_id=zone_id, type="CAA", name="@", ttl=1,
                   data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"})
    records.create(zone_id=zone_id, type="NS", name="sub", content="ns1.elsewhere.example", ttl=86400)
    list(records.list(zone_id=zone_id, per_page=5))
    records.list(zone_id=zone_id, name={"exact": "www.acme.example"}, type="A")
    records.get(a.id, zone_id=zone_id)
    records.update(mx.id, zone_id=zone_id, type="MX", name="@", content="mx2.acme.example", priority=20, ttl=1)
    records.edit(a.id, zone_id=zone_id, type="A", name="www", content="192.0.2.3", ttl=120, proxied=False)
    records.export(zone_id=zone_id)
    records.batch(zone_id=zone_id, deletes=[{"id": a.id}],
                  patches=[{"id": mx.id, "type": "MX", "name": "@", "ttl": 1, "priority": 5}],
                  posts=[{"type": "CNAME", "name": "www", "content": "acme.example", "ttl": 1, "proxied": True}])
    records.delete(mx.id, zone_id=zone_id)
    for setting in ("ssl", "always_use_https", "min_tls_version", "automatic_https_rewrites",
                    "security_header", "tls_1_3", "security_level", "browser_check"):
        client.zones.settings.get(setting, zone_id=zone_id)
    client.zones.settings.edit("ssl", zone_id=zone_id, value="strict")
    client.zones.settings.edit("always_use_https", zone_id=zone_id, value="on")
    client.zones.settings.edit("min_tls_version", zone_id=zone_id, value="1.2")
    client.zones.settings.edit("automatic_https_rewrites", zone_id=zone_id, value="on")
    client.zones.settings.edit("tls_1_3", zone_id=zone_id, value="zrt")
    client.zones.settings.edit("security_level", zone_id=zone_id, value="high")
    client.zones.settings.edit("browser_check", zone_id=zone_id, value="off")
    client.zones.settings.edit("security_header", zone_id=zone_id, value={"strict_transport_security": {
        "enabled": True, "max_age": 31536000, "include_subdomains": True, "preload": False, "nosniff": True}})
    phases.update("http_request_dynamic_redirect", zone_id=zone_id, rules=[REDIRECT_RULE])
    phases.update("http_request_dynamic_redirect", zone_id=zone_id, rules=[REDIRECT_RULE, {
        **REDIRECT_RULE, "expression": 'http.host eq "old.acme.example"', "description": "old name",
        "action_parameters": {"from_value": {"status_code": 308, "target_url": {"value": "https://acme.example/"}}}}])
    phases.update("http_request_cache_settings", zone_id=zone_id, rules=[CACHE_RULE])
    phases.get("http_request_dynamic_redirect", zone_id=zone_id)
    phases.update("http_request_firewall_custom", zone_id=zone_id, rules=[
        SKIP_HEALTH, SKIP_LIMITS, BLOCK_ADMIN, {"action": "managed_challenge", "expression": "true"},
        {**BLOCK_ADMIN, "action_parameters": {"response": {
            "status_code": 418, "content": "no", "content_type": "text/plain"}}}])
    phases.update("http_ratelimit", zone_id=zone_id, rules=[LOGIN_LIMIT])
    # Only set and remove: the 2024 schema's rewrite headers predate the "add" operation.
    phases.update("http_response_headers_transform", zone_id=zone_id, rules=[HEADERS])
    phases.get("http_ratelimit", zone_id=zone_id)
    phases.get("http_request_firewall_custom", zone_id=zone_id)
    phases.versions.list("http_request_dynamic_redirect", zone_id=zone_id)
    phases.versions.get("1", ruleset_phase="http_request_dynamic_redirect", zone_id=zone_id)
    client.bot_management.get(zone_id=zone_id)
    client.bot_management.update(zone_id=zone_id, fight_mode=True, enable_js=True)
    client.dns.settings.zone.get(zone_id=zone_id)
    client.dns.dnssec.get(zone_id=zone_id)
    client.dns.dnssec.edit(zone_id=zone_id, status="active")
    client.dns.dnssec.get(zone_id=zone_id)
    client.dns.dnssec.delete(zone_id=zone_id)
    cf_api.world.add_token("read-only", permissions=frozenset({"DNS Read"}))
    failing = [
        lambda: records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.9", ttl=1),  # 81053
        lambda: records.create(zone_id=zone_id, type="A", name="x", content="nope", ttl=1),  # 1004
        lambda: records.get("f" * 32, zone_id=zone_id),  # 81044
        lambda: records.batch(zone_id=zone_id, posts=[{"type": "A", "name": "y", "content": "bad", "ttl": 1}]),
        lambda: client.zones.settings.edit("ssl", zone_id=zone_id, value="bogus"),  # 1007
        lambda: phases.get("http_request_cache_settings", zone_id="0" * 32),  # 7003
        lambda: phases.versions.get("9", ruleset_phase="http_request_cache_settings", zone_id=zone_id),
        lambda: phases.update("http_request_dynamic_redirect", zone_id=zone_id,
                              rules=[{**REDIRECT_RULE, "expression": 'http.cookie eq "a"'}]),
        lambda: phases.update("http_ratelimit", zone_id=zone_id, rules=[LOGIN_LIMIT, LOGIN_LIMIT]),  # 20217
        lambda: client.zones.settings.edit("security_level", zone_id=zone_id, value="paranoid"),  # 1007
        lambda: records.create(zone_id=zone_id, type="CAA", name="@", ttl=1,
                               data={"flags": 0, "tag": "issuer", "value": "x"}),  # 1004 / 9101
        lambda: cf_api.client("read-only").dns.records.delete(mx.id, zone_id=zone_id),  # 403
        lambda: cf_api.client("no-such-token").zones.get(zone_id=zone_id),  # 401
    ]
    for call in failing:
        with pytest.raises(cloudflare.APIStatusError):
            call()
    cf_api.zone.rulesets.pop("http_request_cache_settings")
    with pytest.raises(cloudflare.NotFoundError):
        phases.get("http_request_cache_settings", zone_id=zone_id)  # 10003


def test_a_session_over_every_endpoint_matches_cloudflares_schema(cf_api, spec):
    _session(cf_api)
    served = {(e.method, e.endpoint) for e in cf_api.exchanges}
    routes = {(r.method, r.template) for r in ROUTES.routes if r.template in spec["paths"] or r.template == BATCH}
    assert routes <= served, f"the session missed {routes - served}"
    write_spec = _write_view(spec)
    problems = {f"{e.method} {e.path} -> {e.status}": _check(spec, write_spec, e) for e in cf_api.exchanges}
    failures = "\n".join(f"{k}: {p}" for k, v in problems.items() for p in v)
    assert not failures, failures
    assert {e.status for e in cf_api.exchanges} >= {200, 400, 401, 403, 404}
