"""abuse.rate-limit, abuse.oversized-payload, abuse.malformed-payload, abuse.error-leakage and
webhook.signature against the sandbox's product: each fails on the vulnerable product and passes
on the fixed one; the requests a finding reports are the requests the product received, and no
probe passes its bound."""

from __future__ import annotations

import pytest

from stages.api_abuse_checks import API_STAGE4_CHECKS
from tests.api_fixtures import jwt_login, world  # noqa: F401 - the fixture
from wizard.findings import Severity, Status
from wizard.sandbox import product as facts
from wizard.sections import Bounds

CHECKS = {c.id: c for c in API_STAGE4_CHECKS}
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
        assert finding.evidence["first_429"] == facts.RATE_LIMIT + (1 if subject != LOGIN else -1)
        assert finding.evidence["burst_requests"] <= 14
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
    found, received = await world.run(API_STAGE4_CHECKS, config)
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
