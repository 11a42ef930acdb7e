"""The checks the OpenAPI document makes possible, against the sandbox's product as `api
discover` describes it: mass assignment, one user changing another's e-mail or password, user
enumeration, excessive data exposure and injection each fail on the vulnerable product and pass on
the fixed one, put back what they changed, and count exactly the requests the product received."""

from __future__ import annotations

from stages.checks.api_accounts import API_ACCOUNT_CHECKS
from stages.checks.api_auth import API_STAGE2_CHECKS
from stages.checks.api_exposure import API_EXPOSURE_CHECKS
from stages.checks.api_injection import INJECTION_CHECKS
from tests.api_fixtures import discovered, jwt_login, world  # noqa: F401 - the fixture
from wizard.findings import Status
from wizard.sandbox import product as facts

CHECKS = {c.id: c for c in (*API_STAGE2_CHECKS, *API_ACCOUNT_CHECKS, *API_EXPOSURE_CHECKS,
                            *INJECTION_CHECKS)}
USER = facts.USER_ITEM_PATH
ALICE, BOB = "u_1001", "u_1002"


def sent(found) -> int:
    return sum(f.evidence.get("requests", 0) for f in found.values())


def statuses(found, check_id: str) -> dict[str, Status]:
    return {subject: f.status for (i, subject), f in found.items() if i == check_id}


async def run(world, check_id: str, **changes):  # noqa: F811
    found, received = await world.run((CHECKS[check_id],), world.config(**{**discovered(), **changes}))
    assert sent(found) == sum(received.values()), (found, received)
    return found


async def test_mass_assignment_takes_until_fixed_and_is_put_back(world):  # noqa: F811
    world.passwords()
    found = await run(world, "auth.mass-assignment", **jwt_login())
    assert statuses(found, "auth.mass-assignment") == {
        f"PATCH {USER}": Status.FAIL, f"POST {facts.CHATS_PATH}": Status.FAIL,
        f"POST {facts.WORKSPACES_PATH}": Status.FAIL, f"POST {facts.REGISTER_PATH}": Status.FAIL}
    own = found[("auth.mass-assignment", f"PATCH {USER}")]
    assert "role=admin" in own.summary and own.evidence["restored_status"] == 200
    users = world.sandbox.product.users
    assert users.get(ALICE)["role"] == "user"  # put back
    assert world.sandbox.product.chats.owned_by(BOB) == []  # the object handed to B was deleted
    world.mode(vulnerable=False)
    found = await run(world, "auth.mass-assignment", **jwt_login())
    assert set(statuses(found, "auth.mass-assignment").values()) == {Status.PASS}


async def test_one_user_changes_anothers_email_and_password_until_fixed(world):  # noqa: F811
    world.passwords()
    users = world.sandbox.product.users
    found = await run(world, "auth.account-takeover", **jwt_login())
    email = found[("auth.account-takeover", f"PATCH {USER}")]
    assert email.status is Status.FAIL and "user B changed user A's email" in email.summary
    assert users.get(ALICE)["email"] == "alice@acme.example"  # put back
    password = found[("auth.account-takeover", f"PUT {facts.USER_PASSWORD_PATH}")]
    assert password.status is Status.FAIL
    assert users.login("alice@acme.example", facts.PASSWORDS["alice@acme.example"])[1]  # unchanged
    world.mode(vulnerable=False)
    found = await run(world, "auth.account-takeover", **jwt_login())
    assert set(statuses(found, "auth.account-takeover").values()) == {Status.PASS}


async def test_password_change_is_not_tried_for_token_accounts(world):  # noqa: F811
    found = await run(world, "auth.account-takeover")
    assert found[("auth.account-takeover", f"PUT {facts.USER_PASSWORD_PATH}")].status is Status.SKIPPED


async def test_login_and_signup_tell_accounts_apart_until_fixed(world):  # noqa: F811
    found = await run(world, "auth.user-enumeration", **jwt_login())
    login = found[("auth.user-enumeration", f"POST {facts.LOGIN_PATH}")]
    assert login.status is Status.FAIL and "(401 vs 404)" in login.summary
    signup = found[("auth.user-enumeration", f"POST {facts.REGISTER_PATH}")]
    assert signup.status is Status.FAIL and signup.evidence["created_account"]
    world.mode(vulnerable=False)
    found = await run(world, "auth.user-enumeration", **jwt_login())
    assert set(statuses(found, "auth.user-enumeration").values()) == {Status.PASS}


async def test_responses_expose_hashes_and_other_users_until_fixed(world):  # noqa: F811
    found = await run(world, "auth.data-exposure")
    me = found[("auth.data-exposure", f"GET {facts.ME_PATH}")]
    assert me.status is Status.FAIL and "password_hash" in me.evidence["secret_fields"]
    assert "password_hash" in me.evidence["undeclared_fields"]  # UserOut does not declare it
    user = found[("auth.data-exposure", "GET /api/users/{user_id}")]
    assert user.status is Status.FAIL and "user B's record, read as user A" in user.summary
    assert [a["as"] for a in user.evidence["attempts"]] == ["user A", "user A"]
    world.mode(vulnerable=False)
    found = await run(world, "auth.data-exposure")
    assert set(statuses(found, "auth.data-exposure").values()) == {Status.PASS}, found
    assert not world.sandbox.product.chats.owned_by(ALICE)  # objects made for slots: deleted


async def test_a_quote_in_search_is_a_database_error_until_fixed(world):  # noqa: F811
    found = await run(world, "abuse.injection")
    search = found[("abuse.injection", f"GET {facts.SEARCH_PATH} ?q=")]
    assert search.status is Status.FAIL and "database error" in search.summary
    assert search.evidence["baseline_status"] == 200
    assert statuses(found, "abuse.injection")["GET /api/users/{user_id} {user_id}"] is Status.PASS
    world.mode(vulnerable=False)
    found = await run(world, "abuse.injection")
    assert set(statuses(found, "abuse.injection").values()) == {Status.PASS}


async def test_without_the_document_injection_tries_path_slots_only(world):  # noqa: F811
    found = await run(world, "abuse.injection", openapi=None)
    assert set(subject for _, subject in found) == {"GET /api/users/{user_id} {user_id}"}


async def test_objects_made_for_slots_are_deleted_and_counted(world):  # noqa: F811
    routes = [f"GET {facts.CHAT_ITEM_PATH.replace('{id}', '{chat_id}')}", "GET /api/workspaces/{name}"]
    for check_id in ("auth.data-exposure", "abuse.injection"):
        found = await run(world, check_id, protected_routes=routes)  # run() compares the counts
        assert {f.status for f in found.values()} <= {Status.PASS, Status.WARN, Status.FAIL}
        assert world.sandbox.product.chats.owned_by(ALICE) == []
