"""The web checks on purpose-built worlds: each edge case a launch meets (bad certificates, a
temporary or path-dropping redirect, a loop, a short HSTS, mixed content, a silent nameserver)
gives the status, severity, evidence and fix a person can act on."""

from __future__ import annotations

import asyncio
import datetime
import ssl

import pytest
import trustme

from stages.checks.web import STAGE1_CHECKS, STAGE3_CHECKS
from tests.conftest import silent_nameserver
from tests.sandbox.web_fixtures import DOMAIN, add_record, web  # noqa: F401 - the fixture
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext
from wizard.probes.nameservers import soa_serial
from wizard.sandbox.ca import BadCert
from wizard.sandbox.http_server import Response
from wizard.sprint import Network, SprintConfig, Target

CHECKS = {c.id: c for c in STAGE1_CHECKS + STAGE3_CHECKS}
REDIRECT = "http_request_dynamic_redirect"
WWW, APP, API = f"www.{DOMAIN}", f"app.{DOMAIN}", f"api.{DOMAIN}"


def network(web, nameservers: list[str] | None = None, connect_to: list[str] = (), timeout_s: float = 5):  # noqa: F811
    return Network(nameservers=nameservers or [web.dns.nameserver],
                   connect_to=[*connect_to, f":80::{web.ports.http}", f":443::{web.ports.https}"],
                   ca_bundle=str(web.ca_pem), timeout_s=timeout_s)


async def run(net_config: Network, *ids: str, hosts=(DOMAIN, WWW), pages=()) -> dict[tuple[str, str], Finding]:
    """The checks' findings by (check id, subject), from one run with a fresh net context."""
    canonical = DOMAIN if DOMAIN in hosts else hosts[0]
    config = SprintConfig(name="t", target=Target(domain=DOMAIN, canonical=canonical, hosts=list(hosts),
                                                  pages=list(pages)), network=net_config)
    async with NetContext(config.network, DOMAIN) as net:
        result = await run_checks([CHECKS[i] for i in ids], RunContext(config, net))
    return {(f.id, f.subject): f for f in result.findings}


def www_to_apex(web, status: int = 301, keep_path: bool = True) -> None:  # noqa: F811
    target = ({"expression": f'concat("https://{DOMAIN}", http.request.uri.path)'} if keep_path
              else {"value": f"https://{DOMAIN}/"})
    web.add_rule(REDIRECT, f'(http.host eq "{WWW}")', "redirect", from_value={
        "status_code": status, "target_url": target, "preserve_query_string": keep_path})


# ------------------------------------------------------------------ certificates

@pytest.mark.parametrize(("bad", "reason", "names"), [
    (BadCert.EXPIRED, "expired", [DOMAIN, f"*.{DOMAIN}"]),
    (BadCert.WRONG_NAME, "Hostname mismatch", ["origin.invalid"]),
    (BadCert.SELF_SIGNED, "self-signed", [DOMAIN, f"*.{DOMAIN}"]),
])
async def test_an_untrusted_certificate_fails_and_shows_what_is_served(web, bad, reason, names):  # noqa: F811
    web.origin.options.bad_cert = bad  # api is DNS-only: visitors meet the origin's certificate
    f = (await run(network(web), "tls.certificate", hosts=[DOMAIN, API]))[("tls.certificate", API)]
    assert f.status is Status.FAIL and reason in f.summary
    assert f.evidence["verified"] is False and f.evidence["names"] == names
    assert f.evidence["issuer"] and f.evidence["not_after"]
    if bad is BadCert.SELF_SIGNED:
        assert f.evidence["issuer"] == f.evidence["subject"]


async def tls_server(cert: trustme.LeafCert):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)

    async def answer(reader, writer):
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0, ssl=ctx)


@pytest.mark.parametrize(("days", "status"), [(10, Status.FAIL), (20, Status.WARN), (60, Status.PASS)])
async def test_days_left_fail_under_14_and_warn_under_30(web, tmp_path, days, status):  # noqa: F811
    ca = trustme.CA()
    now = datetime.datetime.now(datetime.UTC)
    leaf = ca.issue_cert(f"soon.{DOMAIN}", not_before=now - datetime.timedelta(days=1),
                         not_after=now + datetime.timedelta(days=days, hours=1))
    server = await tls_server(leaf)
    port = server.sockets[0].getsockname()[1]
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    config = network(web, connect_to=[f"soon.{DOMAIN}:443:127.0.0.1:{port}"]).model_copy(
        update={"ca_bundle": str(tmp_path / "ca.pem")})
    async with server:
        f = (await run(config, "tls.certificate", hosts=[DOMAIN, f"soon.{DOMAIN}"]))[("tls.certificate", f"soon.{DOMAIN}")]
    assert f.status is status and f.evidence["days_left"] == days
    assert f.evidence["names"] == [f"soon.{DOMAIN}"] and f.evidence["connected_to"] == f"127.0.0.1:{port}"


# ------------------------------------------------------------------ availability and enforcement

async def test_refused_and_unresolvable_hosts_are_told_apart(web):  # noqa: F811
    with web.world.lock:
        add_record(web.zone, "A", f"down.{DOMAIN}", "127.0.0.9")  # nothing listens there
    found = await run(network(web), "https.available", hosts=[DOMAIN, f"down.{DOMAIN}", f"gone.{DOMAIN}"])
    assert found[("https.available", DOMAIN)].status is Status.PASS
    down, gone = found[("https.available", f"down.{DOMAIN}")], found[("https.available", f"gone.{DOMAIN}")]
    assert down.status is gone.status is Status.FAIL
    assert "refused" in down.summary and "does not resolve" in gone.summary


async def test_http_is_enforced_only_once_always_use_https_is_on(web):  # noqa: F811
    before = (await run(network(web), "https.enforced"))[("https.enforced", DOMAIN)]
    assert before.status is Status.FAIL and before.fix == "cf.always-use-https"
    assert "answered 200" in before.summary or "answered 404" in before.summary
    web.set(always_use_https="on")
    after = (await run(network(web), "https.enforced"))[("https.enforced", DOMAIN)]
    assert after.status is Status.PASS and after.evidence["hops"][0]["status"] == 301


# ------------------------------------------------------------------ redirects

async def test_a_permanent_redirect_keeping_the_path_passes(web):  # noqa: F811
    www_to_apex(web)
    found = await run(network(web), "https.canonical-redirect", "https.preserves-path")
    assert found[("https.canonical-redirect", WWW)].status is Status.PASS
    assert found[("https.preserves-path", WWW)].status is Status.PASS
    assert ("https.canonical-redirect", DOMAIN) not in found  # the canonical host is no subject


async def test_a_302_instead_of_301_warns(web):  # noqa: F811
    www_to_apex(web, status=302)
    f = (await run(network(web), "https.canonical-redirect"))[("https.canonical-redirect", WWW)]
    assert f.status is Status.WARN and "302" in f.summary
    assert f.fix == "cf.redirect-canonical" and f.severity is Severity.CAN_WAIT


async def test_a_redirect_that_drops_the_path_fails_preserves_path(web):  # noqa: F811
    www_to_apex(web, keep_path=False)
    found = await run(network(web), "https.canonical-redirect", "https.preserves-path")
    assert found[("https.canonical-redirect", WWW)].status is Status.PASS
    lost = found[("https.preserves-path", WWW)]
    assert lost.status is Status.FAIL and f"lands on https://{DOMAIN}/:" in lost.summary
    assert found[("https.preserves-path", DOMAIN)].status is Status.SKIPPED  # no redirect at all


async def test_a_loop_is_named_with_its_hops_and_the_other_checks_still_answer(web):  # noqa: F811
    web.add_rule(REDIRECT, f'(http.host eq "{WWW}")', "redirect", from_value={
        "status_code": 301, "target_url": {"expression": f'concat("https://{WWW}", http.request.uri.path)'}})
    found = await run(network(web), "https.no-redirect-loop", "https.canonical-redirect", "https.hsts")
    loop = found[("https.no-redirect-loop", WWW)]
    assert loop.status is Status.FAIL and loop.severity is Severity.BLOCKER
    first, arrow, again = loop.summary.split("loops: ")[1].split(" ")
    assert first == again and first.startswith(f"https://{WWW}/lr-") and arrow == "-301->"
    assert found[("https.no-redirect-loop", DOMAIN)].status is Status.PASS
    assert found[("https.canonical-redirect", WWW)].status is Status.FAIL
    assert len(loop.evidence["chains"][1]["hops"]) <= 10


# ------------------------------------------------------------------ HSTS

def hsts(web, max_age: int, subdomains: bool = False, preload: bool = False) -> None:  # noqa: F811
    web.set(security_header={"strict_transport_security": {
        "enabled": True, "max_age": max_age, "include_subdomains": subdomains, "preload": preload,
        "nosniff": False}})


@pytest.mark.parametrize(("max_age", "status"), [
    (86_400, Status.FAIL), (15_552_000, Status.WARN), (31_536_000, Status.PASS)])
async def test_hsts_max_age_thresholds(web, max_age, status):  # noqa: F811
    hsts(web, max_age)
    f = (await run(network(web), "https.hsts"))[("https.hsts", DOMAIN)]
    assert f.status is status and f.evidence["max_age"] == max_age
    assert f.fix == (None if status is Status.PASS else "cf.hsts")


async def test_hsts_missing_fails_and_flags_are_reported(web):  # noqa: F811
    missing = (await run(network(web), "https.hsts"))[("https.hsts", DOMAIN)]
    assert missing.status is Status.FAIL and "no Strict-Transport-Security" in missing.summary
    hsts(web, 63_072_000, subdomains=True, preload=True)
    f = (await run(network(web), "https.hsts"))[("https.hsts", DOMAIN)]
    assert f.status is Status.PASS and "includeSubDomains, preload" in f.summary
    assert f.evidence["include_subdomains"] and f.evidence["preload"]


# ------------------------------------------------------------------ mixed content

@pytest.mark.parametrize(("element", "severity"), [
    ('<script src="http://cdn.acme.example/a.js"></script>', Severity.BLOCKER),
    ('<link rel="stylesheet" href="http://cdn.acme.example/a.css">', Severity.BLOCKER),
    ('<iframe src="http://video.acme.example/e"></iframe>', Severity.BLOCKER),
    ('<form action="http://acme.example/login"></form>', Severity.BLOCKER),
    ('<img src="http://cdn.acme.example/a.png">', Severity.CAN_WAIT),
    ('<p style="background:url(http://cdn.acme.example/bg.png)">x</p>', Severity.CAN_WAIT),
])
async def test_mixed_content_severity_is_the_worst_element(web, element, severity):  # noqa: F811
    web.origin.route("GET", "/page", lambda r: Response.html(200, f'<img src="http://cdn.acme.example/i.png">{element}'))
    page = f"https://{DOMAIN}/page"
    f = (await run(network(web), "https.mixed-content", pages=[page]))[("https.mixed-content", page)]
    assert f.status is Status.FAIL and f.severity is severity and f.fix == "cf.https-rewrites"
    assert len(f.evidence["insecure"]) == 2


async def test_a_clean_page_passes(web):  # noqa: F811
    web.origin.route("GET", "/clean", lambda r: Response.html(200, '<script src="/a.js"></script>'))
    page = f"https://{DOMAIN}/clean"
    f = (await run(network(web), "https.mixed-content", pages=[page]))[("https.mixed-content", page)]
    assert f.status is Status.PASS and f.evidence["insecure"] == []


# ------------------------------------------------------------------ DNS

async def test_a_stale_a_record_is_named(web):  # noqa: F811
    with web.world.lock:
        add_record(web.zone, "A", f"old.{DOMAIN}", "127.0.0.9")
        add_record(web.zone, "A", f"shop.{DOMAIN}", web.world.addresses.origin_ipv4)
    f = (await run(network(web), "dns.consistent", hosts=[DOMAIN, API, f"shop.{DOMAIN}", f"old.{DOMAIN}"]))[
        ("dns.consistent", DOMAIN)]
    # apex goes through the edge, api and shop straight to the origin: the bypass is named first
    assert f.status is Status.FAIL and API in f.summary and f.fix == "cf.proxy-records"
    only_direct = (await run(network(web), "dns.consistent", hosts=[API, f"shop.{DOMAIN}", f"old.{DOMAIN}"]))[
        ("dns.consistent", DOMAIN)]
    assert only_direct.status is Status.FAIL
    assert only_direct.summary.startswith(f"old.{DOMAIN} -> 127.0.0.9 point somewhere else")


async def test_hosts_all_behind_the_edge_are_consistent(web):  # noqa: F811
    f = (await run(network(web), "dns.consistent", hosts=[DOMAIN, WWW, APP]))[("dns.consistent", DOMAIN)]
    assert f.status is Status.PASS and "Cloudflare edge" in f.summary


async def test_nameservers_agree_through_the_configured_resolvers(web):  # noqa: F811
    f = (await run(network(web), "dns.nameservers"))[("dns.nameservers", DOMAIN)]
    assert f.status is Status.PASS and f.evidence["ns"] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    assert "could not be reached directly" in f.evidence["note"]


async def test_a_nameserver_that_times_out_is_an_error_and_the_run_goes_on(web):  # noqa: F811
    with silent_nameserver() as silent:
        config = network(web, nameservers=[web.dns.nameserver, silent], timeout_s=1)
        found = await run(config, "dns.nameservers", "https.available")
    f = found[("dns.nameservers", DOMAIN)]
    assert f.status is Status.ERROR and silent in f.summary and "did not answer" in f.summary
    assert [a["serial"] is not None for a in f.evidence["answers"]] == [True, False]
    assert found[("https.available", DOMAIN)].status is Status.PASS


async def test_soa_asked_straight_at_a_server(web):  # noqa: F811
    async with NetContext(network(web, timeout_s=1), DOMAIN) as net:
        host, port = web.dns.nameserver.split(":")
        answer = await soa_serial(net, "ns", host, int(port), DOMAIN)
        with silent_nameserver() as silent:
            quiet = await soa_serial(net, "quiet", "127.0.0.1", int(silent.split(":")[1]), DOMAIN)
    assert answer.serial and not answer.error
    assert quiet.timed_out and quiet.serial is None
