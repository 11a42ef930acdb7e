"""The product's accounts, owned chats and admin routes, each blocker seen in the vulnerable mode
and refused in the fixed one."""

from __future__ import annotations

import pytest

from tests.sandbox.product_fixtures import ADMIN, ALICE, BOB, api, bearer  # noqa: F401 - the fixture
from wizard.sandbox.product import PASSWORDS, encode_jwt


def login(api, email: str) -> str:  # noqa: F811
    response = api.http.post("/api/login", json={"email": email, "password": PASSWORDS[email]})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def test_login_issues_a_signed_jwt_that_signs_the_user_in(api):  # noqa: F811
    token = login(api, "ada@acme.example")
    me = api.http.get("/api/me", headers=bearer(token)).json()
    wrong = api.http.post("/api/login", json={"email": "bob@acme.example", "password": "demo-password-a"})
    assert token.count(".") == 2 and me["name"] == "Ada Admin" and me["role"] == "admin"
    assert wrong.status_code == 401 and "token" not in wrong.json()


@pytest.mark.parametrize("forge", ["alg-none", "expired"])
def test_forged_and_expired_tokens_pass_until_fixed(api, forge):  # noqa: F811
    auth = api.product.auth
    if forge == "alg-none":
        token = encode_jwt({"sub": "u_1002", "role": "admin", "exp": 2**31}, b"", alg="none")
    else:
        token = auth.issue("u_1002", ttl_s=-600)
    assert api.http.get("/api/me", headers=bearer(token)).json()["id"] == "u_1002"
    api.fix()
    refused = api.http.get("/api/me", headers=bearer(token))
    assert refused.status_code == 401 and refused.json() == {"error": "not signed in"}


def test_a_garbage_token_is_refused_in_both_modes(api):  # noqa: F811
    for _ in range(2):
        for token in ("garbage", "a.b.c", encode_jwt({"sub": "u_1001", "exp": 2**31}, b"wrong-secret")):
            assert api.http.get("/api/me", headers=bearer(token)).status_code == 401
        api.fix()


def test_another_users_chat_is_readable_until_fixed(api):  # noqa: F811
    chat = api.http.post("/api/chats", json={"title": "My address is 12 Rue des Lilas"}, headers=ALICE)
    path = f"/api/chats/{chat.json()['id']}"
    assert chat.status_code == 201
    assert api.http.get(path, headers=BOB).json()["title"] == "My address is 12 Rue des Lilas"
    assert api.http.patch(path, json={"title": "bob was here"}, headers=BOB).status_code == 200
    api.fix()
    assert api.http.get(path, headers=BOB).status_code == 404
    assert api.http.patch(path, json={"title": "again"}, headers=BOB).status_code == 404
    assert api.http.delete(path, headers=BOB).status_code == 404
    assert api.http.get(path, headers=ALICE).json()["title"] == "bob was here"
    assert [c["id"] for c in api.http.get("/api/chats", headers=BOB).json()["chats"]] == []
    assert api.http.delete(path, headers=ALICE).status_code == 204
    assert api.http.get(path, headers=ALICE).status_code == 404
    assert api.http.get(path).status_code == 401


@pytest.mark.parametrize("claim", [{"headers": {"X-Role": "admin"}}, {"params": {"admin": "true"}}])
def test_a_user_claiming_admin_passes_until_fixed(api, claim):  # noqa: F811
    headers = {**BOB, **claim.get("headers", {})}
    users = api.http.get("/api/admin/users", headers=headers, params=claim.get("params"))
    assert users.status_code == 200 and {u["email"] for u in users.json()["users"]} >= set(PASSWORDS)
    api.fix()
    assert api.http.get("/api/admin/users", headers=headers, params=claim.get("params")).status_code == 403
    ban = api.http.post("/api/admin/users/u_1001/ban", headers=headers, params=claim.get("params"))
    assert ban.status_code == 403 and api.http.get("/api/me", headers=ALICE).status_code == 200


def test_an_admin_bans_a_user_who_is_then_signed_out(api):  # noqa: F811
    api.fix()
    assert api.http.post("/api/admin/users/u_1002/ban", headers=ADMIN).json() == {"id": "u_1002", "banned": True}
    assert api.http.get("/api/me", headers=BOB).status_code == 401
    assert api.http.get("/api/admin/users").status_code == 401
