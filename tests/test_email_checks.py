"""The email.* checks: each edge case on a purpose-built zone served by the sandbox's DNS server,
and the demo's SPF and DMARC blockers reported, then fixed through the API."""

from __future__ import annotations

import requests
from cloudflare import Cloudflare

from stages.checks.email import STAGE1_CHECKS
from tests.conftest import dns_for, silent_nameserver
from wizard.application.checks import run_sprint
from wizard.application.open_sprint import OpenSprint
from wizard.engine import RunContext, run_checks
from wizard.findings import Severity, Status
from wizard.net import NetContext
from wizard.sandbox.demo import DOMAIN
from wizard.sprint import Email, Network, SprintConfig, Target
from wizard.vault import Vault

SPF_KEY = (DOMAIN, "TXT")
DMARC_KEY = (f"_dmarc.{DOMAIN}", "TXT")
LONG_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "x" * 330 + "IDAQAB"


def config_for(nameserver: str, **email) -> SprintConfig:
    return SprintConfig(name="mail", target=Target(domain=DOMAIN, hosts=[DOMAIN]),
                        email=Email(**email), network=Network(nameservers=[nameserver], timeout_s=2))


async def check(records: dict, check_id: str, **email):
    """The findings of one email check against a zone holding exactly `records`."""
    with dns_for(records) as server:
        return await run_on(config_for(server.nameserver, **email), check_id)


async def run_on(config: SprintConfig, check_id: str):
    chosen = [c for c in STAGE1_CHECKS if c.id == check_id]
    async with NetContext(config.network, DOMAIN) as net:
        return (await run_checks(chosen, RunContext(config, net, vault=Vault(config.name)))).findings


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


async def test_spf_plus_all_fails():
    f = only(await check({SPF_KEY: ["v=spf1 ip4:192.0.2.1 +all"]}, "email.spf"))
    assert (f.status, f.fix) == (Status.FAIL, "cf.email-spf") and "+all" in f.summary


async def test_spf_question_all_warns():
    f = only(await check({SPF_KEY: ["v=spf1 ip4:192.0.2.1 ?all"]}, "email.spf"))
    assert f.status is Status.WARN and "?all" in f.summary


async def test_spf_over_ten_lookups_fails():
    hosts = {(f"h{i}.{DOMAIN}", "A"): ["192.0.2.1"] for i in range(11)}
    record = "v=spf1 " + " ".join(f"a:h{i}.{DOMAIN}" for i in range(11)) + " ~all"
    f = only(await check({SPF_KEY: [record], **hosts}, "email.spf"))
    assert f.status is Status.FAIL and "limit of 10 DNS lookups" in f.summary


async def test_two_spf_records_fail():
    f = only(await check({SPF_KEY: ["v=spf1 -all", "v=spf1 ip4:192.0.2.1 ~all"]}, "email.spf"))
    assert f.status is Status.FAIL and "more than one SPF record" in f.summary


async def test_a_good_spf_record_passes_with_its_lookup_count():
    f = only(await check({SPF_KEY: ["v=spf1 mx ~all"], (DOMAIN, "MX"): [f"mail.{DOMAIN}"],
                          (f"mail.{DOMAIN}", "A"): ["192.0.2.1"]}, "email.spf"))
    assert f.status is Status.PASS and "1 of 10 DNS lookups" in f.summary


async def test_dmarc_p_none_warns_with_the_next_step_and_the_report_address():
    f = only(await check({DMARC_KEY: [f"v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}"]}, "email.dmarc"))
    assert (f.status, f.fix) == (Status.WARN, "cf.email-dmarc")
    assert f"dmarc@{DOMAIN}" in f.summary and "p=quarantine" in f.remediation


async def test_dmarc_missing_fails_and_quarantine_passes():
    missing = only(await check({}, "email.dmarc"))
    assert missing.status is Status.FAIL and missing.severity is Severity.BLOCKER
    good = only(await check({DMARC_KEY: ["v=DMARC1; p=quarantine"]}, "email.dmarc"))
    assert good.status is Status.PASS and "no rua" in good.summary


async def test_a_missing_dkim_selector_fails_and_a_split_key_passes():
    # the sandbox DNS splits TXT content over 255 bytes into several strings, as providers' keys come
    records = {(f"s1._domainkey.{DOMAIN}", "TXT"): [f"v=DKIM1; k=rsa; p={LONG_KEY}"]}
    findings = await check(records, "email.dkim", dkim_selectors=["s1", "google"])
    by_subject = {f.subject: f for f in findings}
    assert by_subject[f"s1._domainkey.{DOMAIN}"].status is Status.PASS
    missing = by_subject[f"google._domainkey.{DOMAIN}"]
    assert missing.status is Status.FAIL and "no DKIM key" in missing.summary


async def test_no_selector_is_manual_with_the_common_selectors_and_those_found():
    f = only(await check({(f"google._domainkey.{DOMAIN}", "TXT"): [f"v=DKIM1; p={LONG_KEY}"]}, "email.dkim"))
    assert f.status is Status.MANUAL and f.evidence["found"] == ["google"]
    for selector in ("selector1", "k1", "s1", "pm", "resend"):
        assert selector in f.remediation


async def test_a_domain_that_sends_no_mail_should_refuse_it():
    refusing = {SPF_KEY: ["v=spf1 -all"], DMARC_KEY: ["v=DMARC1; p=reject"]}
    for check_id in ("email.spf", "email.dmarc"):
        assert only(await check(refusing, check_id, sends_mail=False)).status is Status.PASS
    spf = only(await check({}, "email.spf", sends_mail=False))
    assert spf.status is Status.FAIL and spf.severity is Severity.CAN_WAIT and "v=spf1 -all" in spf.remediation
    assert only(await check({}, "email.dkim", sends_mail=False)).status is Status.SKIPPED


async def test_a_nameserver_that_times_out_is_an_error_not_a_fail():
    with silent_nameserver() as nameserver:
        findings = await run_on(config_for(nameserver, dkim_selectors=["s1"]), "email.spf")
    assert only(findings).status is Status.ERROR


async def test_no_answer_is_remembered_across_nameservers_or_runs():
    """checkdmarc's process-wide cache ignores the nameserver; each run clears it."""
    assert only(await check({SPF_KEY: ["v=spf1 +all"]}, "email.spf")).status is Status.FAIL
    assert only(await check({SPF_KEY: ["v=spf1 -all"]}, "email.spf")).status is Status.PASS


async def test_spf_and_dmarc_share_one_evaluation_counted_in_the_budget(monkeypatch):
    def no_http(*args, **kwargs):
        raise AssertionError("checkdmarc must not fetch over HTTP (MTA-STS, BIMI)")

    monkeypatch.setattr(requests.Session, "send", no_http)
    used = {}
    with dns_for({SPF_KEY: ["v=spf1 -all"], DMARC_KEY: ["v=DMARC1; p=reject"]}) as server:
        config = config_for(server.nameserver)
        for ids in (("email.spf",), ("email.spf", "email.dmarc")):
            async with NetContext(config.network, DOMAIN) as net:
                checks = [c for c in STAGE1_CHECKS if c.id in ids]
                findings = (await run_checks(checks, RunContext(config, net, vault=Vault(config.name)))).findings
                assert {f.status for f in findings} == {Status.PASS}
                used[ids] = net.budget.used
    assert used[("email.spf",)] > 0  # checkdmarc's questions are counted
    assert used[("email.spf", "email.dmarc")] == used[("email.spf",)]  # one evaluation for both


async def test_demo_spf_and_dmarc_blockers_then_fixed(sprint, sandbox):
    config = sprint.load_config()

    async def run() -> dict:
        result = await run_sprint(OpenSprint(sprint, config), only=["email.spf", "email.dmarc"])
        return {f.id: f for f in result.findings}

    before = await run()
    assert before["email.spf"].status is Status.FAIL and before["email.spf"].is_blocker
    assert before["email.dmarc"].status is Status.FAIL and before["email.dmarc"].is_blocker
    cf = Cloudflare(api_token=sandbox.token, base_url=sandbox.api.base_url, max_retries=0)
    zone_id = cf.zones.list(name=DOMAIN).result[0].id
    spf = next(r for r in cf.dns.records.list(zone_id=zone_id, name={"exact": DOMAIN}, type="TXT").result
               if r.content.startswith("v=spf1"))
    cf.dns.records.edit(dns_record_id=spf.id, zone_id=zone_id, type="TXT", name=DOMAIN, ttl=1,
                        content="v=spf1 mx include:_spf.mailer.acme.example ~all")
    cf.dns.records.create(zone_id=zone_id, type="TXT", name="_dmarc", ttl=1,
                          content=f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{DOMAIN}")
    after = await run()
    assert after["email.spf"].status is Status.PASS
    assert after["email.dmarc"].status is Status.PASS


async def test_demo_dkim_selector_missing(sprint, sandbox):
    config = sprint.load_config()
    config.email.dkim_selectors = ["s1"]
    result = await run_sprint(OpenSprint(sprint, config), only=["email.dkim"])
    assert [f.status for f in result.findings] == [Status.FAIL]
