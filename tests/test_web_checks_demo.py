"""Against the demo sandbox: each starting blocker the web checks cover is reported by the right
check, and after fixing it through the Cloudflare API (the official SDK against the emulator) the
same check passes. Every run builds a fresh net context, as a real check run does."""

from __future__ import annotations

import pytest
from cloudflare import Cloudflare

from stages.checks.web import STAGE1_CHECKS, STAGE3_CHECKS
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext
from wizard.sandbox.demo import APP, DOMAIN

CHECKS = {c.id: c for c in STAGE1_CHECKS + STAGE3_CHECKS}
WWW = f"www.{DOMAIN}"
HOME = f"https://{DOMAIN}/"


@pytest.fixture
def demo(sprint, sandbox):
    """(run the named checks -> findings by (id, subject), SDK client, zone id)."""
    config = sprint.load_config()

    async def check(*ids: str) -> dict[tuple[str, str], Finding]:
        async with NetContext(config.network, DOMAIN, sprint.root) as net:
            result = await run_checks([CHECKS[i] for i in ids], RunContext(config, net))
        return {(f.id, f.subject): f for f in result.findings}

    cf = Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url, max_retries=0)
    return check, cf, cf.zones.list(name=DOMAIN).result[0].id


def proxy_apex(cf: Cloudflare, zone_id: str) -> None:
    apex = cf.dns.records.list(zone_id=zone_id, name={"exact": DOMAIN}, type="A").result[0]
    cf.dns.records.edit(dns_record_id=apex.id, zone_id=zone_id, type="A", name=DOMAIN,
                        content=apex.content, proxied=True, ttl=1)


async def test_the_apex_bypassing_the_edge_until_proxied(demo):
    check, cf, zone_id = demo
    before = (await check("dns.consistent"))[("dns.consistent", DOMAIN)]
    assert before.status is Status.FAIL and before.is_blocker and f"{DOMAIN} (127.0.0.3)" in before.summary
    proxy_apex(cf, zone_id)
    assert (await check("dns.consistent"))[("dns.consistent", DOMAIN)].status is Status.PASS


async def test_http_not_enforced_until_always_use_https(demo):
    check, cf, zone_id = demo
    before = (await check("https.enforced"))[("https.enforced", APP)]
    assert before.status is Status.FAIL and before.fix == "cf.always-use-https"
    cf.zones.settings.edit(setting_id="always_use_https", zone_id=zone_id, value="on")
    assert (await check("https.enforced"))[("https.enforced", APP)].status is Status.PASS


async def test_no_hsts_until_a_year_is_sent(demo):
    check, cf, zone_id = demo
    assert (await check("https.hsts"))[("https.hsts", APP)].status is Status.FAIL
    cf.zones.settings.edit(setting_id="security_header", zone_id=zone_id, value={
        "strict_transport_security": {"enabled": True, "max_age": 31536000, "include_subdomains": False,
                                      "preload": False, "nosniff": True}})
    assert (await check("https.hsts"))[("https.hsts", APP)].status is Status.PASS


async def test_mixed_content_image_until_proxied_with_https_rewrites(demo):
    check, cf, zone_id = demo
    before = (await check("https.mixed-content"))[("https.mixed-content", HOME)]
    assert before.status is Status.FAIL and before.severity is Severity.CAN_WAIT
    assert before.evidence["insecure"] == [
        {"kind": "image", "element": "img src", "url": f"http://{DOMAIN}/static/hero.svg"}]
    proxy_apex(cf, zone_id)  # rewrites happen at the edge, so the page must go through it
    cf.zones.settings.edit(setting_id="automatic_https_rewrites", zone_id=zone_id, value="on")
    assert (await check("https.mixed-content"))[("https.mixed-content", HOME)].status is Status.PASS


async def test_flexible_ssl_with_an_https_forcing_origin_loops_until_strict(demo, sandbox):
    check, cf, zone_id = demo
    sandbox.origin.options.redirect_http_to_https = True
    loop = (await check("https.no-redirect-loop"))[("https.no-redirect-loop", APP)]
    assert loop.status is Status.FAIL and loop.is_blocker and "loops:" in loop.summary
    cf.zones.settings.edit(setting_id="ssl", zone_id=zone_id, value="strict")
    assert (await check("https.no-redirect-loop"))[("https.no-redirect-loop", APP)].status is Status.PASS


async def test_www_missing_then_redirected_to_the_apex(demo):
    check, cf, zone_id = demo
    before = await check("https.canonical-redirect", "https.preserves-path")
    assert before[("https.canonical-redirect", WWW)].status is Status.FAIL
    assert "does not resolve" in before[("https.canonical-redirect", WWW)].summary
    cf.dns.records.create(zone_id=zone_id, type="CNAME", name="www", content=DOMAIN, proxied=True, ttl=1)
    cf.rulesets.phases.update(ruleset_phase="http_request_dynamic_redirect", zone_id=zone_id, rules=[{
        "expression": f'(http.host eq "{WWW}")', "action": "redirect", "description": "www to apex",
        "action_parameters": {"from_value": {
            "status_code": 301, "preserve_query_string": True,
            "target_url": {"expression": f'concat("https://{DOMAIN}", http.request.uri.path)'}}}}])
    after = await check("https.canonical-redirect", "https.preserves-path")
    assert after[("https.canonical-redirect", WWW)].status is Status.PASS
    assert after[("https.preserves-path", WWW)].status is Status.PASS


async def test_the_demo_certificates_and_nameservers_are_healthy(demo):
    check, cf, zone_id = demo
    found = await check("tls.certificate", "dns.nameservers", "https.available")
    assert found[("tls.certificate", APP)].status is Status.PASS
    assert found[("tls.certificate", APP)].evidence["issuer"].startswith("launch-ready sandbox")
    assert found[("tls.certificate", WWW)].status is Status.ERROR  # www does not resolve yet
    assert found[("dns.nameservers", DOMAIN)].status is Status.PASS
    assert found[("https.available", WWW)].status is Status.FAIL
