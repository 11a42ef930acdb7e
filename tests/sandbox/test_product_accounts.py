"""The product's accounts, users, workspaces and search, each new blocker (user enumeration, mass
assignment, account takeover, data exposure, SQL errors, BOLA on workspaces) seen in the
vulnerable mode and refused in the fixed one, over real HTTP."""

from __future__ import annotations

import pytest

from tests.sandbox.product_fixtures import ADMIN, ALICE, BOB, api, bearer  # noqa: F401 - the fixture
from wizard.sandbox.origin import USERS
from wizard.sandbox.product import PASSWORDS, Behaviours
from wizard.sandbox.product.users import DECLARED

ALICE_ID, BOB_ID = "u_1001", "u_1002"
NEW = "carol@acme.example"


def login(api, email: str, password: str):  # noqa: F811
    return api.http.post("/api/login", json={"email": email, "password": password})


def signed_in(api, email: str, password: str) -> dict[str, str]:  # noqa: F811
    response = login(api, email, password)
    assert response.status_code == 200, response.text
    return bearer(response.json()["token"])


def test_login_and_sign_up_tell_which_accounts_exist_until_fixed(api):  # noqa: F811
    assert login(api, "nobody@acme.example", "x").json() == {"error": "no such account"}
    assert login(api, "nobody@acme.example", "x").status_code == 404
    wrong = login(api, "alice@acme.example", "x")
    assert wrong.status_code == 401 and wrong.json() == {"error": "wrong password"}
    taken = api.http.post("/api/register", json={"email": "Alice@acme.example", "password": "pw-new"})
    assert taken.status_code == 409 and taken.json() == {"error": "already registered"}
    created = api.http.post("/api/register", json={"email": NEW, "password": "pw-carol", "name": "Carol"})
    assert created.status_code == 201 and created.json()["id"] == "u_2001" and created.json()["role"] == "user"
    me = api.http.get("/api/me", headers=signed_in(api, NEW, "pw-carol")).json()
    assert (me["id"], me["email"], me["name"]) == ("u_2001", NEW, "Carol")
    api.fix()
    for email in ("nobody@acme.example", "alice@acme.example"):
        refused = login(api, email, "x")
        assert refused.status_code == 401 and refused.json() == {"error": "invalid credentials"}
    for email in ("alice@acme.example", "dave@acme.example"):
        answer = api.http.post("/api/register", json={"email": email, "password": "pw-dave"})
        assert answer.status_code == 202 and answer.json() == {"status": "check your e-mail"}
    assert login(api, "alice@acme.example", "pw-dave").status_code == 401  # the existing account is untouched
    assert login(api, "alice@acme.example", PASSWORDS["alice@acme.example"]).status_code == 200
    assert api.http.get("/api/me", headers=signed_in(api, "dave@acme.example", "pw-dave")).json()["id"] == "u_2002"


def test_sign_ups_are_bounded(api, monkeypatch):  # noqa: F811
    monkeypatch.setattr("wizard.sandbox.product.users.MAX_SIGNUPS", 1)
    assert api.http.post("/api/register", json={"email": NEW, "password": "pw"}).status_code == 201
    for email in (NEW, "dave@acme.example"):  # full: the same answer whether the e-mail is taken or not
        full = api.http.post("/api/register", json={"email": email, "password": "pw"})
        assert full.status_code == 507 and full.json() == {"error": "sign-ups are full"}


def test_extra_fields_make_an_admin_until_fixed(api):  # noqa: F811
    grant = {"role": "admin", "is_admin": True, "admin": True}
    updated = api.http.patch(f"/api/users/{ALICE_ID}", json={"name": "Alice M.", **grant}, headers=ALICE)
    assert updated.status_code == 200 and updated.json()["role"] == "admin"
    me = api.http.get("/api/me", headers=ALICE).json()
    assert me["role"] == "admin" and me["is_admin"] is True and me["name"] == "Alice M."
    assert api.http.get("/api/admin/users", headers=ALICE).status_code == 200
    jwt_me = api.http.get("/api/me", headers=signed_in(api, "alice@acme.example", PASSWORDS["alice@acme.example"]))
    assert jwt_me.json()["role"] == "admin"
    undo = {"role": "user", "is_admin": None, "admin": None}  # None removes an undeclared field
    api.http.patch(f"/api/users/{ALICE_ID}", json=undo, headers=ALICE)
    assert not {"is_admin", "admin"} & set(api.http.get("/api/me", headers=ALICE).json())
    signup = api.http.post("/api/register", json={"email": NEW, "password": "pw-carol", **grant}).json()
    assert signup["role"] == "admin"
    assert api.http.get("/api/me", headers=signed_in(api, NEW, "pw-carol")).json()["role"] == "admin"
    assert USERS["tok-alice"]["role"] == "user" and "is_admin" not in USERS["tok-alice"]  # a per-Product copy
    api.fix()
    ignored = api.http.patch(f"/api/users/{BOB_ID}", json={"name": "Bob C.", **grant}, headers=BOB)
    assert ignored.status_code == 200 and ignored.json() == {"id": BOB_ID, "email": "bob@acme.example",
                                                            "name": "Bob C.", "role": "user"}
    assert api.http.get("/api/admin/users", headers=BOB).status_code == 403
    api.http.post("/api/register", json={"email": "dave@acme.example", "password": "pw-dave", **grant})
    assert api.http.get("/api/me", headers=signed_in(api, "dave@acme.example", "pw-dave")).json()["role"] == "user"


@pytest.mark.parametrize(("path", "body", "read"), [
    ("/api/chats", {"title": "for bob"}, lambda made: f"/api/chats/{made['id']}"),
    ("/api/workspaces", {"name": "bobs-team"}, lambda made: f"/api/workspaces/{made['name']}"),
], ids=["chat", "workspace"])
@pytest.mark.parametrize("field", ["owner_id", "user_id", "owner"])
def test_a_body_owner_hands_the_object_to_another_user_until_fixed(api, path, body, read, field):  # noqa: F811
    given = api.http.post(path, json={**body, field: BOB_ID}, headers=ALICE)
    assert given.status_code == 201 and given.json()["owner"] == BOB_ID
    api.fix()
    assert api.http.get(read(given.json()), headers=BOB).status_code == 200  # bob owns it now
    api.http.delete(read(given.json()), headers=BOB)
    kept = api.http.post(path, json={**body, field: BOB_ID}, headers=ALICE)
    assert kept.status_code == 201 and kept.json()["owner"] == ALICE_ID
    assert api.http.get(read(kept.json()), headers=BOB).status_code == 404


def test_any_user_changes_anyones_email_and_password_until_fixed(api):  # noqa: F811
    taken = api.http.patch(f"/api/users/{ALICE_ID}", json={"email": "bob+alice@acme.example"}, headers=BOB)
    assert taken.status_code == 200 and api.http.get("/api/me", headers=ALICE).json()["email"] == "bob+alice@acme.example"
    assert api.http.put(f"/api/users/{ALICE_ID}/password", json={"password": "bob-knows"}, headers=BOB).status_code == 204
    assert login(api, "bob+alice@acme.example", "bob-knows").status_code == 200
    assert login(api, "bob+alice@acme.example", PASSWORDS["alice@acme.example"]).status_code == 401
    clash = api.http.patch(f"/api/users/{ALICE_ID}", json={"email": "BOB@acme.example"}, headers=ALICE)
    assert clash.status_code == 409
    api.fix()
    for attempt in (api.http.patch(f"/api/users/{BOB_ID}", json={"email": "alice+bob@acme.example"}, headers=ALICE),
                    api.http.put(f"/api/users/{BOB_ID}/password", json={"password": "alice-knows"}, headers=ALICE),
                    api.http.patch("/api/users/u_9999", json={"name": "x"}, headers=ALICE)):
        assert attempt.status_code == 404 and attempt.json() == {"error": "no such user"}
    assert login(api, "bob@acme.example", PASSWORDS["bob@acme.example"]).status_code == 200
    assert api.http.put(f"/api/users/{BOB_ID}/password", json={"password": "new-b"}, headers=BOB).status_code == 204
    assert login(api, "bob@acme.example", "new-b").status_code == 200
    assert api.http.put(f"/api/users/{BOB_ID}/password", json={"password": "x"}).status_code == 401


def test_user_records_leak_the_password_hash_and_others_emails_until_fixed(api):  # noqa: F811
    other = api.http.get(f"/api/users/{ALICE_ID}", headers=BOB)
    assert other.status_code == 200 and other.json()["email"] == "alice@acme.example"
    assert other.json()["password_hash"].startswith("pbkdf2_sha256$")
    assert "password_hash" in api.http.get("/api/me", headers=ALICE).json()
    chat = api.http.post("/api/chats", json={"title": "mine"}, headers=ALICE).json()
    assert api.http.get(f"/api/chats/{chat['id']}", headers=BOB).json()["owner_email"] == "alice@acme.example"
    api.fix()
    assert api.http.get(f"/api/users/{ALICE_ID}", headers=BOB).status_code == 404
    own = api.http.get(f"/api/users/{ALICE_ID}", headers=ALICE).json()
    assert own == {"id": ALICE_ID, "email": "alice@acme.example", "name": "Alice Martin", "role": "user"}
    assert tuple(api.http.get("/api/me", headers=ADMIN).json()) == DECLARED
    assert "owner_email" not in api.http.get(f"/api/chats/{chat['id']}", headers=ALICE).json()
    assert api.http.get(f"/api/users/{ALICE_ID}").status_code == 401


def test_search_pastes_the_query_into_sql_until_fixed(api):  # noqa: F811
    mine = api.http.post("/api/chats", json={"title": "Refund for order A-1001"}, headers=ALICE).json()
    api.http.post("/api/chats", json={"title": "Bob's private refund"}, headers=BOB)
    assert api.http.get("/api/search", params={"q": "refund"}, headers=ALICE).json() == {"results": [mine]}
    broken = api.http.get("/api/search", params={"q": "it's"}, headers=ALICE)
    assert broken.status_code == 500 and "sqlite3.OperationalError" in broken.json()["traceback"]
    assert "SELECT id, owner, title FROM chats" in broken.json()["traceback"]
    everyone = api.http.get("/api/search", params={"q": "' OR 1=1 --"}, headers=ALICE).json()["results"]
    assert {c["owner"] for c in everyone} == {ALICE_ID, BOB_ID}
    api.product.behaviours = Behaviours(debug_errors=False)
    quiet = api.http.get("/api/search", params={"q": "it's"}, headers=ALICE)
    assert quiet.status_code == 500 and quiet.json()["error"] == "something went wrong"
    endless = "' OR (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n) --"
    assert api.http.get("/api/search", params={"q": endless}, headers=ALICE).status_code == 500  # interrupted
    api.fix()
    for q in ("it's", "' OR 1=1 --", "%", endless):
        assert api.http.get("/api/search", params={"q": q}, headers=ALICE).json() == {"results": []}
    assert api.http.get("/api/search", params={"q": "A-1001"}, headers=ALICE).json() == {"results": [mine]}
    assert api.http.get("/api/search", params={"q": ""}, headers=BOB).json()["results"][0]["owner"] == BOB_ID
    assert api.http.get("/api/search", headers=ALICE).status_code == 422
    assert api.http.get("/api/search", params={"q": "x"}).status_code == 401


def test_another_users_workspace_is_reachable_until_fixed(api):  # noqa: F811
    made = api.http.post("/api/workspaces", json={"name": "Alice Team", "description": "plans"}, headers=ALICE)
    assert made.status_code == 201 and made.json() == {"name": "Alice Team", "description": "plans", "owner": ALICE_ID}
    taken = api.http.post("/api/workspaces", json={"name": "Alice Team"}, headers=BOB)
    assert taken.status_code == 409 and taken.json() == {"error": "name taken"}
    path = "/api/workspaces/Alice%20Team"
    assert api.http.get(path, headers=BOB).json()["description"] == "plans"
    assert api.http.patch(path, json={"description": "bob was here"}, headers=BOB).status_code == 200
    api.fix()
    assert api.http.get(path, headers=BOB).status_code == 404
    assert api.http.patch(path, json={"description": "again"}, headers=BOB).status_code == 404
    assert api.http.delete(path, headers=BOB).status_code == 404
    assert api.http.get("/api/workspaces", headers=BOB).json() == {"workspaces": []}
    api.http.post("/api/workspaces", json={"name": "other"}, headers=ALICE)
    assert api.http.patch(path, json={"name": "other"}, headers=ALICE).status_code == 409
    renamed = api.http.patch(path, json={"name": "Alice Co"}, headers=ALICE)
    assert renamed.json() == {"name": "Alice Co", "description": "bob was here", "owner": ALICE_ID}
    assert api.http.get(path, headers=ALICE).status_code == 404
    assert api.http.delete("/api/workspaces/Alice%20Co", headers=ALICE).status_code == 204
    assert [w["name"] for w in api.http.get("/api/workspaces", headers=ALICE).json()["workspaces"]] == ["other"]
    assert api.http.post("/api/workspaces", json={"name": ""}, headers=ALICE).status_code == 422
