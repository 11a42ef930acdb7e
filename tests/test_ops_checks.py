"""The ops.* checks against the sandbox: a slow chat fails p95 and shows its distribution, an
outage fails uptime, a certificate about to expire fails (and one with two weeks left warns), the
test alert really arrives at the local webhook receiver and SMTP sink, and no probe sends more
requests than its bound."""

from __future__ import annotations

import pytest

from stages.checks.ops import OPS_CHECKS, seconds
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext, OutOfScope
from wizard.sandbox.alert_sink import AlertSink
from wizard.sandbox.demo import API, APP, DOMAIN
from wizard.sections import Alert, Api, Bounds, Chat, Monitoring, Watch
from wizard.sprint import SprintConfig

CHECKS = {c.id: c for c in OPS_CHECKS}
CHAT_URL = f"https://{API}/api/chat"
HOOK_PATH = "/services/T0LAUNCH/B0READY/s3cretHookPathXYZ"


def configure(config: SprintConfig, *, api: Api | None = None, **monitoring) -> SprintConfig:
    data = config.model_dump(mode="json")
    data["api"] = (api or Api(base_url=f"https://{API}", chat=Chat())).model_dump(mode="json")
    data["monitoring"] = Monitoring(**{"spread_s": 0, **monitoring}).model_dump(mode="json")
    return SprintConfig.model_validate(data)


@pytest.fixture
def ops(sprint, sandbox, monkeypatch):
    """run(config, *ids) -> findings by (id, subject); the demo's credentials in the environment;
    `run.sent`: the HTTP requests each check of the last run sent (counted by the net context)."""
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)

    async def run(config: SprintConfig, *ids: str) -> dict[tuple[str, str], Finding]:
        async with NetContext(config.network, DOMAIN, sprint.root) as net:
            result = await run_checks([CHECKS[i] for i in ids], RunContext(config, net))
        run.sent = dict(net.sent_by)
        return {(f.id, f.subject): f for f in result.findings}

    return run


@pytest.fixture
def base(sprint) -> SprintConfig:
    return sprint.load_config()


# ---------------------------------------------------------------- ops.latency-p95


async def test_a_slow_chat_with_a_fast_median_fails_p95_and_shows_the_distribution(ops, base, sandbox):
    # a cold first answer, 18 fast ones, one more slow one: p95 lands on a slow sample
    sandbox.origin.monitoring.slow("/api/chat", [2.2] + [0.01] * 18 + [2.2])
    found = await ops(configure(base, samples=20), "ops.latency-p95")
    f = found[("ops.latency-p95", CHAT_URL)]
    assert f.status is Status.FAIL and f.severity is Severity.CAN_WAIT
    e = f.evidence
    assert e["count"] == 20 and len(e["samples"]) == 20 and e["statuses"] == {"200": 20}
    assert e["p95_s"] > 2 and e["p50_s"] < 0.5 and e["max_s"] >= 2.2
    assert e["samples"][0] >= 2.2 and e["cold_start"]["kept"] is True  # shown, never dropped
    assert f.summary.startswith(f"p95 {seconds(e['p95_s'])} over 20 samples (p50 ")
    assert "), above the 2 s budget; first sample" in f.summary and "cold start" in f.summary
    assert e["requests"] == 20 <= e["bound"]
    assert sandbox.product.requests[("POST", "/api/chat")] == 20 == ops.sent["ops.latency-p95"]


async def test_a_fast_chat_and_a_critical_api_pass(ops, base, sandbox):
    found = await ops(configure(base, samples=6, latency_urls=["/api/me"]), "ops.latency-p95")
    chat, me = found[("ops.latency-p95", CHAT_URL)], found[("ops.latency-p95", f"https://{API}/api/me")]
    assert chat.status is Status.PASS and me.status is Status.PASS, (chat.summary, me.summary)
    assert chat.evidence["kind"] == "chat" and me.evidence["kind"] == "api"
    assert me.evidence["account"] == "user_a" and me.evidence["statuses"] == {"200": 6}
    assert sandbox.product.requests[("GET", "/api/me")] == 6


async def test_failed_samples_are_kept_and_warned_about(ops, base, sandbox):
    sandbox.origin.monitoring.outage("/api/me", status=502)
    f = (await ops(configure(base, samples=4, latency_urls=["/api/me"]), "ops.latency-p95"))[
        ("ops.latency-p95", f"https://{API}/api/me")]
    assert f.status is Status.WARN and f.evidence["statuses"] == {"502": 4}
    assert "4 of 4 failed (502 x4)" in f.summary


async def test_samples_stay_within_the_probe_bound(ops, base, sandbox):
    api = Api(base_url=f"https://{API}", chat=Chat(), bounds=Bounds(per_probe=5))
    f = (await ops(configure(base, api=api, samples=30), "ops.latency-p95"))[("ops.latency-p95", CHAT_URL)]
    assert f.evidence["planned"] == 5 and f.evidence["count"] == 5 and f.evidence["requests"] == 5
    assert f.evidence["bound"] <= 5
    assert sandbox.product.requests[("POST", "/api/chat")] == 5


async def test_latency_is_skipped_without_a_chat_or_urls(ops, base):
    api = Api(base_url=f"https://{API}")
    f = (await ops(configure(base, api=api), "ops.latency-p95"))[("ops.latency-p95", DOMAIN)]
    assert f.status is Status.SKIPPED and "api.chat" in f.summary


# ---------------------------------------------------------------- ops.uptime

WATCHES = [Watch(url="/health", keyword="ok"), Watch(url=f"https://{APP}/login", keyword="Sign in")]


async def test_an_outage_fails_uptime_until_restored(ops, base, sandbox):
    config = configure(base, urls=WATCHES)
    health, login = f"https://{API}/health", f"https://{APP}/login"
    sandbox.origin.monitoring.outage("/health")
    down = await ops(config, "ops.uptime")
    f = down[("ops.uptime", health)]
    assert f.status is Status.FAIL and f.is_blocker and f.summary.startswith("answered 503 instead of 200")
    assert down[("ops.uptime", login)].status is Status.PASS
    sandbox.origin.monitoring.restore()
    up = (await ops(config, "ops.uptime"))[("ops.uptime", health)]
    assert up.status is Status.PASS and up.summary.startswith("200 with 'ok' in ")
    e = up.evidence  # a fresh run: a new connection, so every part of the time split is there
    assert e["reused_connection"] is False
    assert all(e[k] is not None and e[k] >= 0 for k in ("dns_ms", "connect_ms", "tls_ms", "first_byte_ms"))
    assert e["first_byte_ms"] <= e["total_ms"]
    assert all(word in up.summary for word in ("DNS", "connect", "TLS", "first byte"))


async def test_a_missing_keyword_fails_uptime(ops, base):
    config = configure(base, urls=[Watch(url="/health", keyword="Welcome")])
    f = (await ops(config, "ops.uptime"))[("ops.uptime", f"https://{API}/health")]
    assert f.status is Status.FAIL and "'Welcome' is not in the body" in f.summary


async def test_uptime_sends_one_request_per_url(ops, base, sandbox):
    sandbox.product.requests.reset()
    await ops(configure(base, urls=WATCHES), "ops.uptime")
    assert sandbox.product.requests.snapshot() == {("GET", "/health"): 1, ("GET", "/login"): 1}
    assert ops.sent == {"ops.uptime": 2}


async def test_an_unreachable_url_fails_uptime_with_the_reason(ops, base):
    config = configure(base, urls=[Watch(url=f"https://www.{DOMAIN}/")])
    f = (await ops(config, "ops.uptime"))[("ops.uptime", f"https://www.{DOMAIN}/")]
    assert f.status is Status.FAIL and f.summary == f"could not be reached: www.{DOMAIN} does not resolve"


async def test_a_server_that_closes_connections_fails_uptime(ops, base, sandbox):
    sandbox.origin.monitoring.drop(DOMAIN)  # the apex is DNS-only: straight to the origin
    config = configure(base, urls=[Watch(url=f"https://{DOMAIN}/", keyword="Acme")])
    f = (await ops(config, "ops.uptime"))[("ops.uptime", f"https://{DOMAIN}/")]
    assert f.status is Status.FAIL and f.summary.startswith("could not be reached: ConnectError")
    sandbox.origin.monitoring.restore()
    assert (await ops(config, "ops.uptime"))[("ops.uptime", f"https://{DOMAIN}/")].status is Status.PASS

# ---------------------------------------------------------------- ops.tls-expiry


async def test_a_certificate_expiring_in_5_days_fails_and_in_14_warns(ops, base, sandbox):
    sandbox.origin.monitoring.expiring(DOMAIN, days=5)
    found = await ops(base, "ops.tls-expiry")
    soon = found[("ops.tls-expiry", DOMAIN)]
    assert soon.status is Status.FAIL and soon.evidence["days_left"] == 5
    assert soon.summary.startswith("expires in 5 days (until ")
    assert found[("ops.tls-expiry", APP)].status is Status.PASS  # the edge's certificate
    www = found[("ops.tls-expiry", f"www.{DOMAIN}")]  # not in DNS: nothing to expire
    assert www.status is Status.SKIPPED and "does not resolve" in www.summary
    sandbox.origin.monitoring.expiring(DOMAIN, days=14)
    warn = (await ops(base, "ops.tls-expiry"))[("ops.tls-expiry", DOMAIN)]
    assert warn.status is Status.WARN and warn.evidence["days_left"] == 14


async def test_an_untrusted_certificate_reports_the_verify_error(ops, base, sandbox):
    from wizard.sandbox.ca import BadCert

    sandbox.origin.options.bad_cert = BadCert.EXPIRED
    f = (await ops(base, "ops.tls-expiry"))[("ops.tls-expiry", DOMAIN)]
    assert f.status is Status.FAIL and "expired" in f.summary and f.evidence["verified"] is False


# ---------------------------------------------------------------- ops.alert-route


@pytest.fixture
def sink(sandbox):
    """The alert receiver on the origin's address, so mail.acme.example (DNS) leads to its SMTP
    side; STARTTLS with a certificate from the sandbox CA."""
    with AlertSink(sandbox.world.addresses.origin_ipv4,
                   tls=sandbox.ca.context((f"mail.{DOMAIN}",))) as running:
        yield running


@pytest.mark.parametrize("kind, field", [("slack", "text"), ("discord", "content"), ("webhook", "text")])
async def test_the_test_alert_arrives_at_the_webhook(ops, base, sink, monkeypatch, kind, field):
    url = sink.webhook_url(HOOK_PATH)
    monkeypatch.setenv("LAUNCH_READY_ALERT_WEBHOOK", url)
    f = (await ops(configure(base, alert=Alert(kind=kind)), "ops.alert-route"))[("ops.alert-route", kind)]
    assert sink.webhook.arrival(0).wait(5)
    post = sink.webhook.items[0]
    assert post.path == HOOK_PATH and post.json[field].startswith("launch-ready test alert for acme")
    assert "no action needed" in post.json[field]
    assert f.status is Status.WARN and f.summary.startswith(f"test alert sent via {kind} at ")
    assert "confirm it arrived" in f.summary and f.evidence["sent_at"] and f.evidence["status"] == 200
    assert HOOK_PATH not in f.model_dump_json()  # the URL is a secret: masked
    assert len(sink.webhook.items) == 1 and ops.sent == {"ops.alert-route": 1}


async def test_the_alert_webhook_is_the_only_request_outside_the_domain(base, sink, sprint):
    async with NetContext(base.network, DOMAIN, sprint.root) as net:
        with pytest.raises(OutOfScope):
            await net.http.post(sink.webhook_url(), json={})
    assert not sink.webhook.items


async def test_a_refused_alert_fails_without_showing_the_url(ops, base, sink, monkeypatch):
    sink.webhook_status = 403
    monkeypatch.setenv("LAUNCH_READY_ALERT_WEBHOOK", sink.webhook_url(HOOK_PATH))
    f = (await ops(configure(base, alert=Alert(kind="slack")), "ops.alert-route"))[("ops.alert-route", "slack")]
    assert f.status is Status.FAIL and f.is_blocker and "answered 403" in f.summary
    assert HOOK_PATH not in f.model_dump_json()


async def test_no_alert_route_is_skipped(ops, base):
    f = (await ops(configure(base), "ops.alert-route"))[("ops.alert-route", "alerts")]
    assert f.status is Status.SKIPPED and "monitoring.alert.kind" in f.summary


def smtp_alert(sink: AlertSink, tls: str, **more) -> Alert:
    return Alert(kind="smtp", smtp_host=f"mail.{DOMAIN}", smtp_port=sink.smtp_port, smtp_tls=tls,
                 smtp_to=["oncall@acme.example"], smtp_from="alerts@acme.example", **more)


async def test_the_test_alert_arrives_by_mail_over_starttls_with_a_login(ops, base, sink, monkeypatch):
    monkeypatch.setenv("LAUNCH_READY_SMTP_PASSWORD", "smtp-pass-0123456789")
    config = configure(base, alert=smtp_alert(sink, "starttls", smtp_user="alerts@acme.example"))
    f = (await ops(config, "ops.alert-route"))[("ops.alert-route", "smtp")]
    assert sink.smtp.arrival(0).wait(5)
    mail = sink.smtp.items[0]
    assert mail.tls and mail.user == "alerts@acme.example" and mail.recipients == ["oncall@acme.example"]
    assert mail.message["Subject"] == "launch-ready test alert for acme"
    assert "no action needed" in mail.message.get_content()
    assert f.status is Status.WARN and f.evidence["tls"] == "starttls" and f.evidence["to"] == ["oncall@acme.example"]


async def test_the_test_alert_arrives_by_mail_in_plain_smtp(ops, base, sink):
    f = (await ops(configure(base, alert=smtp_alert(sink, "none")), "ops.alert-route"))[("ops.alert-route", "smtp")]
    assert sink.smtp.arrival(0).wait(5) and not sink.smtp.items[0].tls
    assert f.status is Status.WARN


async def test_the_test_alert_arrives_by_mail_over_tls(ops, base, sandbox):
    with AlertSink(sandbox.world.addresses.origin_ipv4, tls=sandbox.ca.context((f"mail.{DOMAIN}",)),
                   implicit_tls=True) as tls_sink:
        f = (await ops(configure(base, alert=smtp_alert(tls_sink, "tls")), "ops.alert-route"))[
            ("ops.alert-route", "smtp")]
        assert tls_sink.smtp.arrival(0).wait(5) and tls_sink.smtp.items[0].tls
    assert f.status is Status.WARN


async def test_an_smtp_server_that_cannot_do_tls_fails_the_route(ops, base, sandbox):
    with AlertSink(sandbox.world.addresses.origin_ipv4) as plain:  # no STARTTLS offered
        f = (await ops(configure(base, alert=smtp_alert(plain, "starttls")), "ops.alert-route"))[
            ("ops.alert-route", "smtp")]
        assert not plain.smtp.items
    assert f.status is Status.FAIL and "refused the alert" in f.summary and "STARTTLS" in f.summary


@pytest.mark.parametrize("value, reason", [("not a url at all", "could not be reached"),
                                           ("http://exa\x01mple/hook", "is not a URL")])
async def test_a_webhook_credential_that_is_no_url_fails_the_route(ops, base, monkeypatch, value, reason):
    monkeypatch.setenv("LAUNCH_READY_ALERT_WEBHOOK", value)
    f = (await ops(configure(base, alert=Alert(kind="webhook")), "ops.alert-route"))[("ops.alert-route", "webhook")]
    assert f.status is Status.FAIL and reason in f.summary and value not in f.model_dump_json()
