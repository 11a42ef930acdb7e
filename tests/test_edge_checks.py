"""The edge.* checks against the sandbox demo: each starting blocker is reported, and fixing it
through the emulator's API with the official SDK makes the same check pass on a fresh run.
Also: no token, a rejected token, global-key variables ignored, one zone read per run, budget."""

from __future__ import annotations

import pytest
from cloudflare import Cloudflare

from stages.checks.cloudflare import STAGE3_CHECKS, zone_state
from wizard.application.checks import run_sprint
from wizard.application.open_sprint import OpenSprint
from wizard.edge.client import build_client
from wizard.engine import RunContext, run_checks
from wizard.findings import Severity, Status
from wizard.net import NetContext
from wizard.sandbox.demo import APP, DOMAIN
from wizard.vault import Vault

WWW = f"www.{DOMAIN}"
ME = f"https://{APP}/api/me"


@pytest.fixture
def demo(sprint, sandbox, monkeypatch):
    """(run, SDK client, zone id): `run(*ids)` is a fresh run returning {(id, subject): finding}."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", sandbox.token)
    monkeypatch.setenv("LAUNCH_READY_USER_A", "tok-alice")
    monkeypatch.setenv("LAUNCH_READY_USER_B", "tok-bob")
    config = sprint.load_config()

    async def run(*only: str) -> dict:
        result = await run_sprint(OpenSprint(sprint, config), only=only)
        return {(f.id, f.subject): f for f in result.findings}

    cf = Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url, max_retries=0)
    zone_id = cf.zones.list(name=DOMAIN).result[0].id
    return run, cf, zone_id


def _proxy_apex_and_add_www(cf: Cloudflare, zone_id: str) -> None:
    apex = cf.dns.records.list(zone_id=zone_id, name={"exact": DOMAIN}, type="A").result[0]
    cf.dns.records.edit(dns_record_id=apex.id, zone_id=zone_id, type="A", name=DOMAIN,
                        content=apex.content, proxied=True, ttl=1)
    cf.dns.records.create(zone_id=zone_id, type="CNAME", name="www", content=DOMAIN, proxied=True, ttl=1)


def _setting(setting_id: str, value):
    return lambda cf, zone_id: cf.zones.settings.edit(setting_id=setting_id, zone_id=zone_id, value=value)


def _bypass_private(cf: Cloudflare, zone_id: str) -> None:
    phase = cf.rulesets.phases.get(ruleset_phase="http_request_cache_settings", zone_id=zone_id)
    rules = [{"id": r.id, "expression": r.expression, "action": r.action,
              "action_parameters": r.action_parameters.model_dump(exclude_none=True)} for r in phase.rules]
    rules.append({"expression": '(http.request.uri.path eq "/api/me")', "action": "set_cache_settings",
                  "action_parameters": {"cache": False}})
    cf.rulesets.phases.update(ruleset_phase="http_request_cache_settings", zone_id=zone_id, rules=rules)


DEMO_BLOCKERS = [
    # check id, subjects failing at the start (status), the fix through the API
    ("edge.proxied", {DOMAIN: Status.FAIL, WWW: Status.FAIL, APP: Status.PASS}, _proxy_apex_and_add_www),
    ("edge.ssl-mode", {DOMAIN: Status.FAIL}, _setting("ssl", "strict")),
    ("edge.always-https", {DOMAIN: Status.FAIL}, _setting("always_use_https", "on")),
    ("edge.min-tls", {DOMAIN: Status.FAIL}, _setting("min_tls_version", "1.2")),
    ("edge.https-rewrites", {DOMAIN: Status.FAIL}, _setting("automatic_https_rewrites", "on")),
    ("edge.bot-protection", {DOMAIN: Status.WARN},
     lambda cf, zone_id: cf.bot_management.update(zone_id=zone_id, fight_mode=True)),
    ("edge.private-not-cached", {ME: Status.FAIL}, _bypass_private),
]


@pytest.mark.parametrize(("check_id", "before", "fix"), DEMO_BLOCKERS, ids=[b[0] for b in DEMO_BLOCKERS])
async def test_demo_blocker_reported_then_fixed_through_the_api(demo, check_id, before, fix):
    run, cf, zone_id = demo
    found = await run(check_id)
    assert {s: found[(check_id, s)].status for s in before} == before
    fixes = {found[(check_id, s)].fix for s in before if before[s] is not Status.PASS}
    assert None not in fixes
    fix(cf, zone_id)
    after = await run(check_id)
    assert {s: after[(check_id, s)].status for s in before} == dict.fromkeys(before, Status.PASS)


async def test_every_fix_id_and_the_evidence_a_person_acts_on(demo):
    run, cf, zone_id = demo
    found = await run(*(c.id for c in STAGE3_CHECKS))
    assert {f.id: f.fix for f in found.values() if f.status is not Status.PASS} == {
        "edge.proxied": "cf.proxy", "edge.ssl-mode": "cf.ssl-strict",
        "edge.always-https": "cf.always-use-https", "edge.min-tls": "cf.min-tls",
        "edge.https-rewrites": "cf.https-rewrites", "edge.bot-protection": "cf.bot-fight-mode",
        "edge.private-not-cached": "cf.cache-bypass-private", "dns.dnssec": None}
    dnssec = found[("dns.dnssec", DOMAIN)]
    assert dnssec.status is Status.WARN and "registrar" in dnssec.remediation
    apex = found[("edge.proxied", DOMAIN)]
    assert "127.0.0.3" in apex.summary and apex.evidence["records"][0]["proxied"] is False
    assert found[("edge.proxied", APP)].evidence["live"]["cf_ray"].endswith("-SBX")
    leak = found[("edge.private-not-cached", ME)]
    assert "user B received user A's response" in leak.summary
    assert "Alice" not in str(leak.evidence) and "tok-alice" not in str(leak.evidence)
    assert "webhooks" in found[("edge.bot-protection", DOMAIN)].remediation


async def test_flexible_is_named_as_the_cause_of_a_redirect_loop(demo, sandbox):
    run, cf, zone_id = demo
    sandbox.origin.options.redirect_http_to_https = True  # the app forces HTTPS itself
    finding = (await run("edge.ssl-mode"))[("edge.ssl-mode", DOMAIN)]
    assert finding.status is Status.FAIL
    assert "cause of the redirect loop on app.acme.example" in finding.summary
    assert finding.evidence["redirect_loops"] == [APP]


async def test_full_warns(demo):
    run, cf, zone_id = demo
    cf.zones.settings.edit(setting_id="ssl", zone_id=zone_id, value="full")
    finding = (await run("edge.ssl-mode"))[("edge.ssl-mode", DOMAIN)]
    assert (finding.status, finding.fix) == (Status.WARN, "cf.ssl-strict")


async def test_no_token_skips_with_the_way_to_add_one_and_live_checks_still_run(demo, monkeypatch):
    run, cf, zone_id = demo
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    found = await run("dns.resolves", *(c.id for c in STAGE3_CHECKS))
    api_checks = [c.id for c in STAGE3_CHECKS if c.id != "edge.private-not-cached"]
    for check_id in api_checks:
        skipped = found[(check_id, DOMAIN)]
        assert skipped.status is Status.SKIPPED
        # the tests run without a keyring: the line says so, and names the CI variable
        assert "no Cloudflare API token for acme, and no usable keyring" in skipped.summary
        assert "CLOUDFLARE_API_TOKEN" in skipped.summary
    assert found[("dns.resolves", WWW)].status is Status.FAIL
    assert found[("edge.private-not-cached", ME)].status is Status.FAIL  # live: no token needed


async def test_a_rejected_token_is_an_error_that_says_so(demo, monkeypatch):
    run, cf, zone_id = demo
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "revoked-token-1234567890abcdef")
    found = await run("edge.ssl-mode", "edge.proxied")
    for key in (("edge.ssl-mode", DOMAIN), ("edge.proxied", DOMAIN)):
        assert found[key].status is Status.ERROR
        assert "Cloudflare rejected the API token" in found[key].summary
        assert "revoked-token-1234567890abcdef" not in found[key].model_dump_json()


async def test_global_key_variables_are_ignored(demo, sandbox, monkeypatch):
    """The emulator answers 401 to any X-Auth-Email / X-Auth-Key: the run reading the zone
    proves only the Bearer token went out."""
    run, cf, zone_id = demo
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "owner@acme.example")
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "global-key-0000")
    monkeypatch.setenv("CLOUDFLARE_CUSTOM_HEADERS", "X-Auth-Key: global-key-0000")
    exchanges = []
    sandbox.api.observer = exchanges.append
    finding = (await run("edge.ssl-mode"))[("edge.ssl-mode", DOMAIN)]
    assert finding.status is Status.FAIL and finding.evidence["value"] == "flexible"
    assert exchanges and all(e.status == 200 for e in exchanges)


def test_the_client_carries_only_the_bearer_token(sandbox, sprint, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "owner@acme.example")
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "global-key-0000")
    net = NetContext(sprint.load_config().network, DOMAIN, sprint.root)
    client = build_client("the-token", net, sandbox.api.base_url)
    assert client.auth_headers == {"Authorization": "Bearer the-token"}
    assert not {"X-Auth-Email", "X-Auth-Key"} & {k for k, v in client.default_headers.items()
                                                  if isinstance(v, str)}
    assert client.copy().auth_headers == {"Authorization": "Bearer the-token"}


async def test_the_zone_is_read_once_per_run_and_every_call_is_budgeted(demo, sandbox):
    run, cf, zone_id = demo
    exchanges = []
    sandbox.api.observer = exchanges.append
    await run(*(c.id for c in STAGE3_CHECKS))
    endpoints = sorted(e.endpoint for e in exchanges)
    assert endpoints.count("/zones") == 1
    assert endpoints.count("/zones/{zone_id}/dns_records") == 1
    assert endpoints.count("/zones/{zone_id}/settings/{setting_id}") == 5
    assert endpoints.count("/zones/{zone_id}/bot_management") == 1
    assert endpoints.count("/zones/{zone_id}/dnssec") == 1
    assert len(exchanges) == 9


async def test_api_calls_are_spent_from_the_request_budget(sprint, sandbox, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", sandbox.token)
    config = sprint.load_config()
    async with NetContext(config.network, DOMAIN, sprint.root) as net:
        ctx = RunContext(config, net, vault=Vault(config.name))
        state = await zone_state(ctx)
        assert state.settings["ssl"] == "flexible" and net.budget.used == 9
        assert await zone_state(ctx) is state and net.budget.used == 9  # shared, not re-read
    config.network.request_budget = 3
    async with NetContext(config.network, DOMAIN, sprint.root) as net:
        finding = (await run_one(config, net, "edge.min-tls"))[0]
    assert finding.status is Status.ERROR and "request budget of 3 used up" in finding.summary


async def run_one(config, net, check_id):
    check = next(c for c in STAGE3_CHECKS if c.id == check_id)
    return (await run_checks([check], RunContext(config, net, vault=Vault(config.name)))).findings


async def test_dnssec_pending_names_the_ds_record_and_active_passes(demo, sandbox):
    from wizard.sandbox.cfapi.dnssec import registrar_has_ds

    run, cf, zone_id = demo
    cf.dns.dnssec.edit(zone_id=zone_id, status="active")  # signed at Cloudflare: pending the DS
    pending = (await run("dns.dnssec"))[("dns.dnssec", DOMAIN)]
    assert pending.status is Status.WARN and "not active" in pending.summary
    assert pending.evidence["ds"] and pending.evidence["ds"] in pending.remediation
    registrar_has_ds(sandbox.world.zone_for(DOMAIN))
    active = (await run("dns.dnssec"))[("dns.dnssec", DOMAIN)]
    assert active.status is Status.PASS and active.fix is None


async def test_caa_warns_without_records_and_fails_when_a_ca_in_use_is_not_allowed(demo):
    run, cf, zone_id = demo
    none = (await run("dns.caa"))[("dns.caa", DOMAIN)]
    assert none.status is Status.WARN and 'CAA 0 issue "pki.goog"' in none.remediation
    cf.dns.records.create(zone_id=zone_id, type="CAA", name="@", ttl=1,
                          data={"flags": 0, "tag": "issue", "value": "letsencrypt.org"})
    narrow = (await run("dns.caa"))[("dns.caa", DOMAIN)]  # DNS answers from the live zone
    assert narrow.status is Status.FAIL and narrow.severity is Severity.BLOCKER
    assert "not pki.goog, ssl.com" in narrow.summary
    for ca in ("pki.goog", "ssl.com"):
        cf.dns.records.create(zone_id=zone_id, type="CAA", name="@", ttl=1,
                              data={"flags": 0, "tag": "issue", "value": ca})
    assert (await run("dns.caa"))[("dns.caa", DOMAIN)].status is Status.PASS
