"""abuse.rate-limit, abuse.oversized-payload, abuse.malformed-payload, abuse.error-leakage and
webhook.signature against the sandbox's product: each fails on the vulnerable product and passes
on the fixed one; the requests a finding reports are the requests the product received, and no
probe passes its bound."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from stages.checks.api_abuse import API_STAGE4_CHECKS, BURST_CHECKS
from tests.api_fixtures import jwt_login, world  # noqa: F401 - the fixture
from wizard.findings import Severity, Status
from wizard.probes import jwt_forge
from wizard.probes.burst import advertised_quota
from wizard.probes.leakage import scan_body
from wizard.probes.webhook_sign import header_name, signature
from wizard.sandbox import product as facts
from wizard.sandbox.product import sign
from wizard.sections import Bounds

STAGE4 = (*API_STAGE4_CHECKS, *BURST_CHECKS)
CHECKS = {c.id: c for c in STAGE4}
CHAT = f"POST {facts.CHAT_PATH}"
LOGIN = f"POST {facts.LOGIN_PATH}"
WEBHOOK = f"POST {facts.WEBHOOK_PATH}"


def total(received: dict) -> int:
    return sum(received.values())


def reported(found: dict) -> int:
    return sum(f.evidence.get("requests", 0) for f in found.values())


async def test_no_rate_limit_fails_within_the_bound_until_429s(world):  # noqa: F811
    world.passwords()
    config = world.config(**jwt_login(), bounds=Bounds(burst=14, concurrency=3))
    found, received = await world.run((CHECKS["abuse.rate-limit"],), config)
    for subject in (LOGIN, CHAT, WEBHOOK):
        finding = found[("abuse.rate-limit", subject)]
        assert finding.status is Status.FAIL and finding.summary == "no limit within 14 requests"
        assert finding.evidence["burst_requests"] == 14 and finding.evidence["recovery"]["sent"]
    assert reported(found) == total(received)
    assert received[("POST", facts.WEBHOOK_PATH)] == 15  # the burst and the recovery request
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["abuse.rate-limit"],), config)
    for subject in (LOGIN, CHAT, WEBHOOK):
        finding = found[("abuse.rate-limit", subject)]
        assert finding.status is Status.PASS, finding.summary
        # the login's quota is shared with the two test accounts' logins made before the burst
        allowed = facts.RATE_LIMIT - (2 if subject == LOGIN else 0)
        statuses = finding.evidence["statuses"]
        assert statuses["429"] >= 1 and sum(statuses.values()) - statuses["429"] == allowed
        # requests in flight when the first 429 comes back still finish: at most concurrency - 1
        assert allowed + 1 <= finding.evidence["burst_requests"] <= allowed + 3
        assert allowed - 1 <= finding.evidence["first_429"] <= allowed + 3  # in start order
        assert finding.evidence["advertised_quota"] == facts.RATE_LIMIT
        assert finding.evidence["recovery"]["status"] == 429  # Retry-After is a minute: not waited
        assert int(finding.evidence["limit_headers"]["retry-after"]) > 0
    assert reported(found) == total(received)


async def test_an_advertised_quota_above_the_burst_is_inconclusive(world):  # noqa: F811
    world.mode(vulnerable=False)
    config = world.config(bounds=Bounds(burst=facts.RATE_LIMIT - 2, concurrency=2))
    found, received = await world.run((CHECKS["abuse.rate-limit"],), config)
    finding = found[("abuse.rate-limit", CHAT)]
    assert finding.status is Status.WARN and finding.summary.startswith("inconclusive")
    assert finding.evidence["burst_requests"] == facts.RATE_LIMIT - 2
    assert found[("abuse.rate-limit", "login")].status is Status.SKIPPED  # no api.login
    assert reported(found) == total(received) == 2 * (facts.RATE_LIMIT - 1)


async def test_oversized_bodies_crash_the_chat_until_refused(world):  # noqa: F811
    found, received = await world.run((CHECKS["abuse.oversized-payload"],))
    finding = found[("abuse.oversized-payload", CHAT)]
    assert finding.status is Status.FAIL and "crashed it (500)" in finding.summary
    assert len(finding.evidence["attempts"]) == 1  # stopped at the first refusal
    assert finding.evidence["requests"] == total(received) == 1
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["abuse.oversized-payload"],))
    finding = found[("abuse.oversized-payload", CHAT)]
    assert finding.status is Status.PASS and "with 413" in finding.summary
    assert finding.evidence["requests"] == total(received) == 1


async def test_malformed_bodies_are_500s_until_4xx(world):  # noqa: F811
    world.passwords()
    config = world.config(**jwt_login())
    found, received = await world.run((CHECKS["abuse.malformed-payload"],), config)
    subjects = {LOGIN, CHAT, f"POST {facts.CHATS_PATH}"}
    assert {s for _, s in found} == subjects
    assert {f.status for f in found.values()} == {Status.FAIL}
    assert reported(found) == total(received)
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["abuse.malformed-payload"],), config)
    assert {f.status for f in found.values()} == {Status.PASS}, [f.summary for f in found.values()]
    assert reported(found) == total(received)
    assert world.sandbox.product.chats.owned_by("u_1001") == []


async def test_error_pages_leak_tracebacks_and_provider_errors_until_generic(world):  # noqa: F811
    found, received = await world.run((CHECKS["abuse.error-leakage"],))
    (finding,) = found.values()
    assert finding.status is Status.FAIL and finding.is_blocker
    kinds = {h["kind"] for h in finding.evidence["hits"]}
    assert {"Python stack trace", "debug page", "server file path"} <= kinds
    assert finding.evidence["requests"] == total(received)
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["abuse.error-leakage"],))
    (finding,) = found.values()
    assert finding.status is Status.PASS and finding.evidence["hits"] == []
    assert finding.evidence["requests"] == total(received)


async def test_webhook_takes_unsigned_and_replayed_deliveries_until_fixed(world):  # noqa: F811
    found, received = await world.run((CHECKS["webhook.signature"],))
    finding = found[("webhook.signature", WEBHOOK)]
    assert finding.status is Status.FAIL
    assert finding.summary == ("accepted: replay of the valid one, unsigned, wrongly signed, "
                               "signed 10 min ago")
    assert finding.evidence["requests"] == total(received) == 5
    ids = [e["id"] for e in world.sandbox.product.events]
    assert len(ids) == 5 and len(set(ids)) == 4  # one id per delivery; the replay repeats one
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["webhook.signature"],))
    finding = found[("webhook.signature", WEBHOOK)]
    assert finding.status is Status.PASS, finding.summary
    assert [d["status"] for d in finding.evidence["deliveries"]] == [200, 400, 401, 401, 400]
    assert finding.evidence["requests"] == total(received) == 5


async def test_a_wrong_webhook_secret_is_our_error_not_the_products(world, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LAUNCH_READY_WEBHOOK_SECRET", "whsec_not-the-one")
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["webhook.signature"],))
    (finding,) = found.values()
    assert finding.status is Status.ERROR and "check api.webhook.scheme/secret" in finding.summary
    assert total(received) == 1
    assert "not-the-one" not in finding.model_dump_json()


async def test_production_without_confirmation_sends_nothing(world):  # noqa: F811
    config = world.config(environment="production")
    found, received = await world.run(STAGE4, config)
    assert received == {}
    assert {f.status for f in found.values()} == {Status.SKIPPED}
    assert all("production_confirmed" in f.summary for f in found.values())


@pytest.mark.parametrize("check", sorted(CHECKS))
async def test_every_check_keeps_to_its_bound(world, check):  # noqa: F811
    config = world.config(bounds=Bounds(per_probe=3, burst=2, concurrency=2))
    found, received = await world.run((CHECKS[check],), config)
    per_session = 3 if check != "abuse.rate-limit" else 3 * 2
    assert total(received) <= per_session
    assert reported(found) == total(received)
    assert all(f.severity in (Severity.BLOCKER, Severity.CAN_WAIT) for f in found.values())


LEAKS = {
    "Node stack trace": "TypeError: x is undefined\n    at handler (/srv/app/routes/chat.js:42:13)",
    "Java stack trace": "java.lang.NullPointerException\n\tat com.acme.Chat.reply(Chat.java:88)",
    "Ruby stack trace": "app/controllers/chats_controller.rb:12:in `create'",
    "PHP error": "PHP Fatal error:  Uncaught Error: Call to undefined function in /var/www/html/chat.php on line 7",
    "debug page": "<h1>Whoops! There was an error.</h1> Illuminate\\Database\\QueryException",
    "server file path": 'open("C:\\\\inetpub\\\\wwwroot\\\\web.config") failed',
    "provider error": '{"error": {"type": "invalid_request_error", "message": "invalid x-api-key"}}',
}


@pytest.mark.parametrize("kind", sorted(LEAKS))
def test_leak_patterns_name_what_they_found(kind):
    assert kind in {h.kind for h in scan_body(LEAKS[kind], "sample")}


@pytest.mark.parametrize("clean", [
    '{"error": "something went wrong", "request_id": "req_8f3a9c2b1d4e5f60"}',
    '<a href="/home/feed">Home</a> <a href="https://acme.example/app/settings">Settings</a>',
    '{"error": "not signed in"}'])
def test_ordinary_errors_are_not_leaks(clean):
    assert scan_body(clean, "sample") == []


def test_excerpts_never_show_more_than_a_keys_preview():
    key = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2
    (hit, found) = scan_body(f"openai.AuthenticationError: bad key {key} for org", "sample")
    assert hit.kind == "provider error" and key[:5] not in hit.excerpt and "sk-p…" in hit.excerpt
    assert found.kind.endswith("key") and key[:5] not in found.excerpt


def test_forged_tokens_copy_a_jwt_sessions_claims():
    session = jwt_forge.encode({"alg": "HS256", "typ": "JWT"}, {"sub": "u_1", "role": "user", "exp": 2000},
                               "c2lnbmF0dXJl")
    tokens = jwt_forge.forged(session, None, now=1000)
    header, claims, signature = jwt_forge.parse(tokens["expired JWT"])
    assert claims == {"sub": "u_1", "role": "user", "exp": -2600} and signature == "c2lnbmF0dXJl"
    header, claims, signature = jwt_forge.parse(tokens["alg:none JWT"])
    assert header["alg"] == "none" and signature == "" and claims["exp"] == 4600
    scratch = jwt_forge.forged("tok-alice", "u_1001", now=1000)
    assert jwt_forge.parse(scratch["alg:none JWT"])[1]["sub"] == "u_1001"


@pytest.mark.parametrize(("headers", "quota"), [
    ({"ratelimit-policy": "1000;w=60"}, 1000), ({"ratelimit-policy": '"burst";q=100;w=60'}, 100),
    ({"ratelimit": "limit=20, remaining=3, reset=9"}, 20), ({"x-ratelimit-limit": "60"}, 60), ({}, None)])
def test_advertised_quotas_are_read_from_each_header_form(headers, quota):
    assert advertised_quota(headers) == quota


def test_signature_schemes_match_their_providers():
    body = b'{"id": "evt_1"}'
    assert signature("stripe", "whsec_x", body, 1700000000) == sign("whsec_x", body, 1700000000)
    digest = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature("github", "s3cret", body, 0) == signature("hmac-sha256", "s3cret", body, 0) == f"sha256={digest}"
    assert header_name("github") == "X-Hub-Signature-256" and header_name("stripe", "Acme-Signature") == "Acme-Signature"
