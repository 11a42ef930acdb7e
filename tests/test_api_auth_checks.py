"""auth.protected-routes, auth.bola and auth.admin-routes against the sandbox's product: each
fails on the vulnerable product and passes on the fixed one, with request counts that match what
the product received."""

from __future__ import annotations

import pytest

from stages.checks.api_abuse import API_STAGE4_CHECKS, BURST_CHECKS
from stages.checks.api_auth import API_STAGE2_CHECKS
from tests.api_fixtures import jwt_login, world  # noqa: F401 - the fixture
from wizard.findings import Status
from wizard.sandbox import product as facts

CHECKS = {c.id: c for c in API_STAGE2_CHECKS}
ALL_API = (*API_STAGE2_CHECKS, *API_STAGE4_CHECKS, *BURST_CHECKS)


def total(received: dict) -> int:
    return sum(received.values())


@pytest.mark.parametrize("login", [False, True], ids=["static-tokens", "jwt-login"])
async def test_protected_routes_let_forged_tokens_in_until_fixed(world, login):  # noqa: F811
    if login:
        world.passwords()
    config = world.config(**(jwt_login() if login else {}))
    found, received = await world.run((CHECKS["auth.protected-routes"],), config)
    me = found[("auth.protected-routes", facts.ME_PATH)]
    assert me.status is Status.FAIL and "alg:none JWT" in me.summary and "user A's data" in me.summary
    assert {a["attempt"]: a["status"] for a in me.evidence["attempts"]}["no token"] == 401
    assert sum(f.evidence["requests"] for f in found.values()) == total(received)
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["auth.protected-routes"],), config)
    assert {f.status for f in found.values()} == {Status.PASS}
    assert sum(f.evidence["requests"] for f in found.values()) == total(received)
    print(found)


async def test_user_b_reads_changes_and_deletes_user_as_chat_until_fixed(world):  # noqa: F811
    found, received = await world.run((CHECKS["auth.bola"],))
    finding = found[("auth.bola", facts.CHAT_ITEM_PATH)]
    assert finding.status is Status.FAIL and "deleted it" in finding.summary
    assert [a["status"] for a in finding.evidence["attempts"]] == [200, 200, 204]
    assert finding.evidence["requests"] == total(received) == 5  # create, 3 as B, re-read (gone)
    assert world.sandbox.product.chats.owned_by("u_1001") == []
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["auth.bola"],))
    finding = found[("auth.bola", facts.CHAT_ITEM_PATH)]
    assert finding.status is Status.PASS, finding.summary
    assert [a["status"] for a in finding.evidence["attempts"]] == [404, 404, 404]
    assert finding.evidence["cleanup_status"] == 204
    assert finding.evidence["requests"] == total(received) == 6
    assert received[("DELETE", facts.CHAT_ITEM_PATH)] == 2
    assert world.sandbox.product.chats.owned_by("u_1001") == []  # cleaned up


async def test_admin_routes_open_to_role_claims_until_fixed(world):  # noqa: F811
    found, received = await world.run((CHECKS["auth.admin-routes"],))
    users = found[("auth.admin-routes", facts.ADMIN_USERS_PATH)]
    assert users.status is Status.FAIL
    assert users.summary.endswith("X-Role: admin, ?admin=true")
    assert sum(f.evidence["requests"] for f in found.values()) == total(received) == 14
    world.mode(vulnerable=False)
    found, received = await world.run((CHECKS["auth.admin-routes"],))
    assert {f.status for f in found.values()} == {Status.PASS}
    assert all(a["status"] == 403 for f in found.values() for a in f.evidence["attempts"])
    assert total(received) == 14


async def test_production_without_confirmation_sends_no_write(world):  # noqa: F811
    config = world.config(environment="production")
    found, received = await world.run(API_STAGE2_CHECKS, config)
    bola = found[("auth.bola", config.api.base_url)]
    assert bola.status is Status.SKIPPED and "production_confirmed" in bola.summary
    assert bola.evidence["requests"] == 0
    assert {method for method, _ in received} == {"GET"}
    assert sum(f.evidence["requests"] for f in found.values()) == total(received)


async def test_a_probe_stops_at_its_bound(world):  # noqa: F811
    config = world.config(bounds={"per_probe": 7})
    found, received = await world.run((CHECKS["auth.protected-routes"],), config)
    assert total(received) == 7
    assert {f.status for f in found.values()} >= {Status.ERROR}
    assert sum(f.evidence["requests"] for f in found.values()) == 7


async def test_missing_credentials_skip_with_the_way_to_add_them(world, monkeypatch):  # noqa: F811
    monkeypatch.delenv("LAUNCH_READY_USER_B")
    found, received = await world.run((CHECKS["auth.bola"],))
    (finding,) = found.values()
    assert finding.status is Status.SKIPPED and "user-b" in finding.summary
    assert received == {}


async def test_a_confirmed_production_target_is_tested(world):  # noqa: F811
    config = world.config(environment="production", production_confirmed=True)
    found, received = await world.run((CHECKS["auth.bola"],), config)
    assert found[("auth.bola", facts.CHAT_ITEM_PATH)].status is Status.FAIL
    assert received[("POST", facts.CHATS_PATH)] == 1


async def test_all_api_checks_in_one_run_fail_then_pass_and_add_up(world):  # noqa: F811
    world.passwords()
    config = world.config(**jwt_login())
    found, received = await world.run(ALL_API, config)
    failed = {check for (check, _), f in found.items() if f.status is Status.FAIL}
    assert failed == {c.id for c in ALL_API}
    assert sum(f.evidence["requests"] for f in found.values()) == total(received)
    world.mode(vulnerable=False)  # the bursts wait for the others: nobody meets a used-up quota
    found, received = await world.run(ALL_API, config)
    assert {f.status for f in found.values()} == {Status.PASS}, [f.summary for f in found.values()]
    assert sum(f.evidence["requests"] for f in found.values()) == total(received)
