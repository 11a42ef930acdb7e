"""Fix plans against the sandbox demo: each fix's changes from the starting state (before and
after exact), an empty plan once the plan's intent is applied through the official SDK, the
CNAME/A conflict as delete + create, others' rules kept with ids and order, full instead of
strict in front of a bad origin certificate, mail names never proxied, call counts, bad ids."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cloudflare import Cloudflare

from wizard.edge.client import build_client
from wizard.edge.fixes import FIXES, plan_fixes
from wizard.edge.live_zone import CACHE_PHASE, REDIRECT_PHASE, LiveZone, read_live_zone
from wizard.edge.origin_facts import gather_facts
from wizard.edge.plan import Plan
from wizard.net import NetContext
from wizard.sandbox.ca import BadCert
from wizard.sandbox.demo import APP, DOMAIN
from wizard.sprint import SprintConfig

WWW = f"www.{DOMAIN}"
HSTS_OFF = {"enabled": False, "include_subdomains": False, "max_age": 0, "nosniff": False, "preload": False}


@pytest.fixture
def edge(sandbox, tmp_path):
    """(plan, cf, zone_id, config): `await plan(*fix_ids, config=...)` reads the live zone,
    gathers facts and plans; cf is a plain SDK client for changing the zone behind its back."""
    sandbox.ca.write_pem(tmp_path / "sandbox-ca.pem")
    config = sandbox.demo_config("acme")
    cf = Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url, max_retries=0)
    zone_id = cf.zones.list(name=DOMAIN).result[0].id

    async def plan(*fix_ids: str, config: SprintConfig = config, **options) -> Plan:
        async with NetContext(config.network, DOMAIN, tmp_path) as net:
            client = build_client(sandbox.token, net, sandbox.api.base_url)
            try:
                live = await read_live_zone(client, net, DOMAIN)
                facts = await gather_facts(net, live, config, list(fix_ids))
            finally:
                client.close()
        return plan_fixes(live, config, list(fix_ids), facts, **options)

    return plan, cf, zone_id, config


def with_target(config: SprintConfig, **target: Any) -> SprintConfig:
    data = config.model_dump(by_alias=True)
    data["target"].update(target)
    return SprintConfig.model_validate(data)


def apply_directly(cf: Cloudflare, zone_id: str, plan: Plan) -> None:
    """The plan's intent through the SDK, as simply as possible (no snapshot, no journal)."""
    dns = plan.of_kind("dns")
    if dns:
        cf.dns.records.batch(
            zone_id=zone_id,
            deletes=[{"id": c.before["id"]} for c in dns if c.op == "delete"],
            patches=[c.after for c in dns if c.op == "update"],
            posts=[c.after for c in dns if c.op == "create"])
    for c in plan.of_kind("setting"):
        cf.zones.settings.edit(setting_id=c.target, zone_id=zone_id, value=c.after["value"])
    for c in plan.of_kind("rules"):
        cf.rulesets.phases.update(ruleset_phase=c.target, zone_id=zone_id, rules=c.after["rules"])
    for c in plan.of_kind("bot_management"):
        cf.bot_management.update(zone_id=zone_id, fight_mode=c.after["fight_mode"])


def record(cf: Cloudflare, zone_id: str, rtype: str, name: str) -> dict[str, Any]:
    r = cf.dns.records.list(zone_id=zone_id, type=rtype, name={"exact": name}).result[0]
    return {"id": r.id, "type": rtype, "name": name, "content": r.content, "proxied": r.proxied, "ttl": r.ttl}


def cache_everything(cf: Cloudflare, zone_id: str) -> dict[str, Any]:
    rule = cf.rulesets.phases.get(ruleset_phase=CACHE_PHASE, zone_id=zone_id).rules[0]
    return {"id": rule.id, "ref": rule.ref, "expression": f'(http.host eq "{APP}")', "action": "set_cache_settings",
            "action_parameters": {"cache": True, "edge_ttl": {"mode": "override_origin", "default": 3600,
                                                              "status_code_ttl": []}},
            "description": "Cache everything on the app (speeds up the demo)", "enabled": True}


REDIRECT_RULE = {
    "ref": "launch_ready_canonical_redirect",
    "description": f"launch-ready cf.redirect-canonical: {WWW} -> https://{DOMAIN}",
    "expression": f'(http.host eq "{WWW}")', "action": "redirect",
    "action_parameters": {"from_value": {"status_code": 301, "target_url": {
        "expression": f'concat("https://{DOMAIN}", http.request.uri.path)'}, "preserve_query_string": True}},
    "enabled": True,
}
BYPASS_RULE = {
    "ref": "launch_ready_private_no_cache",
    "description": "launch-ready cf.cache-bypass-private: never cache private responses",
    # the private URL's path, and the whole API host (the demo sprint's api.base_url)
    "expression": f'(http.host eq "{APP}" and http.request.uri.path in {{"/api/me"}}) or '
                  f'(http.host eq "api.{DOMAIN}")',
    "action": "set_cache_settings", "action_parameters": {"cache": False}, "enabled": True,
}


def expected(fix: str, cf: Cloudflare, zone_id: str) -> list[tuple]:
    """(kind, target, before, after) of each change the fix plans from the demo's start."""
    apex = record(cf, zone_id, "A", DOMAIN)
    setting = {"cf.ssl-strict": ("ssl", "flexible", "strict"),
               "cf.always-use-https": ("always_use_https", "off", "on"),
               "cf.min-tls": ("min_tls_version", "1.0", "1.2"),
               "cf.https-rewrites": ("automatic_https_rewrites", "off", "on")}
    if fix in setting:
        sid, before, after = setting[fix]
        return [("setting", sid, {"value": before}, {"value": after})]
    return {
        "cf.dns-www": [("dns", f"CNAME {WWW}", None, {"type": "CNAME", "name": WWW, "content": DOMAIN,
                                                      "proxied": True, "ttl": 1})],
        "cf.proxy": [("dns", f"A {DOMAIN}", apex, {**apex, "proxied": True, "ttl": 1})],
        "cf.hsts": [("setting", "security_header", {"value": {"strict_transport_security": HSTS_OFF}},
                     {"value": {"strict_transport_security": {**HSTS_OFF, "enabled": True, "max_age": 31536000}}})],
        "cf.redirect-canonical": [("rules", REDIRECT_PHASE, {"rules": []}, {"rules": [REDIRECT_RULE]})],
        "cf.cache-bypass-private": [("rules", CACHE_PHASE, {"rules": [cache_everything(cf, zone_id)]},
                                     {"rules": [cache_everything(cf, zone_id), BYPASS_RULE]})],
        "cf.bot-fight-mode": [("bot_management", "bot_management", {"fight_mode": False}, {"fight_mode": True})],
        "cf.email-dmarc": [("dns", f"TXT _dmarc.{DOMAIN}", None, {
            "type": "TXT", "name": f"_dmarc.{DOMAIN}", "content": f"v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}",
            "proxied": False, "ttl": 1})],
    }[fix]


CHANGING = ["cf.dns-www", "cf.proxy", "cf.ssl-strict", "cf.always-use-https", "cf.min-tls", "cf.hsts",
            "cf.https-rewrites", "cf.redirect-canonical", "cf.cache-bypass-private", "cf.bot-fight-mode",
            "cf.email-dmarc"]


@pytest.mark.parametrize("fix", CHANGING)
async def test_fix_from_the_demo_start_then_empty_once_applied(edge, fix):
    plan, cf, zone_id, _ = edge
    first = await plan(fix)
    assert [(c.kind, c.target, c.before, c.after) for c in first.changes] == expected(fix, cf, zone_id)
    assert {c.fix for c in first.changes} == {fix} and first.fixes == [fix]
    apply_directly(cf, zone_id, first)
    again = await plan(fix)
    assert again.empty, [c.describe() for c in again.changes]


async def test_every_fix_at_once_then_empty_and_call_count(edge):
    plan, cf, zone_id, _ = edge
    everything = await plan(*FIXES)
    # DNS: proxy the apex, create www, create DMARC, 3 CAA records -> one batch; 5 settings;
    # 5 phases (redirect, cache, header transform, rate limit, custom rules); bot once
    assert len(everything.of_kind("dns")) == 6 and everything.api_calls() == 1 + 5 + 5 + 1
    assert sorted(everything.fixes) == sorted(FIXES)
    # with www created in the same plan, every subdomain is HTTPS-ready: includeSubDomains on
    hsts = next(c for c in everything.changes if c.target == "security_header")
    assert hsts.after["value"]["strict_transport_security"]["include_subdomains"] is True
    assert hsts.after["value"]["strict_transport_security"]["preload"] is False
    apply_directly(cf, zone_id, everything)
    assert (await plan(*FIXES)).empty


async def test_plans_are_deterministic_whatever_the_order_of_ids(edge):
    plan, *_ = edge
    one, two = await plan(*FIXES), await plan(*reversed(list(FIXES)))
    assert one.model_dump(exclude={"created_at"}) == two.model_dump(exclude={"created_at"})


async def test_www_stale_a_record_is_replaced_by_delete_and_create_in_one_batch(edge):
    plan, cf, zone_id, _ = edge
    stale = cf.dns.records.create(zone_id=zone_id, type="A", name=WWW, content="127.0.0.9", ttl=1)
    p = await plan("cf.dns-www")
    assert [(c.op, c.target) for c in p.changes] == [("delete", f"A {WWW}"), ("create", f"CNAME {WWW}")]
    assert p.changes[0].before["id"] == stale.id and p.changes[1].after["content"] == DOMAIN
    assert p.api_calls() == 1
    apply_directly(cf, zone_id, p)
    assert (await plan("cf.dns-www")).empty


async def test_missing_apex_copied_from_www(edge):
    plan, cf, zone_id, _ = edge
    apex = record(cf, zone_id, "A", DOMAIN)
    cf.dns.records.create(zone_id=zone_id, type="A", name=WWW, content=apex["content"], ttl=1)
    cf.dns.records.delete(dns_record_id=apex["id"], zone_id=zone_id)
    p = await plan("cf.dns-apex")
    assert [(c.op, c.after) for c in p.changes] == [
        ("create", {"type": "A", "name": DOMAIN, "content": apex["content"], "proxied": True, "ttl": 1})]


async def test_canonical_www_makes_the_apex_follow_www(edge):
    plan, cf, zone_id, config = edge
    www_first = with_target(config, canonical=WWW)
    p = await plan("cf.dns-apex", "cf.dns-www", config=www_first)
    # www (the source) is created as a copy of the apex; the apex then already matches it
    assert [(c.op, c.target, c.fix) for c in p.changes] == [("create", f"A {WWW}", "cf.dns-www")]
    redirect = await plan("cf.redirect-canonical", config=www_first)
    rule = redirect.changes[0].after["rules"][0]
    assert rule["expression"] == f'(http.host eq "{DOMAIN}")'
    assert rule["action_parameters"]["from_value"]["target_url"]["expression"] == \
        f'concat("https://{WWW}", http.request.uri.path)'


async def test_redirect_merges_with_others_rules_and_308_is_an_option(edge):
    plan, cf, zone_id, _ = edge
    theirs = {"expression": f'(http.host eq "{APP}" and http.request.uri.path eq "/old")', "action": "redirect",
              "action_parameters": {"from_value": {"status_code": 302, "target_url": {"value": f"https://{APP}/new"}}}}
    cf.rulesets.phases.update(ruleset_phase=REDIRECT_PHASE, zone_id=zone_id, rules=[theirs])
    p = await plan("cf.redirect-canonical", redirect_status=308)
    before, after = p.changes[0].before["rules"], p.changes[0].after["rules"]
    assert after[0] == before[0] and after[1]["action_parameters"]["from_value"]["status_code"] == 308
    apply_directly(cf, zone_id, p)
    # someone adds a rule after ours: re-planning finds ours unchanged and keeps theirs
    rules = [{k: v for k, v in r.items() if k not in ("version", "last_updated")}
             for r in cf.rulesets.phases.update(ruleset_phase=REDIRECT_PHASE, zone_id=zone_id, rules=[
                 *after, {**theirs, "expression": f'(http.host eq "{APP}" and http.request.uri.path eq "/x")'}])["rules"]]
    assert (await plan("cf.redirect-canonical", redirect_status=308)).empty
    back_to_301 = await plan("cf.redirect-canonical")
    new = back_to_301.changes[0].after["rules"]
    assert [r["id"] for r in new] == [r["id"] for r in rules]  # updated in place, order kept


async def test_cache_bypass_moves_back_to_last_and_keeps_others_order(edge):
    plan, cf, zone_id, _ = edge
    apply_directly(cf, zone_id, await plan("cf.cache-bypass-private"))
    current = cf.rulesets.phases.get(ruleset_phase=CACHE_PHASE, zone_id=zone_id)
    rules = [{"id": r.id, "ref": r.ref, "expression": r.expression, "action": r.action,
              "action_parameters": r.action_parameters.model_dump(exclude_none=True)} for r in current.rules]
    later = {"expression": '(http.host eq "acme.example")', "action": "set_cache_settings",
             "action_parameters": {"cache": True}}
    cf.rulesets.phases.update(ruleset_phase=CACHE_PHASE, zone_id=zone_id, rules=[*rules, later])
    p = await plan("cf.cache-bypass-private")
    before, after = p.changes[0].before["rules"], p.changes[0].after["rules"]
    assert [r["id"] for r in after] == [before[0]["id"], before[2]["id"], before[1]["id"]]
    assert after[-1]["ref"] == "launch_ready_private_no_cache"


async def test_ssl_full_not_strict_when_the_origin_certificate_is_bad(edge, sandbox):
    plan, *_ = edge
    sandbox.origin.options.bad_cert = BadCert.EXPIRED
    p = await plan("cf.ssl-strict")
    assert [(c.target, c.before, c.after) for c in p.changes] == [("ssl", {"value": "flexible"}, {"value": "full"})]
    assert any("526" in n and "not valid" in n for n in p.notes)


async def test_mail_and_verification_names_are_never_proxied(edge):
    plan, _, _, config = edge
    with_mail = with_target(config, hosts=[*config.target.hosts, f"mail.{DOMAIN}", f"out1.crm.{DOMAIN}"])
    p = await plan("cf.proxy", config=with_mail)
    assert [c.target for c in p.changes] == [f"A {DOMAIN}"]
    assert any(f"mail.{DOMAIN} is a mail server" in n for n in p.notes)
    assert any(f"out1.crm.{DOMAIN} is a mail server (named in SPF)" in n for n in p.notes)


async def test_spf_over_the_limit_changes_nothing_and_says_what_costs_what(edge):
    plan, *_ = edge
    p = await plan("cf.email-spf")
    assert p.empty
    assert any("12 DNS lookups" in n and "include:_spf.mailer.acme.example 5" in n for n in p.notes)


@pytest.mark.parametrize(("sends", "content"), [(True, "v=spf1 mx ~all"), (False, "v=spf1 -all")])
async def test_spf_created_when_missing(edge, sends, content):
    plan, cf, zone_id, config = edge
    spf = [r for r in cf.dns.records.list(zone_id=zone_id, type="TXT", name={"exact": DOMAIN}).result]
    cf.dns.records.delete(dns_record_id=spf[0].id, zone_id=zone_id)
    data = config.model_dump(by_alias=True)
    data["email"]["sends_mail"] = sends
    p = await plan("cf.email-spf", config=SprintConfig.model_validate(data))
    assert [(c.op, c.after["content"]) for c in p.changes] == [("create", content)]


async def test_dmarc_at_p_none_is_left_with_the_next_step(edge):
    plan, cf, zone_id, _ = edge
    apply_directly(cf, zone_id, await plan("cf.email-dmarc"))
    p = await plan("cf.email-dmarc")
    assert p.empty and any("p=quarantine" in n for n in p.notes)


async def test_unknown_fix_id_names_it_and_the_known_ones(edge):
    plan, *_ = edge
    with pytest.raises(ValueError, match=r"cf\.nope.*known: cf\.dns-apex"):
        await plan("cf.proxy", "cf.nope")


async def test_alias_of_dns_consistent_plans_the_proxy(edge):
    plan, *_ = edge
    assert (await plan("cf.proxy-records")).fixes == ["cf.proxy"]


async def test_live_zone_round_trips_through_json(edge, sandbox, tmp_path):
    _, _, _, config = edge
    async with NetContext(config.network, DOMAIN, tmp_path) as net:
        client = build_client(sandbox.token, net, sandbox.api.base_url)
        live = await read_live_zone(client, net, DOMAIN)
        client.close()
    assert net.budget.used == 13  # zone, one record page, 5 settings, bot, 5 phases
    assert LiveZone.from_json(json.loads(json.dumps(live.to_json()))) == live
    assert live.rules[REDIRECT_PHASE] == [] and len(live.rules[CACHE_PHASE]) == 1
